package main

import (
	"bufio"
	"encoding/json"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/telemetry"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// replica is one etlworks-mcp process serving streamable HTTP, with its metrics on their own
// port. It logs JSON at debug level, so each tool call has a line naming the session's hash.
type replica struct {
	URL        string        // http://127.0.0.1:PORT/mcp
	MetricsURL string        // http://127.0.0.1:PORT (scrape appends /metrics)
	logs       *lockedBuffer // lines above debug level, shown when the test fails

	mu    sync.Mutex
	calls map[string]int // tool-call log lines by session hash ("" for stateless requests)
}

// callsBySession is how many tool calls the replica logged, by session hash.
func (r *replica) callsBySession() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.calls)
}

// record files one stderr line: a tool call is counted, anything above debug level kept.
func (r *replica) record(line string) {
	var rec struct {
		Level   string `json:"level"`
		Msg     string `json:"msg"`
		Session string `json:"session"`
	}
	if json.Unmarshal([]byte(line), &rec) != nil || rec.Level != "DEBUG" {
		r.logs.WriteString(line + "\n")
		return
	}
	if rec.Msg == "tool call" {
		r.mu.Lock()
		r.calls[rec.Session]++
		r.mu.Unlock()
	}
}

var (
	mcpURLRe     = regexp.MustCompile(`serving MCP over streamable HTTP at (http://127\.0\.0\.1:\d+/mcp)`)
	metricsURLRe = regexp.MustCompile(`serving Prometheus metrics at (http://127\.0\.0\.1:\d+)/metrics`)
)

// startReplica runs the binary with env and args on random loopback ports and waits for both
// start-up lines; it stops gracefully with the test.
func startReplica(t *testing.T, env []string, args ...string) *replica {
	t.Helper()
	cmd := newCommand(t, append([]string{"--http", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
		"--log-format", "json", "--log-level", "debug"}, args...)...)
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopGracefully(cmd) })
	r := &replica{logs: &lockedBuffer{}, calls: map[string]int{}}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			r.record(line)
			if m := mcpURLRe.FindStringSubmatch(line); m != nil {
				r.URL = m[1]
			}
			if m := metricsURLRe.FindStringSubmatch(line); m != nil {
				r.MetricsURL = m[1]
			}
			if !signalled && r.URL != "" && r.MetricsURL != "" {
				signalled = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatalf("replica did not start within 20s:\n%s", r.logs.String())
	}
	return r
}

// toolCalls sums the replica's tool calls of every tool and outcome from its /metrics.
func (r *replica) toolCalls(t *testing.T) int {
	t.Helper()
	return sumMetric(t, scrape(t, r.MetricsURL), "etlworks_mcp_tool_calls_total")
}

// sumMetric adds up every sample of the named metric in a Prometheus text exposition.
func sumMetric(t *testing.T, body, name string) int {
	t.Helper()
	total := 0.0
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		total += v
	}
	return int(total)
}

// TestReplicasBehindLoadBalancer starts one sandbox, three replicas of the binary in
// --http-auth forward mode sharing ETLWORKS_MCP_CONFIRM_KEY, and HAProxy (or nginx) in front of
// them, then drives stateless clients of the demo users (Administrator alice, Operator bob,
// Viewer victor, each with their own key) and one legacy session (Editor carol) through the
// balancer at once. It checks that no call fails but the Viewer's runs (refused, naming the
// role), that calls landed on every replica, that every run is in the Etlworks audit trail under
// the user whose key started it and none under the Viewer, that the legacy session stayed on the
// replica that opened it (elsewhere it would get 404), and that a confirmation issued by one
// replica is honoured by another when it is bound to the target's state and refused when it is
// not (an SQL write has no state to bind to).
func TestReplicasBehindLoadBalancer(t *testing.T) {
	kind := findBalancer(t)
	sb, err := sandbox.Start(t.Context(), "127.0.0.1:0", sandbox.Options{RunStep: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	creds := sb.Sandbox.Credentials()
	keys := map[string]string{}
	for _, u := range creds.Users {
		keys[u.Login] = u.APIKey
	}
	env := []string{"ETLWORKS_URL=" + sb.URL, "ETLWORKS_MCP_CONFIRM_KEY=" + strings.Repeat("replicas-share-this-key/", 2)}
	var replicas []*replica
	var backends []string
	for range 3 {
		r := startReplica(t, env, "--http-auth", "forward", "--allow-sql-writes")
		replicas = append(replicas, r)
		backends = append(backends, hostPort(t, r.URL))
	}
	lb := startBalancer(t, kind, backends)
	t.Logf("%s at %s in front of %v", lb.Kind, lb.URL, backends)
	checkUnauthorized(t, lb.URL)

	ctx := t.Context()
	started := time.Now()
	stop := started.Add(12 * time.Second)
	users := []loadUser{
		{name: "alice", key: keys["alice"], flow: "Load orders from CSV"},                  // Administrator
		{name: "bob", key: keys["bob"], flow: "Load product catalog"},                      // Operator
		{name: "victor", key: keys["victor"], flow: "Export revenue report", viewer: true}, // Viewer
	}
	results := make([]loadResult, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() { results[i] = driveUser(ctx, lb.URL, u, stop) })
	}
	var legacyCalls int
	var legacyID string
	var legacyErrs []error
	if lb.StickySessions {
		wg.Go(func() { legacyCalls, legacyID, legacyErrs = driveLegacy(ctx, lb.URL, keys["carol"], stop) }) // Editor
	} else {
		t.Logf("%s cannot pin a session to the replica that issued its id: the legacy session is not driven", lb.Kind)
	}
	wg.Wait()

	total := legacyCalls
	for _, err := range legacyErrs {
		t.Error(err)
	}
	for i, r := range results {
		for _, err := range r.errs {
			t.Error(err)
		}
		total += r.calls
		t.Logf("%s: %d calls, %d runs, %d refused", users[i].name, r.calls, len(r.runs), r.refused)
	}
	t.Logf("legacy session: %d calls", legacyCalls)
	if t.Failed() {
		for i, r := range replicas {
			t.Logf("replica %d log:\n%s", i, r.logs.String())
		}
		t.FailNow()
	}

	// Every call reached a replica, every replica took a share of the stateless calls, and the
	// legacy session's calls all went to one replica.
	landed, holders := 0, 0
	legacyHash := telemetry.SessionHash(legacyID)
	for i, r := range replicas {
		n := r.toolCalls(t)
		landed += n
		logged := r.callsBySession()
		legacy := 0
		if legacyID != "" {
			legacy = logged[legacyHash]
		}
		stateless := 0
		for _, c := range logged {
			stateless += c
		}
		stateless -= legacy
		t.Logf("replica %d served %d tool calls: %d stateless, %d of the legacy session", i, n, stateless, legacy)
		if stateless == 0 {
			t.Errorf("replica %d served no stateless call: the balancer did not spread the load", i)
		}
		if legacy > 0 {
			holders++
			if legacy != legacyCalls {
				t.Errorf("replica %d served %d of the legacy session's %d calls", i, legacy, legacyCalls)
			}
		}
	}
	if landed != total {
		t.Errorf("the replicas served %d tool calls, the clients made %d", landed, total)
	}
	if legacyID != "" && holders != 1 {
		t.Errorf("the legacy session's calls went to %d replicas, want 1", holders)
	}

	checkRunsAudited(t, sb.URL, keys["alice"], started, users, results)
	confirmAcrossReplicas(t, replicas, keys["alice"])
}
