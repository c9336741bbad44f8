package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/config"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
	"github.com/etlworks/etlworks-mcp/tools"
)

// doctorFailedError marks a doctor run whose checks say the server cannot serve; the checks were
// already printed, so it exits 1 without another message (it counts as a toolFailedError).
type doctorFailedError struct{}

func (doctorFailedError) Error() string        { return "doctor found a problem" }
func (doctorFailedError) Is(target error) bool { return target == error(toolFailedError{}) }

// doctor prints one line per check: its state, its name and what to do when it failed.
type doctor struct {
	out    io.Writer
	red    *secrets.Redactor // every line passes through it: errors may quote what Etlworks sent
	failed bool
}

func (d *doctor) line(state, check, text string) {
	if state == "FAIL" {
		d.failed = true
	}
	fmt.Fprintf(d.out, "  %-5s %-18s %s\n", state, check, d.red.Text(text))
}

// runDoctor checks, in order, the configuration, the URL, TLS, the credential and role, the
// instance's health and the optional capabilities, and exits 1 when the server cannot serve.
// With --report FILE it also writes what each endpoint answered (field names, never values).
//
//	etlworks-mcp doctor [--report FILE] [flags]
func runDoctor(ctx context.Context, args []string, getenv func(string) string, std streams) error {
	report, rest, err := reportFlag(args)
	if err != nil {
		return &usageError{err}
	}
	d := &doctor{out: std.out}
	fmt.Fprintf(std.out, "etlworks-mcp %s doctor\n", version)
	cfg, err := config.Load(rest, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(std.out, "Usage: etlworks-mcp doctor [--report FILE] [--sandbox | the usual connection settings]")
		return nil
	}
	if err != nil {
		d.line("FAIL", "configuration", fmt.Sprintf("%v. Set ETLWORKS_URL and ETLWORKS_API_KEY (or ETLWORKS_USERNAME and ETLWORKS_PASSWORD), or use --sandbox; etlworks-mcp --help lists every setting.", err))
		return doctorFailedError{}
	}
	d.red = secrets.NewRedactor(cfg.APIKey, cfg.Password)
	log := newLogger(config.Config{LogLevel: "error", LogFormat: "text"}, std.err, d.red)
	a, err := connect(ctx, cfg, log, d.red)
	if err != nil {
		d.line("FAIL", "configuration", err.Error())
		return doctorFailedError{}
	}
	defer a.close()
	d.line("ok", "configuration", fmt.Sprintf("%s, %s", a.api.BaseURL(), cfg.Auth()))
	if d.checkURL(ctx, a.api) {
		d.checkCredential(ctx, a.api)
		d.checkHealth(ctx, a.api)
		d.checkCapabilities(ctx, a.api)
	}
	if report != "" {
		if err := writeReport(ctx, a.api, report); err != nil {
			d.line("FAIL", "report", fmt.Sprintf("could not write %s: %v", report, err))
		} else {
			d.line("ok", "report", "wrote "+report+": each endpoint's status and field names (no values); send it to the etlworks-mcp maintainers")
		}
	}
	if d.failed {
		fmt.Fprintln(std.out, "The server cannot serve until the FAIL lines are fixed.")
		return doctorFailedError{}
	}
	fmt.Fprintln(std.out, "The server can serve.")
	return nil
}

// reportFlag takes --report FILE (or --report=FILE) out of args, leaving the rest for config.
func reportFlag(args []string) (string, []string, error) {
	var file string
	var rest []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--report" || a == "-report":
			if i+1 >= len(args) || strings.HasPrefix(args[i+1], "-") {
				return "", nil, errors.New("doctor: --report needs a file name, e.g. --report etlworks-report.json")
			}
			file, i = args[i+1], i+1
		case strings.HasPrefix(a, "--report=") || strings.HasPrefix(a, "-report="):
			file = a[strings.Index(a, "=")+1:]
			if file == "" {
				return "", nil, errors.New("doctor: --report needs a file name, e.g. --report etlworks-report.json")
			}
		default:
			rest = append(rest, a)
		}
	}
	return file, rest, nil
}

