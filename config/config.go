// Package config turns command-line flags and ETLWORKS_* environment variables into a validated
// Config. Precedence is flag > environment > default. Secrets (the API key and the password)
// come only from the environment or from a file named by a *_FILE variable, never from argv,
// and no method of Config ever prints them. The settings table (Settings) also feeds --help and
// the README, so documentation and behaviour come from one place. The package uses the standard
// library only (and the stdlib-only internal/hostlist).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Config is the validated configuration of one server process.
type Config struct {
	// URL is the Etlworks REST base ending in /rest, without a trailing slash. Empty in
	// sandbox mode, where the sandbox supplies its own.
	URL string
	// APIKey authenticates as the key's user. Mutually exclusive with Password.
	APIKey string `json:"-"`
	// Username and Password sign in to obtain a JWT when no API key is given.
	Username string
	Password string `json:"-"`

	// HTTPAddr, when set, serves streamable HTTP at this host:port instead of stdio.
	HTTPAddr string
	// AllowRemote permits HTTPAddr to be a non-loopback address.
	AllowRemote bool
	// AllowedOrigins are browser origins (scheme://host[:port], lower-case) the HTTP transport
	// accepts besides same-origin and loopback ones.
	AllowedOrigins []string
	// HTTPAuth is who may call /mcp and as whom: HTTPAuthForward, HTTPAuthToken or HTTPAuthNone;
	// "" without HTTPAddr (stdio).
	HTTPAuth string
	// Token is what every /mcp request sends as its bearer credential with HTTPAuthToken.
	Token string `json:"-"`
	// TLSCert and TLSKey are PEM files: when set, HTTPAddr serves HTTPS with them.
	TLSCert, TLSKey string
	// BehindTLSProxy says a proxy in front terminates TLS, so plain HTTP may serve a
	// non-loopback address with forward or token auth.
	BehindTLSProxy bool
	// MaxCallsPerUser bounds the tool calls in flight per caller's key with HTTPAuthForward.
	MaxCallsPerUser int
	// SessionIdleTimeout ends HTTP sessions idle this long, freeing their memory.
	SessionIdleTimeout time.Duration
	// MetricsAddr, when set, serves Prometheus metrics at this host:port, apart from /mcp;
	// loopback unless AllowRemote.
	MetricsAddr string

	// Sandbox runs the server against the embedded demo Etlworks; URL and credentials are then
	// neither required nor read.
	Sandbox bool
	// SandboxData is the directory that keeps sandbox state across runs; "" keeps it in memory.
	SandboxData string
	// SandboxProfile is what the sandbox serves: "documented" (only the public API) or
	// "extended" (the default; also our own endpoints). Empty outside sandbox mode.
	SandboxProfile string

	// ReadOnly offers only tools that change nothing.
	ReadOnly bool
	// AllowSQLWrites lets run_sql send statements that change data, each confirmed by the user;
	// it has no effect with ReadOnly.
	AllowSQLWrites bool
	// WebhookHosts are the hosts (host, host:port, *.domain; lower-case) create_webhook may target;
	// empty allows none. With Sandbox and nothing set, it is the loopback hosts.
	WebhookHosts []string
	// ConfirmKey signs confirmations (at least 32 bytes); "" means a random key per process, so
	// confirmations then neither survive a restart nor work across replicas.
	ConfirmKey string `json:"-"`
	// UploadDir is the absolute path of the only directory upload_file reads local files from;
	// "" turns local files off (text content can still be uploaded).
	UploadDir string
	// Toolsets restricts the tools offered to these toolsets; nil means all of them.
	Toolsets []string
	// LogLevel is one of debug, info, warn, error (see SlogLevel).
	LogLevel string
	// LogFormat is text or json.
	LogFormat string
	// Timeout bounds each request to Etlworks.
	Timeout time.Duration
	// CallTimeout bounds each tool call, resource read and prompt get as a whole.
	CallTimeout time.Duration

	// Version asks main to print the version and exit; nothing else is validated then.
	Version bool
	// Args are the positional arguments left after the flags, for main's subcommands.
	Args []string
}

