package config

import (
	"fmt"
	"strings"
)

// Setting describes one configuration knob: how to set it and what it does. The table returned by
// Settings is the single source for the flag set Load parses, the --help text (Usage) and the
// README's configuration section, so the three cannot drift apart.
type Setting struct {
	// Name is the stable key of the setting; it equals the flag name without dashes when there
	// is a flag.
	Name string
	// Flag is the command-line spelling ("--url"), or "" for settings that are environment-only
	// because they are secrets (argv is visible to other users in the process list).
	Flag string
	// Env is the environment variable, or "" for flag-only settings.
	Env string
	// EnvFile is the variable naming a file that holds the value (Docker/Kubernetes secrets), or "".
	EnvFile string
	// Default is the value used when neither the flag nor the environment sets it, as text; ""
	// means unset.
	Default string
	// Kind is how the text is read: "string", "bool", "duration", "int" or "list" (comma-separated).
	Kind string
	// Allowed lists the accepted values of an enumeration.
	Allowed []string
	// Secret settings are never taken from argv and never printed.
	Secret bool
	// Description is one or two sentences for --help and the README.
	Description string
}

// Setting kinds.
const (
	kindString   = "string"
	kindBool     = "bool"
	kindDuration = "duration"
	kindList     = "list"
	kindInt      = "int"
)

// Setting names, used as keys by Load.
const (
	keyURL            = "url"
	keyAPIKey         = "api-key"
	keyUsername       = "username"
	keyPassword       = "password"
	keySandbox        = "sandbox"
	keySandboxData    = "sandbox-data"
	keySandboxProfile = "sandbox-profile"
	keyReadOnly       = "read-only"
	keyAllowSQLWrites = "allow-sql-writes"
	keyWebhookHosts   = "webhook-hosts"
	keyConfirmKey     = "confirm-key"
	keyUploadDir      = "upload-dir"
	keyToolsets       = "toolsets"
	keyHTTP           = "http"
	keyAllowRemote    = "allow-remote"
	keyAllowedOrigins = "allowed-origins"
	keyHTTPAuth       = "http-auth"
	keyMCPToken       = "mcp-token"
	keyTLSCert        = "tls-cert"
	keyTLSKey         = "tls-key"
	keyBehindTLS      = "behind-tls-proxy"
	keyMaxCalls       = "max-calls-per-user"
	keySessionIdle    = "session-idle-timeout"
	keyMetricsAddr    = "metrics-addr"
	keyTimeout        = "timeout"
	keyCallTimeout    = "call-timeout"
	keyLogLevel       = "log-level"
	keyLogFormat      = "log-format"
	keyVersion        = "version"
)

// Log levels and formats accepted by --log-level and --log-format.
var (
	logLevels  = []string{"debug", "info", "warn", "error"}
	logFormats = []string{"text", "json"}
	// sandboxProfiles mirror sandbox.Profiles (config imports no project package; main_test checks they agree).
	sandboxProfiles = []string{"documented", "extended"}
	// httpAuthModes are the --http-auth values, strongest first.
	httpAuthModes = []string{HTTPAuthForward, HTTPAuthToken, HTTPAuthNone}
)