// checkURL reports whether the URL answers like an Etlworks REST base, and how TLS went; it
// returns false when nothing further can be checked.
func (d *doctor) checkURL(ctx context.Context, api *client.Client) bool {
	base := api.CheckBase(ctx)
	switch {
	case base.Err != nil && base.TLSProblem:
		d.line("ok", "url", "the host answers")
		d.line("FAIL", "tls", fmt.Sprintf("%v. Install the certificate authority that signed the instance's certificate in this machine's trust store (or point SSL_CERT_FILE at it).", base.Err))
		return false
	case base.Err != nil:
		d.line("FAIL", "url", fmt.Sprintf("no answer from %s: %v. Check the host and port in ETLWORKS_URL, and that this machine can reach it (proxy, VPN, firewall).", api.BaseURL(), base.Err))
		return false
	case !base.Etlworks:
		d.line("FAIL", "url", fmt.Sprintf("%s answered %s to GET …/v1/flows. ETLWORKS_URL must be the instance's REST base, ending in /rest, e.g. https://app.etlworks.com/rest.", api.BaseURL(), base.Why))
		return false
	}
	d.line("ok", "url", fmt.Sprintf("answers like an Etlworks REST base (%d without a credential)", base.Status))
	switch {
	case base.HTTPS && !base.CertExpiry.IsZero() && time.Until(base.CertExpiry) < 14*24*time.Hour:
		d.line("warn", "tls", fmt.Sprintf("%s, but the certificate expires on %s: ask the administrator to renew it", base.TLSVersion, base.CertExpiry.UTC().Format(time.DateOnly)))
	case base.HTTPS:
		d.line("ok", "tls", fmt.Sprintf("%s, certificate valid until %s", base.TLSVersion, base.CertExpiry.UTC().Format(time.DateOnly)))
	case isLoopback(api.BaseURL()):
		d.line("ok", "tls", "plain HTTP on this machine (loopback)")
	default:
		d.line("warn", "tls", "plain HTTP: the credential crosses the network unencrypted; use the https:// URL of the instance")
	}
	return true
}

func isLoopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkCredential runs the one credential check and, when the API tells, names the role.
func (d *doctor) checkCredential(ctx context.Context, api *client.Client) {
	check := api.CheckCredential(ctx)
	switch check.Verdict {
	case client.CredentialRejected, client.CredentialRefused:
		state := "FAIL"
		if check.Verdict == client.CredentialRefused {
			state = "warn" // valid, but the role may not read flows: other tools may still work
		}
		d.line(state, "credential", tools.DescribeError(&client.CredentialError{Check: check}))
		return
	case client.CredentialUnknown:
		d.line("FAIL", "credential", "could not be checked: "+tools.DescribeError(check.Err))
		return
	}
	role := "role unknown (this instance does not say who a credential belongs to)"
	if raw, _, err := api.Users.Me(ctx); err == nil {
		var me struct{ Login, Role string }
		if json.Unmarshal(raw, &me) == nil && me.Role != "" {
			role = fmt.Sprintf("user %s, role %s", me.Login, me.Role)
		}
	}
	d.line("ok", "credential", "accepted (a one-row flow list answered); "+role)
}

// checkHealth reads GET /health; an instance that reports a component down can still serve,
// so problems are warnings.
func (d *doctor) checkHealth(ctx context.Context, api *client.Client) {
	h, err := api.System.HealthSummary(ctx)
	switch {
	case err != nil:
		d.line("warn", "health", "GET /health did not answer: "+tools.DescribeError(err)+" (the instance may hide it; nothing else depends on it)")
	case len(h.Down) > 0 || !strings.EqualFold(h.Status, "UP"):
		d.line("warn", "health", fmt.Sprintf("%s; not up: %s. Runs may fail until the administrator fixes it.", h.Status, strings.Join(h.Down, ", ")))
	default:
		d.line("ok", "health", fmt.Sprintf("%s (%s)", h.Status, healthParts(h)))
	}
}

func healthParts(h *client.HealthSummary) string {
	var parts []string
	for _, name := range []string{"db", "disk", "dataDisk", "ram", "cpu", "redis"} {
		if v, ok := h.Components[name]; ok {
			parts = append(parts, name+" "+v)
		}
	}
	return strings.Join(parts, "; ")
}

// checkCapabilities probes the optional groups and prints one line per group.
func (d *doctor) checkCapabilities(ctx context.Context, api *client.Client) {
	states := api.Probe(ctx)
	for _, info := range client.Capabilities() {
		name := string(info.Name)
		switch states[info.Name] {
		case client.CapPresent:
			d.line("ok", name, "present")
		case client.CapForbidden:
			d.line("note", name, "present but not allowed for this user; in the Etlworks UI: "+info.Where)
		case client.CapAbsent:
			d.line("note", name, "absent: the tools that need it are hidden; in the Etlworks UI: "+info.Where)
		case client.CapUnknown:
			if info.Documented {
				d.line("note", name, "documented (Administrator only): learned on first use")
			} else {
				d.line("note", name, "unknown until first use (it cannot be probed without changing data)")
			}
		}
	}
}

// writeReport writes the endpoint report as indented JSON, readable only by its owner.
func writeReport(ctx context.Context, api *client.Client, file string) error {
	rep := api.BuildReport(ctx)
	b, err := json.MarshalIndent(struct {
		Tool    string `json:"tool"`
		Version string `json:"version"`
		*client.Report
	}{"etlworks-mcp doctor", version, rep}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(b, '\n'), 0o600)
}
