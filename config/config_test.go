package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// env builds a getenv from pairs.
func env(pairs map[string]string) func(string) string {
	return func(k string) string { return pairs[k] }
}

// base is a valid real-instance environment most cases start from.
func base(extra map[string]string) map[string]string {
	m := map[string]string{"ETLWORKS_URL": "https://app.etlworks.com/rest", "ETLWORKS_API_KEY": "k-123"}
	for k, v := range extra {
		if v == "" {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Load(nil, env(base(nil)))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		URL: "https://app.etlworks.com/rest", APIKey: "k-123",
		LogLevel: "info", LogFormat: "text", Timeout: 30 * time.Second, SessionIdleTimeout: 30 * time.Minute, CallTimeout: time.Minute,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %#v\nwant %#v", cfg, want)
	}
	if cfg.SlogLevel() != slog.LevelInfo {
		t.Errorf("SlogLevel = %v", cfg.SlogLevel())
	}
}

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"env over default", nil, base(map[string]string{"ETLWORKS_LOG_LEVEL": "debug"}), func(t *testing.T, c Config) {
			if c.LogLevel != "debug" || c.SlogLevel() != slog.LevelDebug {
				t.Errorf("LogLevel = %q", c.LogLevel)
			}
		}},
		{"flag over env", []string{"--log-level", "WARN"}, base(map[string]string{"ETLWORKS_LOG_LEVEL": "debug"}), func(t *testing.T, c Config) {
			if c.LogLevel != "warn" {
				t.Errorf("LogLevel = %q", c.LogLevel)
			}
		}},
		{"url flag over env, trailing slash trimmed", []string{"-url=http://etl.local:8080/etl/rest/"}, base(nil), func(t *testing.T, c Config) {
			if c.URL != "http://etl.local:8080/etl/rest" {
				t.Errorf("URL = %q", c.URL)
			}
		}},
		{"bool env spellings", nil, base(map[string]string{"ETLWORKS_READ_ONLY": "YES", "ETLWORKS_MCP_ALLOW_REMOTE": "1"}), func(t *testing.T, c Config) {
			if !c.ReadOnly || !c.AllowRemote {
				t.Errorf("ReadOnly=%v AllowRemote=%v", c.ReadOnly, c.AllowRemote)
			}
		}},
		{"bool flag false over env true", []string{"--read-only=false"}, base(map[string]string{"ETLWORKS_READ_ONLY": "true"}), func(t *testing.T, c Config) {
			if c.ReadOnly {
				t.Error("ReadOnly = true")
			}
		}},
		{"sql writes off by default", nil, base(nil), func(t *testing.T, c Config) {
			if c.AllowSQLWrites {
				t.Error("AllowSQLWrites = true")
			}
		}},
		{"sql writes from env and flag", []string{"--allow-sql-writes"}, base(map[string]string{"ETLWORKS_ALLOW_SQL_WRITES": "0"}), func(t *testing.T, c Config) {
			if !c.AllowSQLWrites || !strings.Contains(c.Describe(), "sql_writes=true") {
				t.Errorf("AllowSQLWrites = %v, Describe = %s", c.AllowSQLWrites, c.Describe())
			}
		}},
		{"sql writes not described under read-only", nil, base(map[string]string{"ETLWORKS_ALLOW_SQL_WRITES": "yes", "ETLWORKS_READ_ONLY": "1"}), func(t *testing.T, c Config) {
			if !c.AllowSQLWrites || strings.Contains(c.Describe(), "sql_writes") {
				t.Errorf("AllowSQLWrites = %v, Describe = %s", c.AllowSQLWrites, c.Describe())
			}
		}},
		{"bool flag accepts no", []string{"--read-only=no"}, base(nil), func(t *testing.T, c Config) {
			if c.ReadOnly {
				t.Error("ReadOnly = true")
			}
		}},
		{"webhook hosts none by default", nil, base(nil), func(t *testing.T, c Config) {
			if c.WebhookHosts != nil {
				t.Errorf("WebhookHosts = %q", c.WebhookHosts)
			}
		}},
		{"webhook hosts loopback in sandbox", []string{"--sandbox"}, nil, func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.WebhookHosts, []string{"localhost", "127.0.0.1", "[::1]"}) {
				t.Errorf("WebhookHosts = %q", c.WebhookHosts)
			}
		}},
		{"webhook hosts flag replaces the sandbox default", []string{"--sandbox", "--webhook-hosts", "Hooks.Example.com"}, nil, func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.WebhookHosts, []string{"hooks.example.com"}) {
				t.Errorf("WebhookHosts = %q", c.WebhookHosts)
			}
		}},
		{"webhook hosts from env, normalised", nil, base(map[string]string{"ETLWORKS_MCP_WEBHOOK_HOSTS": " *.Corp.example.com:8443, 10.0.0.7 ,"}), func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.WebhookHosts, []string{"*.corp.example.com:8443", "10.0.0.7"}) {
				t.Errorf("WebhookHosts = %q", c.WebhookHosts)
			}
		}},
		{"confirm key from env", nil, base(map[string]string{"ETLWORKS_MCP_CONFIRM_KEY": strings.Repeat("k", 32)}), func(t *testing.T, c Config) {
			if c.ConfirmKey != strings.Repeat("k", 32) || !strings.Contains(c.Describe(), "confirm_key=shared") || strings.Contains(c.Describe(), "kkkk") {
				t.Errorf("ConfirmKey = %q, Describe = %s", c.ConfirmKey, c.Describe())
			}
		}},
		{"confirm key unset", nil, base(nil), func(t *testing.T, c Config) {
			if c.ConfirmKey != "" || strings.Contains(c.Describe(), "confirm_key") {
				t.Errorf("ConfirmKey = %q, Describe = %s", c.ConfirmKey, c.Describe())
			}
		}},
		{"toolsets cleaned and deduplicated", nil, base(map[string]string{"ETLWORKS_TOOLSETS": " flows, Executions,,flows "}), func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.Toolsets, []string{"flows", "executions"}) {
				t.Errorf("Toolsets = %q", c.Toolsets)
			}
		}},
		{"toolsets all wins", []string{"--toolsets", "flows,all"}, base(nil), func(t *testing.T, c Config) {
			if c.Toolsets != nil {
				t.Errorf("Toolsets = %q", c.Toolsets)
			}
		}},
		{"timeout", []string{"--timeout", "2m"}, base(map[string]string{"ETLWORKS_TIMEOUT": "5s"}), func(t *testing.T, c Config) {
			if c.Timeout != 2*time.Minute {
				t.Errorf("Timeout = %v", c.Timeout)
			}
		}},
		{"call timeout from env", nil, base(map[string]string{"ETLWORKS_CALL_TIMEOUT": "90s"}), func(t *testing.T, c Config) {
			if c.CallTimeout != 90*time.Second {
				t.Errorf("CallTimeout = %v", c.CallTimeout)
			}
		}},
		{"call timeout flag wins", []string{"--call-timeout", "5m"}, base(map[string]string{"ETLWORKS_CALL_TIMEOUT": "90s"}), func(t *testing.T, c Config) {
			if c.CallTimeout != 5*time.Minute {
				t.Errorf("CallTimeout = %v", c.CallTimeout)
			}
		}},
		{"log format json from env", nil, base(map[string]string{"ETLWORKS_LOG_FORMAT": "json"}), func(t *testing.T, c Config) {
			if c.LogFormat != "json" {
				t.Errorf("LogFormat = %q", c.LogFormat)
			}
		}},
		{"positional args kept", []string{"--read-only", "call", "list_flows", "{}"}, base(nil), func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.Args, []string{"call", "list_flows", "{}"}) {
				t.Errorf("Args = %q", c.Args)
			}
		}},
		{"username and password", []string{"--username", "alice"}, base(map[string]string{"ETLWORKS_API_KEY": "", "ETLWORKS_PASSWORD": "pw"}), func(t *testing.T, c Config) {
			if c.Username != "alice" || c.Password != "pw" || c.APIKey != "" || c.Auth() != "password" {
				t.Errorf("Username=%q Auth=%s", c.Username, c.Auth())
			}
		}},
		{"username flag over env", []string{"--username", "bob"}, base(map[string]string{"ETLWORKS_API_KEY": "", "ETLWORKS_USERNAME": "alice", "ETLWORKS_PASSWORD": "pw"}), func(t *testing.T, c Config) {
			if c.Username != "bob" {
				t.Errorf("Username = %q", c.Username)
			}
		}},
		{"sandbox needs no url or credentials", []string{"--sandbox"}, nil, func(t *testing.T, c Config) {
			if !c.Sandbox || c.URL != "" || c.Auth() != "sandbox" {
				t.Errorf("Sandbox=%v URL=%q", c.Sandbox, c.URL)
			}
		}},
		{"sandbox ignores a broken url and reads no secrets", []string{"--sandbox"}, map[string]string{"ETLWORKS_URL": "ftp://x", "ETLWORKS_API_KEY_FILE": "/nonexistent"}, func(t *testing.T, c Config) {
			if c.URL != "" || c.APIKey != "" {
				t.Errorf("URL=%q", c.URL)
			}
		}},
		{"sandbox data from env", []string{"--sandbox"}, map[string]string{"ETLWORKS_SANDBOX_DATA": "/var/lib/etl"}, func(t *testing.T, c Config) {
			if c.SandboxData != "/var/lib/etl" {
				t.Errorf("SandboxData = %q", c.SandboxData)
			}
		}},
		{"sandbox data flag", []string{"--sandbox", "--sandbox-data", "/tmp/x"}, nil, func(t *testing.T, c Config) {
			if c.SandboxData != "/tmp/x" {
				t.Errorf("SandboxData = %q", c.SandboxData)
			}
		}},
		{"sandbox profile defaults to extended", []string{"--sandbox"}, nil, func(t *testing.T, c Config) {
			if c.SandboxProfile != "extended" {
				t.Errorf("SandboxProfile = %q", c.SandboxProfile)
			}
		}},
		{"sandbox profile flag", []string{"--sandbox", "--sandbox-profile", "Documented"}, nil, func(t *testing.T, c Config) {
			if c.SandboxProfile != "documented" {
				t.Errorf("SandboxProfile = %q", c.SandboxProfile)
			}
		}},
		{"sandbox profile from env, flag wins", []string{"--sandbox", "--sandbox-profile", "extended"}, map[string]string{"ETLWORKS_SANDBOX_PROFILE": "documented"}, func(t *testing.T, c Config) {
			if c.SandboxProfile != "extended" {
				t.Errorf("SandboxProfile = %q", c.SandboxProfile)
			}
		}},
		{"sandbox profile env", []string{"--sandbox"}, map[string]string{"ETLWORKS_SANDBOX_PROFILE": "documented"}, func(t *testing.T, c Config) {
			if c.SandboxProfile != "documented" {
				t.Errorf("SandboxProfile = %q", c.SandboxProfile)
			}
		}},
		{"sandbox profile env ignored without sandbox", nil, base(map[string]string{"ETLWORKS_SANDBOX_PROFILE": "bogus"}), func(t *testing.T, c Config) {
			if c.SandboxProfile != "" {
				t.Errorf("SandboxProfile = %q", c.SandboxProfile)
			}
		}},
		{"sandbox data env ignored without sandbox", nil, base(map[string]string{"ETLWORKS_SANDBOX_DATA": "/x"}), func(t *testing.T, c Config) {
			if c.SandboxData != "" {
				t.Errorf("SandboxData = %q", c.SandboxData)
			}
		}},
		{"http loopback", []string{"--http", "127.0.0.1:0"}, base(nil), func(t *testing.T, c Config) {
			if c.HTTPAddr != "127.0.0.1:0" {
				t.Errorf("HTTPAddr = %q", c.HTTPAddr)
			}
		}},
		{"http localhost from env", nil, base(map[string]string{"ETLWORKS_MCP_HTTP": "localhost:8931"}), func(t *testing.T, c Config) {
			if c.HTTPAddr != "localhost:8931" {
				t.Errorf("HTTPAddr = %q", c.HTTPAddr)
			}
		}},
		{"metrics loopback", []string{"--metrics-addr", "127.0.0.1:0"}, base(nil), func(t *testing.T, c Config) {
			if c.MetricsAddr != "127.0.0.1:0" {
				t.Errorf("MetricsAddr = %q", c.MetricsAddr)
			}
		}},
		{"metrics remote allowed", nil, base(map[string]string{"ETLWORKS_MCP_METRICS_ADDR": "0.0.0.0:9464", "ETLWORKS_MCP_ALLOW_REMOTE": "1"}), func(t *testing.T, c Config) {
			if c.MetricsAddr != "0.0.0.0:9464" {
				t.Errorf("MetricsAddr = %q", c.MetricsAddr)
			}
		}},
		{"session idle timeout from env", nil, base(map[string]string{"ETLWORKS_MCP_SESSION_IDLE_TIMEOUT": "5m"}), func(t *testing.T, c Config) {
			if c.SessionIdleTimeout != 5*time.Minute {
				t.Errorf("SessionIdleTimeout = %v", c.SessionIdleTimeout)
			}
		}},
		{"session idle timeout flag wins", []string{"--session-idle-timeout", "90s"}, base(map[string]string{"ETLWORKS_MCP_SESSION_IDLE_TIMEOUT": "5m"}), func(t *testing.T, c Config) {
			if c.SessionIdleTimeout != 90*time.Second {
				t.Errorf("SessionIdleTimeout = %v", c.SessionIdleTimeout)
			}
		}},
		{"http ipv6 loopback", []string{"--http", "[::1]:8931"}, base(nil), func(t *testing.T, c Config) {
			if c.HTTPAddr != "[::1]:8931" {
				t.Errorf("HTTPAddr = %q", c.HTTPAddr)
			}
		}},
		{"http remote allowed", []string{"--http", "0.0.0.0:8931", "--allow-remote", "--http-auth", "token", "--behind-tls-proxy"},
			base(map[string]string{"ETLWORKS_MCP_TOKEN": strings.Repeat("t", 32)}), func(t *testing.T, c Config) {
				if c.HTTPAddr != "0.0.0.0:8931" || !c.AllowRemote {
					t.Errorf("HTTPAddr = %q", c.HTTPAddr)
				}
			}},
		{"allowed origins normalised", []string{"--allowed-origins", "https://App.Example.com/, http://10.0.0.5:3000"}, base(nil), func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.AllowedOrigins, []string{"https://app.example.com", "http://10.0.0.5:3000"}) {
				t.Errorf("AllowedOrigins = %q", c.AllowedOrigins)
			}
		}},
		{"version skips validation", []string{"--version"}, nil, func(t *testing.T, c Config) {
			if !c.Version {
				t.Error("Version = false")
			}
		}},
		{"args after double dash are positional", []string{"--", "--password", "x"}, base(nil), func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.Args, []string{"--password", "x"}) {
				t.Errorf("Args = %q", c.Args)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Load(tt.args, env(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, cfg)
		})
	}
}

func TestLoadFieldErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")
	empty := writeFile(t, "\n")
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		wantField string
		wantValue string
		wantMsg   string // exact message, when set
		contains  []string
	}{
		{name: "log level", args: []string{"--log-level", "loud"}, env: base(nil),
			wantField: "--log-level", wantValue: "loud", wantMsg: `--log-level "loud": must be one of debug, info, warn, error`},
		{name: "log level from env", env: base(map[string]string{"ETLWORKS_LOG_LEVEL": "trace"}),
			wantField: "ETLWORKS_LOG_LEVEL", wantValue: "trace"},
		{name: "log format", args: []string{"--log-format=xml"}, env: base(nil),
			wantField: "--log-format", wantMsg: `--log-format "xml": must be one of text, json`},
		{name: "url scheme", env: base(map[string]string{"ETLWORKS_URL": "ftp://x"}), wantField: "ETLWORKS_URL",
			wantMsg: `ETLWORKS_URL "ftp://x": must be an http or https URL ending in /rest, e.g. https://app.etlworks.com/rest`},
		{name: "url without host", args: []string{"--url", "https:///rest"}, env: base(nil), wantField: "--url"},
		{name: "url not absolute", env: base(map[string]string{"ETLWORKS_URL": "app.etlworks.com/rest"}), wantField: "ETLWORKS_URL"},
		{name: "url without rest", env: base(map[string]string{"ETLWORKS_URL": "https://app.etlworks.com/"}), wantField: "ETLWORKS_URL",
			contains: []string{"did you mean https://app.etlworks.com/rest?"}},
		{name: "url with query", env: base(map[string]string{"ETLWORKS_URL": "https://app.etlworks.com/rest?x=1"}), wantField: "ETLWORKS_URL",
			contains: []string{"query"}},
		{name: "url with credentials", env: base(map[string]string{"ETLWORKS_URL": "https://bob:SECRETPW@app.etlworks.com/rest"}),
			wantField: "ETLWORKS_URL", contains: []string{"must not carry credentials"}},
		{name: "url missing", env: base(map[string]string{"ETLWORKS_URL": ""}), wantField: "ETLWORKS_URL",
			contains: []string{"not set", "--sandbox"}},
		{name: "credentials missing", env: map[string]string{"ETLWORKS_URL": "https://app.etlworks.com/rest"}, wantField: "ETLWORKS_API_KEY",
			contains: []string{"ETLWORKS_API_KEY", "ETLWORKS_USERNAME and ETLWORKS_PASSWORD"}},
		{name: "key and password", env: base(map[string]string{"ETLWORKS_USERNAME": "alice", "ETLWORKS_PASSWORD": "SECRETPW"}),
			wantField: "ETLWORKS_API_KEY", contains: []string{"choose one", "ETLWORKS_PASSWORD"}},
		{name: "username without password", args: []string{"--username", "alice"}, env: base(map[string]string{"ETLWORKS_API_KEY": ""}),
			wantField: "ETLWORKS_PASSWORD", contains: []string{"--username"}},
		{name: "password without username", env: base(map[string]string{"ETLWORKS_API_KEY": "", "ETLWORKS_PASSWORD": "SECRETPW"}),
			wantField: "ETLWORKS_USERNAME"},
		{name: "bool env", env: base(map[string]string{"ETLWORKS_READ_ONLY": "maybe"}), wantField: "ETLWORKS_READ_ONLY", wantValue: "maybe",
			wantMsg: `ETLWORKS_READ_ONLY "maybe": must be one of 1, true, yes, 0, false, no`},
		{name: "bool flag empty", args: []string{"--read-only="}, env: base(nil), wantField: "--read-only"},
		{name: "bool flag word", args: []string{"--allow-remote=sure"}, env: base(nil), wantField: "--allow-remote"},
		{name: "timeout not a duration", args: []string{"--timeout", "30"}, env: base(nil), wantField: "--timeout",
			contains: []string{"30s or 2m"}},
		{name: "timeout negative", env: base(map[string]string{"ETLWORKS_TIMEOUT": "-1s"}), wantField: "ETLWORKS_TIMEOUT"},
		{name: "call timeout zero", env: base(map[string]string{"ETLWORKS_CALL_TIMEOUT": "0s"}), wantField: "ETLWORKS_CALL_TIMEOUT",
			contains: []string{"positive duration"}},
		{name: "call timeout not a duration", args: []string{"--call-timeout", "60"}, env: base(nil), wantField: "--call-timeout"},
		{name: "http without port", args: []string{"--http", "8931"}, env: base(nil), wantField: "--http", contains: []string{"host:port"}},
		{name: "http bad port", args: []string{"--http", "127.0.0.1:99999"}, env: base(nil), wantField: "--http"},
		{name: "http empty", args: []string{"--http="}, env: base(nil), wantField: "--http"},
		{name: "http remote", args: []string{"--http", "0.0.0.0:8931"}, env: base(nil), wantField: "--http",
			contains: []string{"--allow-remote", "no authentication", "127.0.0.1:8931"}},
		{name: "http all interfaces", env: base(map[string]string{"ETLWORKS_MCP_HTTP": ":8931"}), wantField: "ETLWORKS_MCP_HTTP",
			contains: []string{"--allow-remote"}},
		{name: "metrics remote", args: []string{"--metrics-addr", "0.0.0.0:9464"}, env: base(nil), wantField: "--metrics-addr",
			contains: []string{"--allow-remote", "metrics", "127.0.0.1:9464"}},
		{name: "metrics empty", args: []string{"--metrics-addr="}, env: base(nil), wantField: "--metrics-addr", contains: []string{"no metrics"}},
		{name: "metrics without port", env: base(map[string]string{"ETLWORKS_MCP_METRICS_ADDR": "9464"}), wantField: "ETLWORKS_MCP_METRICS_ADDR"},
		{name: "session idle zero", args: []string{"--session-idle-timeout", "0s"}, env: base(nil), wantField: "--session-idle-timeout"},
		{name: "session idle not a duration", env: base(map[string]string{"ETLWORKS_MCP_SESSION_IDLE_TIMEOUT": "30"}), wantField: "ETLWORKS_MCP_SESSION_IDLE_TIMEOUT"},
		{name: "http remote hostname", args: []string{"--http", "mcp.example.com:80"}, env: base(nil), wantField: "--http"},
		{name: "origin wildcard", args: []string{"--allowed-origins", "*"}, env: base(nil), wantField: "--allowed-origins",
			contains: []string{"wildcards"}},
		{name: "origin with path", env: base(map[string]string{"ETLWORKS_MCP_ALLOWED_ORIGINS": "https://x.example.com/app"}),
			wantField: "ETLWORKS_MCP_ALLOWED_ORIGINS", wantValue: "https://x.example.com/app"},
		{name: "origin scheme", args: []string{"--allowed-origins", "ftp://x.example.com"}, env: base(nil), wantField: "--allowed-origins"},
		{name: "origins empty", args: []string{"--allowed-origins", " , "}, env: base(nil), wantField: "--allowed-origins"},
		{name: "toolsets empty", args: []string{"--toolsets", ""}, env: base(nil), wantField: "--toolsets"},
		{name: "toolset name", env: base(map[string]string{"ETLWORKS_TOOLSETS": "flows,Runs!"}), wantField: "ETLWORKS_TOOLSETS",
			contains: []string{`"runs!"`}},
		{name: "sandbox data without sandbox", args: []string{"--sandbox-data", "/tmp/x"}, env: base(nil), wantField: "--sandbox-data",
			contains: []string{"--sandbox"}},
		{name: "sandbox profile without sandbox", args: []string{"--sandbox-profile", "documented"}, env: base(nil),
			wantField: "--sandbox-profile", contains: []string{"only used with --sandbox"}},
		{name: "sandbox profile unknown", args: []string{"--sandbox", "--sandbox-profile", "public"}, wantField: "--sandbox-profile",
			wantValue: "public", contains: []string{"documented", "extended"}},
		{name: "sandbox profile unknown in env", args: []string{"--sandbox"}, env: map[string]string{"ETLWORKS_SANDBOX_PROFILE": "full"},
			wantField: "ETLWORKS_SANDBOX_PROFILE", wantValue: "full"},
		{name: "webhook hosts wildcard", args: []string{"--webhook-hosts", "*"}, env: base(nil), wantField: "--webhook-hosts",
			contains: []string{"bare wildcard", "*.example.com"}},
		{name: "webhook hosts url", env: base(map[string]string{"ETLWORKS_MCP_WEBHOOK_HOSTS": "https://hooks.example.com/x"}),
			wantField: "ETLWORKS_MCP_WEBHOOK_HOSTS", contains: []string{"not a URL"}},
		{name: "webhook hosts empty", args: []string{"--webhook-hosts", " , "}, env: base(nil), wantField: "--webhook-hosts"},
		{name: "confirm key short", env: base(map[string]string{"ETLWORKS_MCP_CONFIRM_KEY": "SECRETPW-short"}),
			wantField: "ETLWORKS_MCP_CONFIRM_KEY", contains: []string{"at least 32 bytes, got 14", "openssl rand"}},
		{name: "confirm key file short", env: base(map[string]string{"ETLWORKS_MCP_CONFIRM_KEY_FILE": writeFile(t, "SECRETPW\n")}),
			wantField: "ETLWORKS_MCP_CONFIRM_KEY_FILE", contains: []string{"at least 32 bytes, got 8"}},
		{name: "confirm key and file", env: base(map[string]string{"ETLWORKS_MCP_CONFIRM_KEY": strings.Repeat("SECRETPW", 4), "ETLWORKS_MCP_CONFIRM_KEY_FILE": empty}),
			wantField: "ETLWORKS_MCP_CONFIRM_KEY_FILE", contains: []string{"set only one"}},
		{name: "key file missing", env: base(map[string]string{"ETLWORKS_API_KEY": "", "ETLWORKS_API_KEY_FILE": missing}),
			wantField: "ETLWORKS_API_KEY_FILE", wantValue: missing, contains: []string{"no such file"}},
		{name: "key file empty", env: base(map[string]string{"ETLWORKS_API_KEY": "", "ETLWORKS_API_KEY_FILE": empty}),
			wantField: "ETLWORKS_API_KEY_FILE", contains: []string{"empty"}},
		{name: "key and key file", env: base(map[string]string{"ETLWORKS_API_KEY_FILE": empty}),
			wantField: "ETLWORKS_API_KEY_FILE", contains: []string{"set only one"}},
		{name: "password file missing", env: base(map[string]string{"ETLWORKS_API_KEY": "", "ETLWORKS_USERNAME": "alice", "ETLWORKS_PASSWORD_FILE": missing}),
			wantField: "ETLWORKS_PASSWORD_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tt.args, env(tt.env))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FieldError", err, err)
			}
			if fe.Field != tt.wantField {
				t.Errorf("Field = %q, want %q (error: %v)", fe.Field, tt.wantField, err)
			}
			if tt.wantValue != "" && fe.Value != tt.wantValue {
				t.Errorf("Value = %q, want %q", fe.Value, tt.wantValue)
			}
			if tt.wantMsg != "" && err.Error() != tt.wantMsg {
				t.Errorf("message\n got %s\nwant %s", err, tt.wantMsg)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q lacks %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "SECRETPW") || strings.Contains(err.Error(), "k-123") {
				t.Errorf("message leaks a secret: %s", err)
			}
		})
	}
}