// Load parses args (without the program name) and the environment read through getenv, applies
// defaults, and validates the result. getenv is injected so tests and embedders need not touch
// the process environment; nil means an empty environment. When args ask for help, Load returns
// flag.ErrHelp and the caller prints Usage. All other problems come back as *FieldError values,
// joined when there are several, so the user sees every mistake at once.
func Load(args []string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if err := refuseSecretFlags(args); err != nil {
		return Config{}, err
	}
	fs, flags := newFlagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, flag.ErrHelp
		}
		return Config{}, fmt.Errorf("%w (run with --help to list the flags)", err)
	}

	r := &resolver{flags: flags, getenv: getenv}
	cfg := Config{Args: fs.Args()}
	if cfg.Version = r.boolean(keyVersion); cfg.Version {
		return cfg, r.err()
	}
	cfg.Sandbox = r.boolean(keySandbox)
	// Forward mode takes each caller's key, so the server needs none of its own.
	forward := strings.EqualFold(r.get(keyHTTPAuth).text, HTTPAuthForward) && r.get(keyHTTP).text != ""
	if cfg.Sandbox {
		cfg.SandboxData = r.get(keySandboxData).text
		cfg.SandboxProfile = r.enum(keySandboxProfile)
	} else {
		for _, key := range []string{keySandboxData, keySandboxProfile} {
			if v := r.get(key); v.from == setting(key).Flag {
				r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "only used with --sandbox; add --sandbox or drop it"})
			}
		}
		cfg.URL = r.etlworksURL()
		if forward {
			r.noServerCredentials()
		} else {
			cfg.APIKey, cfg.Username, cfg.Password = r.credentials()
		}
	}

	cfg.ReadOnly = r.boolean(keyReadOnly)
	cfg.AllowSQLWrites = r.boolean(keyAllowSQLWrites)
	cfg.WebhookHosts = r.webhookHosts(cfg.Sandbox)
	cfg.ConfirmKey = r.confirmKey()
	cfg.UploadDir = r.uploadDir()
	cfg.Toolsets = r.toolsets()
	cfg.AllowRemote = r.boolean(keyAllowRemote)
	cfg.HTTPAddr = r.httpAddr(cfg.AllowRemote)
	r.httpAuth(&cfg)
	cfg.AllowedOrigins = r.origins()
	cfg.SessionIdleTimeout = r.duration(keySessionIdle)
	cfg.MetricsAddr = r.metricsAddr(cfg.AllowRemote)
	cfg.Timeout = r.duration(keyTimeout)
	cfg.CallTimeout = r.duration(keyCallTimeout)
	cfg.LogLevel = r.enum(keyLogLevel)
	cfg.LogFormat = r.enum(keyLogFormat)
	return cfg, r.err()
}