var settings = []Setting{
	{Name: keyURL, Flag: "--url", Env: "ETLWORKS_URL", Kind: kindString,
		Description: "Etlworks REST base URL, ending in /rest, e.g. https://app.etlworks.com/rest. Not needed with --sandbox."},
	{Name: keyAPIKey, Env: "ETLWORKS_API_KEY", EnvFile: "ETLWORKS_API_KEY_FILE", Kind: kindString, Secret: true,
		Description: "Etlworks API key (Settings > Users > Edit user > API Key). Use it or a username and password, not both."},
	{Name: keyUsername, Flag: "--username", Env: "ETLWORKS_USERNAME", Kind: kindString,
		Description: "Etlworks login, for signing in with a password instead of an API key."},
	{Name: keyPassword, Env: "ETLWORKS_PASSWORD", EnvFile: "ETLWORKS_PASSWORD_FILE", Kind: kindString, Secret: true,
		Description: "Password for ETLWORKS_USERNAME."},
	{Name: keyConfirmKey, Env: "ETLWORKS_MCP_CONFIRM_KEY", EnvFile: "ETLWORKS_MCP_CONFIRM_KEY_FILE", Kind: kindString, Secret: true,
		Description: "Key (at least 32 bytes) that signs confirmations of deletes and SQL writes; share it between replicas so confirmations survive a restart and work across them. Unset: a random key per process."},
	{Name: keySandbox, Flag: "--sandbox", Default: "false", Kind: kindBool,
		Description: "Run against the embedded demo Etlworks (sample flows and data) instead of a real instance; no URL or credentials needed."},
	{Name: keySandboxData, Flag: "--sandbox-data", Env: "ETLWORKS_SANDBOX_DATA", Kind: kindString,
		Description: "Directory where the sandbox keeps its state between runs; unset keeps it in memory. Only used with --sandbox."},
	{Name: keySandboxProfile, Flag: "--sandbox-profile", Env: "ETLWORKS_SANDBOX_PROFILE", Default: "extended", Kind: kindString, Allowed: sandboxProfiles,
		Description: "What the sandbox serves: documented (only the public Etlworks API, as a real instance) or extended (also this project's own endpoints). Only used with --sandbox."},
	{Name: keyReadOnly, Flag: "--read-only", Env: "ETLWORKS_READ_ONLY", Default: "false", Kind: kindBool,
		Description: "Offer only tools that do not change anything in Etlworks (no runs, stops or edits)."},
	{Name: keyAllowSQLWrites, Flag: "--allow-sql-writes", Env: "ETLWORKS_ALLOW_SQL_WRITES", Default: "false", Kind: kindBool,
		Description: "Let run_sql send statements that change data (INSERT, UPDATE, DDL…), each after the user confirms it. Off by default: run_sql runs only read statements. Ignored with --read-only."},
	{Name: keyWebhookHosts, Flag: "--webhook-hosts", Env: "ETLWORKS_MCP_WEBHOOK_HOSTS", Kind: kindList,
		Description: "Comma-separated hosts create_webhook may send events to: host, host:port or *.example.com. Empty by default (no webhook can be created); with --sandbox, loopback hosts unless set."},
	{Name: keyUploadDir, Flag: "--upload-dir", Env: "ETLWORKS_MCP_UPLOAD_DIR", Kind: kindString,
		Description: "The one local directory upload_file may read files from (regular files only, no links); stdio only, refused with --http. Unset: upload_file takes only text content."},
	{Name: keyToolsets, Flag: "--toolsets", Env: "ETLWORKS_TOOLSETS", Default: "all", Kind: kindList,
		Description: "Comma-separated toolsets to offer, or all."},
	{Name: keyHTTP, Flag: "--http", Env: "ETLWORKS_MCP_HTTP", Kind: kindString,
		Description: "Serve MCP over streamable HTTP at this host:port (endpoint /mcp) instead of stdio, e.g. 127.0.0.1:8931."},
	{Name: keyAllowRemote, Flag: "--allow-remote", Env: "ETLWORKS_MCP_ALLOW_REMOTE", Default: "false", Kind: kindBool,
		Description: "Allow --http and --metrics-addr to listen on a non-loopback address. A non-loopback --http also needs --http-auth forward or token, and TLS (--tls-cert and --tls-key, or --behind-tls-proxy)."},
	{Name: keyHTTPAuth, Flag: "--http-auth", Env: "ETLWORKS_MCP_HTTP_AUTH", Kind: kindString, Allowed: httpAuthModes,
		Description: "Who may call /mcp, and as whom: forward (each request sends its caller's Etlworks API key as a Bearer token and acts as that user), token (callers send ETLWORKS_MCP_TOKEN; Etlworks sees the server's credentials) or none (loopback only). Default: none on a loopback --http address; required beyond it."},
	{Name: keyMCPToken, Env: "ETLWORKS_MCP_TOKEN", EnvFile: "ETLWORKS_MCP_TOKEN_FILE", Kind: kindString, Secret: true,
		Description: "The token (at least 32 bytes) every /mcp request must send as Authorization: Bearer with --http-auth token."},
	{Name: keyTLSCert, Flag: "--tls-cert", Env: "ETLWORKS_MCP_TLS_CERT", Kind: kindString,
		Description: "PEM certificate (chain) file: serve --http over TLS (https) with it and --tls-key."},
	{Name: keyTLSKey, Flag: "--tls-key", Env: "ETLWORKS_MCP_TLS_KEY", Kind: kindString,
		Description: "PEM private key file of --tls-cert."},
	{Name: keyBehindTLS, Flag: "--behind-tls-proxy", Env: "ETLWORKS_MCP_BEHIND_TLS_PROXY", Default: "false", Kind: kindBool,
		Description: "A TLS proxy in front terminates HTTPS, so a non-loopback --http with forward or token auth may serve plain HTTP behind it."},
	{Name: keyMaxCalls, Flag: "--max-calls-per-user", Env: "ETLWORKS_MCP_MAX_CALLS_PER_USER", Default: "8", Kind: kindInt,
		Description: "With --http-auth forward, how many tool calls one caller's key may have in flight; more get an error asking to wait, rather than queueing."},
	{Name: keyAllowedOrigins, Flag: "--allowed-origins", Env: "ETLWORKS_MCP_ALLOWED_ORIGINS", Kind: kindList,
		Description: "Comma-separated browser origins (scheme://host[:port]) allowed to call the HTTP endpoint besides same-origin and localhost ones."},
	{Name: keySessionIdle, Flag: "--session-idle-timeout", Env: "ETLWORKS_MCP_SESSION_IDLE_TIMEOUT", Default: "30m", Kind: kindDuration,
		Description: "HTTP sessions idle this long are ended and their memory freed; the client then starts a new session."},
	{Name: keyMetricsAddr, Flag: "--metrics-addr", Env: "ETLWORKS_MCP_METRICS_ADDR", Kind: kindString,
		Description: "Serve Prometheus metrics at this host:port (GET /metrics), apart from /mcp, e.g. 127.0.0.1:9464. Unset: no metrics. A non-loopback address needs --allow-remote."},
	{Name: keyTimeout, Flag: "--timeout", Env: "ETLWORKS_TIMEOUT", Default: "30s", Kind: kindDuration,
		Description: "Time limit for each request to Etlworks, e.g. 30s or 2m."},
	{Name: keyCallTimeout, Flag: "--call-timeout", Env: "ETLWORKS_CALL_TIMEOUT", Default: "60s", Kind: kindDuration,
		Description: "Time limit for each tool call, resource read or prompt, however many requests it makes; run_flow with wait uses its timeout_seconds instead."},
	{Name: keyLogLevel, Flag: "--log-level", Env: "ETLWORKS_LOG_LEVEL", Default: "info", Kind: kindString, Allowed: logLevels,
		Description: "Least severe log level written to stderr."},
	{Name: keyLogFormat, Flag: "--log-format", Env: "ETLWORKS_LOG_FORMAT", Default: "text", Kind: kindString, Allowed: logFormats,
		Description: "Log format on stderr: text for people, json for log collectors."},
	{Name: keyVersion, Flag: "--version", Default: "false", Kind: kindBool,
		Description: "Print the version and exit."},
}