func TestLoadReportsEveryError(t *testing.T) {
	t.Parallel()
	_, err := Load([]string{"--log-level", "loud", "--log-format", "xml"}, env(map[string]string{"ETLWORKS_TIMEOUT": "soon"}))
	fields := map[string]bool{}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *FieldError
		if errors.As(e, &fe) {
			fields[fe.Field] = true
		}
	}
	for _, f := range []string{"ETLWORKS_URL", "ETLWORKS_API_KEY", "--log-level", "--log-format", "ETLWORKS_TIMEOUT"} {
		if !fields[f] {
			t.Errorf("no error for %s in %v", f, err)
		}
	}
}

func TestLoadFlagErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--verbose"}, "--help"},
		{"missing value", []string{"--url"}, "needs an argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tt.args, env(base(nil)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	for _, args := range [][]string{{"--help"}, {"-h"}} {
		if _, err := Load(args, nil); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("Load(%q) = %v, want flag.ErrHelp", args, err)
		}
	}
}

func TestSecretsRefusedInArgv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args      []string
		wantField string
		wantEnv   string
	}{
		{[]string{"--api-key", "SECRETKEY"}, "--api-key", "ETLWORKS_API_KEY_FILE"},
		{[]string{"-api-key=SECRETKEY"}, "--api-key", "ETLWORKS_API_KEY"},
		{[]string{"--API_KEY=SECRETKEY"}, "--api-key", "ETLWORKS_API_KEY"},
		{[]string{"--token", "SECRETKEY"}, "--token", "ETLWORKS_API_KEY"},
		{[]string{"--password=SECRETKEY"}, "--password", "ETLWORKS_PASSWORD or ETLWORKS_PASSWORD_FILE"},
		{[]string{"--sandbox", "call", "x", "--password", "SECRETKEY"}, "--password", "ETLWORKS_PASSWORD"},
		{[]string{"--password-file", "/run/secrets/pw"}, "--password-file", "ETLWORKS_PASSWORD_FILE"},
		{[]string{"--confirm-key=SECRETKEY"}, "--confirm-key", "ETLWORKS_MCP_CONFIRM_KEY_FILE"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			_, err := Load(tt.args, env(base(nil)))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want a *FieldError", err)
			}
			if fe.Field != tt.wantField || fe.Value != "" {
				t.Errorf("Field=%q Value=%q", fe.Field, fe.Value)
			}
			if msg := err.Error(); strings.Contains(msg, "SECRETKEY") || !strings.Contains(msg, tt.wantEnv) {
				t.Errorf("message %q: must name %s and not echo the secret", msg, tt.wantEnv)
			}
		})
	}
}

func TestSecretFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"trailing newline", "key-1\n", "key-1"},
		{"crlf", "key-2\r\n", "key-2"},
		{"no newline", "key-3", "key-3"},
		{"inner spaces kept", " key 4 \n", " key 4 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, tt.content)
			cfg, err := Load(nil, env(base(map[string]string{"ETLWORKS_API_KEY": "", "ETLWORKS_API_KEY_FILE": path})))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.APIKey != tt.want {
				t.Errorf("APIKey = %q, want %q", cfg.APIKey, tt.want)
			}
			key := writeFile(t, strings.Repeat("c", 32)+tt.content)
			if cfg, err := Load(nil, env(base(map[string]string{"ETLWORKS_MCP_CONFIRM_KEY_FILE": key}))); err != nil || cfg.ConfirmKey != strings.Repeat("c", 32)+tt.want {
				t.Errorf("ConfirmKey = %q, %v", cfg.ConfirmKey, err)
			}
			cfg, err = Load(nil, env(base(map[string]string{"ETLWORKS_API_KEY": "", "ETLWORKS_USERNAME": "alice", "ETLWORKS_PASSWORD_FILE": path})))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Password != tt.want {
				t.Errorf("Password = %q, want %q", cfg.Password, tt.want)
			}
		})
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	configs := map[string]Config{
		"api key":  {URL: "https://app.etlworks.com/rest", APIKey: "SECRETKEY", LogLevel: "info", LogFormat: "text", Timeout: time.Second},
		"password": {URL: "https://app.etlworks.com/rest", Username: "alice", Password: "SECRETPW", HTTPAddr: "127.0.0.1:8931", LogLevel: "debug", LogFormat: "json", ConfirmKey: "SECRET-confirm-key-0123456789abcdef"},
	}
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var logged bytes.Buffer
			slog.New(slog.NewJSONHandler(&logged, nil)).Info("start", "config", cfg)
			slog.New(slog.NewTextHandler(&logged, nil)).Info("start", "config", cfg)
			asJSON, err := json.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			outputs := []string{
				cfg.Describe(), cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
				fmt.Sprintf("%s", cfg), fmt.Sprintf("%v", &cfg), logged.String(), string(asJSON),
			}
			for _, out := range outputs {
				if strings.Contains(out, "SECRET") {
					t.Errorf("secret printed: %s", out)
				}
			}
			if !strings.Contains(cfg.Describe(), "auth="+cfg.Auth()) || !strings.Contains(cfg.Describe(), "etlworks=https://app.etlworks.com/rest") {
				t.Errorf("Describe = %s", cfg.Describe())
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	cfg, err := Load([]string{"--sandbox", "--http", "127.0.0.1:0", "--toolsets", "flows", "--read-only"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "etlworks=sandbox auth=sandbox transport=http://127.0.0.1:0/mcp http_auth=none read_only=true toolsets=flows timeout=30s call_timeout=1m0s log=info/text"
	if got := cfg.Describe(); got != want {
		t.Errorf("Describe\n got %s\nwant %s", got, want)
	}
}

func TestSettingsTable(t *testing.T) {
	t.Parallel()
	fs, _ := newFlagSet()
	usage := Usage()
	names := map[string]bool{}
	for _, s := range Settings() {
		if names[s.Name] {
			t.Errorf("duplicate setting %s", s.Name)
		}
		names[s.Name] = true
		if s.Description == "" {
			t.Errorf("%s: no description", s.Name)
		}
		if s.Flag == "" && s.Env == "" {
			t.Errorf("%s: neither flag nor env", s.Name)
		}
		if s.Secret && s.Flag != "" {
			t.Errorf("%s: a secret must not have a flag", s.Name)
		}
		if s.Flag != "" {
			if fs.Lookup(strings.TrimPrefix(s.Flag, "--")) == nil {
				t.Errorf("%s: flag %s not registered", s.Name, s.Flag)
			}
			if strings.TrimPrefix(s.Flag, "--") != s.Name {
				t.Errorf("%s: flag %s does not match the name", s.Name, s.Flag)
			}
		}
		for _, word := range []string{s.Flag, s.Env, s.EnvFile} {
			if word != "" && !strings.Contains(usage, word) {
				t.Errorf("Usage lacks %s", word)
			}
		}
	}
	if !strings.Contains(usage, "default 30s") || !strings.Contains(usage, "--log-level debug|info|warn|error") {
		t.Errorf("Usage lacks defaults or choices:\n%s", usage)
	}
	// Settings hands out a copy.
	s := Settings()
	s[len(s)-1].Name = "changed"
	if Settings()[len(s)-1].Name == "changed" {
		t.Error("Settings exposes the package table")
	}
}

// TestIsConnectionProblem: only a missing, malformed or contradictory Etlworks URL or credential
// lets the server start unconfigured; any other error, alone or with them, still stops it.
func TestIsConnectionProblem(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"nothing set", nil, nil, true},
		{"no key", nil, map[string]string{"ETLWORKS_URL": "https://app.etlworks.com/rest"}, true},
		{"url without /rest", nil, map[string]string{"ETLWORKS_URL": "https://app.etlworks.com", "ETLWORKS_API_KEY": "k"}, true},
		{"key and password", nil, map[string]string{"ETLWORKS_URL": "https://x/rest", "ETLWORKS_API_KEY": "k", "ETLWORKS_PASSWORD": "p"}, true},
		{"unreadable key file", nil, map[string]string{"ETLWORKS_URL": "https://x/rest", "ETLWORKS_API_KEY_FILE": "/nonexistent/key"}, true},
		{"bad log level too", []string{"--log-level", "loud"}, nil, false},
		{"remote without auth", []string{"--http", "0.0.0.0:8931"}, map[string]string{"ETLWORKS_URL": "https://x/rest"}, false},
		{"secret flag", []string{"--api-key", "abc"}, nil, false},
		{"bad flag", []string{"--no-such-flag"}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.args, func(k string) string { return tc.env[k] })
			if err == nil {
				t.Fatal("Load accepted the configuration; the case tests nothing")
			}
			if got := IsConnectionProblem(err); got != tc.want {
				t.Fatalf("IsConnectionProblem(%v) = %v, want %v", err, got, tc.want)
			}
		})
	}
	if IsConnectionProblem(nil) {
		t.Fatal("nil is no problem")
	}
}