// SlogLevel is LogLevel as a slog.Level, for building the logger in main.
func (c Config) SlogLevel() slog.Level {
	switch c.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Auth names the credential kind in use, for logs: "sandbox", "forwarded" (each caller's key),
// "api-key", "password" or "none".
func (c Config) Auth() string {
	switch {
	case c.HTTPAuth == HTTPAuthForward:
		return "forwarded"
	case c.Sandbox:
		return "sandbox"
	case c.APIKey != "":
		return "api-key"
	case c.Password != "":
		return "password"
	}
	return "none"
}

// attrs is the redacted view of c shared by Describe and LogValue: secrets appear only as the
// kind of credential in use.
func (c Config) attrs() []slog.Attr {
	target := c.URL
	if c.Sandbox {
		target = "sandbox"
		if c.SandboxData != "" {
			target += " (data in " + c.SandboxData + ")"
		}
	}
	transport := "stdio"
	if c.HTTPAddr != "" {
		transport = c.HTTPScheme() + "://" + c.HTTPAddr + "/mcp"
	}
	toolsets := "all"
	if len(c.Toolsets) > 0 {
		toolsets = strings.Join(c.Toolsets, ",")
	}
	out := []slog.Attr{
		slog.String("etlworks", target),
		slog.String("auth", c.Auth()),
	}
	if c.Username != "" && !c.Sandbox {
		out = append(out, slog.String("user", c.Username))
	}
	out = append(out,
		slog.String("transport", transport),
	)
	if c.HTTPAddr != "" {
		out = append(out, slog.String("http_auth", c.HTTPAuth))
	}
	out = append(out,
		slog.Bool("read_only", c.ReadOnly),
		slog.String("toolsets", toolsets),
		slog.Duration("timeout", c.Timeout),
		slog.Duration("call_timeout", c.CallTimeout),
		slog.String("log", c.LogLevel+"/"+c.LogFormat),
	)
	if c.AllowSQLWrites && !c.ReadOnly {
		out = append(out, slog.Bool("sql_writes", true))
	}
	if c.ConfirmKey != "" {
		out = append(out, slog.String("confirm_key", "shared"))
	}
	if c.UploadDir != "" {
		out = append(out, slog.String("upload_dir", c.UploadDir))
	}
	if len(c.AllowedOrigins) > 0 {
		out = append(out, slog.String("allowed_origins", strings.Join(c.AllowedOrigins, ",")))
	}
	return out
}

// Describe is a one-line, secret-free summary for the startup log line, e.g.
// `etlworks=https://app.etlworks.com/rest auth=api-key transport=stdio read_only=false ...`.
func (c Config) Describe() string {
	parts := make([]string, 0, 9)
	for _, a := range c.attrs() {
		parts = append(parts, a.Key+"="+a.Value.String())
	}
	return strings.Join(parts, " ")
}

// String is Describe, so printing a Config with %v or %s cannot leak a secret.
func (c Config) String() string { return c.Describe() }

// GoString is Describe too, covering %#v, which would otherwise print every field.
func (c Config) GoString() string { return "config.Config{" + c.Describe() + "}" }

// LogValue lets a Config be logged as a structured group (slog.Any("config", cfg)) with the same
// redaction as Describe.
func (c Config) LogValue() slog.Value { return slog.GroupValue(c.attrs()...) }

// rawValue is a flag.Value that keeps the text as given; Load converts and validates it later so
// that flags and environment variables share one validator and one error format.
type rawValue struct {
	text   string
	set    bool // given on the command line, even if empty
	isBool bool
}

func (v *rawValue) String() string     { return v.text }
func (v *rawValue) Set(s string) error { v.text, v.set = s, true; return nil }
func (v *rawValue) IsBoolFlag() bool   { return v.isBool }

// newFlagSet registers every flag of the settings table on a private FlagSet whose output is
// discarded (Load reports errors itself). The map holds the raw value of each flag by setting name.
func newFlagSet() (*flag.FlagSet, map[string]*rawValue) {
	fs := flag.NewFlagSet("etlworks-mcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	values := make(map[string]*rawValue)
	for _, s := range settings {
		if s.Flag == "" {
			continue
		}
		v := &rawValue{isBool: s.Kind == kindBool}
		values[s.Name] = v
		fs.Var(v, strings.TrimPrefix(s.Flag, "--"), s.Description)
	}
	return fs, values
}

// secretFlags maps flag spellings people try for credentials to the variables to use instead.
var secretFlags = map[string]string{
	"api-key":       "ETLWORKS_API_KEY or ETLWORKS_API_KEY_FILE",
	"apikey":        "ETLWORKS_API_KEY or ETLWORKS_API_KEY_FILE",
	"api-key-file":  "ETLWORKS_API_KEY_FILE",
	"token":         "ETLWORKS_API_KEY or ETLWORKS_API_KEY_FILE",
	"password":      "ETLWORKS_PASSWORD or ETLWORKS_PASSWORD_FILE",
	"password-file": "ETLWORKS_PASSWORD_FILE",
	"mcp-token":     "ETLWORKS_MCP_TOKEN or ETLWORKS_MCP_TOKEN_FILE",
	"confirm-key":   "ETLWORKS_MCP_CONFIRM_KEY or ETLWORKS_MCP_CONFIRM_KEY_FILE",
}

// refuseSecretFlags rejects credentials on the command line before the flag parser sees them,
// because its own error would echo the value. All arguments up to "--" are checked, not only
// those the flag parser would read, since a secret after a subcommand is just as visible.
func refuseSecretFlags(args []string) error {
	for _, a := range args {
		if a == "--" {
			return nil
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		name = strings.ReplaceAll(strings.ToLower(name), "_", "-")
		if env, ok := secretFlags[name]; ok {
			return &FieldError{Field: "--" + name, Reason: "credentials are read only from the environment " +
				"(command-line arguments are visible to other users in the process list and stay in shell history); " +
				"set " + env + " instead"}
		}
	}
	return nil
}
