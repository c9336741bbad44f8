package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/config"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// TestSandboxCommandProfiles starts `etlworks-mcp sandbox` in each profile, reads the profile and
// the URL from what it prints, and checks that an [I] route exists only in the extended profile
// while a documented one answers in both.
func TestSandboxCommandProfiles(t *testing.T) {
	cases := []struct {
		args        []string
		profile     string
		historyCode int // GET /v1/executions, an [I] route
	}{
		{nil, "extended", http.StatusOK},
		{[]string{"--profile", "extended"}, "extended", http.StatusOK},
		{[]string{"--profile", "documented"}, "documented", http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.profile+strings.Join(tc.args, "_"), func(t *testing.T) {
			url, profile, key := startSandboxCommand(t, tc.args...)
			if profile != tc.profile {
				t.Fatalf("the start-up text names profile %q, want %q", profile, tc.profile)
			}
			if code, _ := getWithKey(t, url+"/v1/flows", key); code != http.StatusOK {
				t.Errorf("GET /v1/flows = %d", code)
			}
			code, body := getWithKey(t, url+"/v1/executions", key)
			if code != tc.historyCode {
				t.Errorf("GET /v1/executions = %d %s, want %d", code, body, tc.historyCode)
			}
			if code == http.StatusNotFound && !strings.Contains(body, "No endpoint GET /rest/v1/executions") {
				t.Errorf("the absent route's body differs from an unknown path's: %s", body)
			}
		})
	}
}

// TestSandboxCommandRejectsUnknownProfile gets a usage error naming the accepted profiles.
func TestSandboxCommandRejectsUnknownProfile(t *testing.T) {
	code, out, errOut := runMain(t, nil, "sandbox", "--addr", "127.0.0.1:0", "--profile", "public")
	if code != 2 || !strings.Contains(out+errOut, "documented, extended") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
}

// TestServerBannerNamesSandboxProfile checks the stdio banner of --sandbox names the profile
// chosen by flag or environment (stdin is empty, so the server stops at once).
func TestServerBannerNamesSandboxProfile(t *testing.T) {
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--sandbox"}, "extended profile"},
		{nil, []string{"--sandbox", "--sandbox-profile", "documented"}, "documented profile"},
		{map[string]string{"ETLWORKS_SANDBOX_PROFILE": "documented"}, []string{"--sandbox"}, "documented profile"},
	}
	for _, tc := range cases {
		code, _, errOut := runMain(t, tc.env, tc.args...)
		if code != 0 || !strings.Contains(errOut, "against the embedded sandbox at") || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v %v: exit %d, banner lacks %q:\n%s", tc.env, tc.args, code, tc.want, errOut)
		}
	}
}

// TestSandboxProfilesAgree keeps config's list of profiles (config imports no project package)
// equal to the sandbox's.
func TestSandboxProfilesAgree(t *testing.T) {
	for _, s := range config.Settings() {
		if s.Name == "sandbox-profile" {
			if !slices.Equal(s.Allowed, sandbox.Profiles()) || s.Default != sandbox.ProfileExtended {
				t.Fatalf("config allows %v (default %s); the sandbox has %v", s.Allowed, s.Default, sandbox.Profiles())
			}
			return
		}
	}
	t.Fatal("config has no sandbox-profile setting")
}

// startSandboxCommand runs the sandbox subcommand in process until the test ends and returns the
// URL, profile and API key it prints.
func startSandboxCommand(t *testing.T, args ...string) (url, profile, key string) {
	t.Helper()
	got := sandboxCommandOutput(t, args...)
	return got["url"], got["profile"], got["key"]
}

// sandboxCommandOutput runs the sandbox subcommand in process until the test ends and returns
// what it prints: url, profile, key (alice's) and each demo user's key as "user <login> <role>".
func sandboxCommandOutput(t *testing.T, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runSandbox(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), streams{in: strings.NewReader(""), out: pw, err: io.Discard})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("sandbox command: %v", err)
		}
	})
	patterns := map[string]*regexp.Regexp{
		"url":     regexp.MustCompile(`^Etlworks sandbox API at (\S+)$`),
		"profile": regexp.MustCompile(`^\s*profile:\s+(\S+)$`),
		"key":     regexp.MustCompile(`^\s*API key:\s+(\S+)$`),
	}
	users := regexp.MustCompile(`^\s*user (\S+)\s+(\S+)\s+(\S+)$`)
	got := map[string]string{}
	found := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			for name, re := range patterns {
				if m := re.FindStringSubmatch(sc.Text()); m != nil {
					got[name] = m[1]
				}
			}
			if m := users.FindStringSubmatch(sc.Text()); m != nil {
				got["user "+m[1]+" "+m[2]] = m[3]
			}
			if strings.HasPrefix(sc.Text(), "Try:") {
				close(found)
				break
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("the sandbox command did not print its URL, profile and API key")
	}
	return got
}

// getWithKey sends GET url with the API key and returns the status and body.
func getWithKey(t *testing.T, url, key string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, string(b)
}

// TestSandboxCommandPrintsDemoUsers checks the sandbox command prints a working API key for each
// demo user, so a multi-user server (--http-auth forward) can be tried by hand.
func TestSandboxCommandPrintsDemoUsers(t *testing.T) {
	t.Parallel()
	got := sandboxCommandOutput(t)
	for _, u := range []string{"alice Administrator", "bob Operator", "carol Editor", "victor Viewer"} {
		key := got["user "+u]
		if key == "" {
			t.Errorf("no key printed for %s", u)
			continue
		}
		login := strings.Fields(u)[0]
		if code, body := getWithKey(t, got["url"]+"/v1/users/me", key); code != http.StatusOK || !strings.Contains(body, `"`+login+`"`) {
			t.Errorf("%s's key: GET /v1/users/me = %d %s", login, code, body)
		}
	}
	if got["user alice Administrator"] != got["key"] {
		t.Error("alice's key in the user list differs from the API key line")
	}
}