// Settings returns every setting in display order. The slice is a copy: callers may keep or
// modify it.
func Settings() []Setting {
	out := make([]Setting, len(settings))
	for i, s := range settings {
		s.Allowed = append([]string(nil), s.Allowed...)
		out[i] = s
	}
	return out
}

// setting returns the table row for name; the names are constants, so a miss is a bug.
func setting(name string) Setting {
	for _, s := range settings {
		if s.Name == name {
			return s
		}
	}
	panic("config: unknown setting " + name)
}

// Usage returns the --help text for the flags and environment variables, without a leading
// "Usage:" line, so the caller can put its own synopsis (and subcommands) in front.
func Usage() string {
	var b strings.Builder
	b.WriteString("Flags (each can also be set by the environment variable shown; a flag wins):\n")
	for _, s := range settings {
		if s.Flag == "" {
			continue
		}
		b.WriteString("  " + s.Flag)
		if arg := argName(s); arg != "" {
			b.WriteString(" " + arg)
		}
		var notes []string
		if s.Env != "" {
			notes = append(notes, "env "+s.Env)
		}
		if s.Default != "" && s.Kind != kindBool {
			notes = append(notes, "default "+s.Default)
		}
		if len(notes) > 0 {
			fmt.Fprintf(&b, "  (%s)", strings.Join(notes, ", "))
		}
		b.WriteString("\n      " + s.Description + "\n")
	}
	b.WriteString("\nEnvironment only (secrets are never accepted as flags):\n")
	for _, s := range settings {
		if s.Flag != "" {
			continue
		}
		b.WriteString("  " + s.Env)
		if s.EnvFile != "" {
			b.WriteString(", or " + s.EnvFile + " naming a file that holds it")
		}
		b.WriteString("\n      " + s.Description + "\n")
	}
	b.WriteString("\nBoolean variables accept 1, true, yes, 0, false or no.\n")
	return b.String()
}

// argName is the placeholder shown after a flag in Usage.
func argName(s Setting) string {
	switch {
	case s.Kind == kindBool:
		return ""
	case len(s.Allowed) > 0:
		return strings.Join(s.Allowed, "|")
	case s.Kind == kindDuration:
		return "DURATION"
	case s.Kind == kindList:
		return "a,b"
	case s.Kind == kindInt:
		return "N"
	}
	switch s.Name {
	case keyURL:
		return "URL"
	case keyUsername:
		return "LOGIN"
	case keyHTTP, keyMetricsAddr:
		return "HOST:PORT"
	case keySandboxData, keyUploadDir:
		return "DIR"
	case keyTLSCert, keyTLSKey:
		return "FILE"
	}
	return "VALUE"
}
