package config

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/hostlist"
	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// maxSecretFile caps what a *_FILE variable can make Load read, in case it names something
// unbounded such as a device.
const maxSecretFile = 64 << 10

// boolWords are the accepted spellings of booleans, true ones first.
var boolWords = []string{"1", "true", "yes", "0", "false", "no"}

// toolsetName is the shape of a toolset name; the list of real toolsets belongs to the tools
// package, so main checks membership.
var toolsetName = lazyre.New(`^[a-z0-9][a-z0-9_-]*$`)

// value is one setting as resolved: its text and where it came from (a flag such as "--url", a
// variable such as "ETLWORKS_URL" or "ETLWORKS_API_KEY_FILE", or "" for the default).
type value struct {
	text string
	from string
}

// resolver applies flag > environment > default and collects validation errors, so Load can
// report every problem in one go.
type resolver struct {
	flags  map[string]*rawValue
	getenv func(string) string
	errs   []error
}

func (r *resolver) fail(err error) { r.errs = append(r.errs, err) }

// err returns nil, the single error, or all errors joined.
func (r *resolver) err() error {
	if len(r.errs) == 1 {
		return r.errs[0]
	}
	return errors.Join(r.errs...)
}

// get resolves one setting. Flags count only when given on the command line, which is why they
// are raw values rather than typed flags with defaults. Non-secret text is trimmed of spaces;
// secrets keep inner and leading characters, losing only a trailing newline.
func (r *resolver) get(name string) value {
	s := setting(name)
	clean := strings.TrimSpace
	if s.Secret {
		clean = trimNewline
	}
	if f, ok := r.flags[name]; ok && f.set {
		return value{text: clean(f.text), from: s.Flag}
	}
	if s.Env != "" {
		if v := r.getenv(s.Env); v != "" {
			if s.EnvFile != "" && r.getenv(s.EnvFile) != "" {
				r.fail(&FieldError{Field: s.EnvFile, Value: r.getenv(s.EnvFile),
					Reason: s.Env + " is set as well; set only one of them"})
			}
			return value{text: clean(v), from: s.Env}
		}
	}
	if s.EnvFile != "" {
		if path := r.getenv(s.EnvFile); path != "" {
			text, err := readSecretFile(path)
			if err != nil {
				r.fail(&FieldError{Field: s.EnvFile, Value: path, Reason: err.Error()})
				return value{from: s.EnvFile}
			}
			return value{text: text, from: s.EnvFile}
		}
	}
	return value{text: s.Default}
}

// readSecretFile reads a *_FILE secret, dropping the trailing newline editors and `echo` add.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the file: %w", unwrapPathError(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("cannot read the file: %w", unwrapPathError(err))
	case len(b) > maxSecretFile:
		return "", fmt.Errorf("file is larger than %d bytes; it should hold only the secret", maxSecretFile)
	}
	text := trimNewline(string(b))
	if text == "" {
		return "", errors.New("file is empty")
	}
	return text, nil
}

// unwrapPathError drops the path that *os.PathError repeats, since FieldError already shows it.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func trimNewline(s string) string { return strings.TrimRight(s, "\r\n") }

// boolean reads a bool setting accepting 1/true/yes/0/false/no in any case.
func (r *resolver) boolean(name string) bool {
	v := r.get(name)
	switch strings.ToLower(v.text) {
	case "1", "true", "yes":
		return true
	case "0", "false", "no", "":
		if v.text == "" && v.from != "" {
			break // an explicitly empty value is a mistake, not "false"
		}
		return false
	}
	r.fail(&FieldError{Field: v.from, Value: v.text, Allowed: boolWords})
	return false
}

// duration reads a positive time.Duration.
func (r *resolver) duration(name string) time.Duration {
	v := r.get(name)
	d, err := time.ParseDuration(v.text)
	if err != nil || d <= 0 {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "must be a positive duration such as 30s or 2m"})
		return 0
	}
	return d
}

// enum reads a setting whose table row lists the allowed values; matching ignores case.
func (r *resolver) enum(name string) string {
	v := r.get(name)
	text := strings.ToLower(v.text)
	for _, a := range setting(name).Allowed {
		if text == a {
			return text
		}
	}
	r.fail(&FieldError{Field: v.from, Value: v.text, Allowed: setting(name).Allowed})
	return ""
}

// list splits a comma-separated setting, dropping blanks around and between items. When the
// setting was given explicitly but holds nothing, it records the error with reason (what to list
// instead) and ok is false.
func (r *resolver) list(name, reason string) (items []string, v value, ok bool) {
	v = r.get(name)
	for item := range strings.SplitSeq(v.text, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	if len(items) == 0 && v.from != "" {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: reason})
		return nil, v, false
	}
	return items, v, true
}

// toolsets reads --toolsets; nil means all. Names are lower-cased and de-duplicated.
func (r *resolver) toolsets() []string {
	items, v, ok := r.list(keyToolsets, "list toolsets separated by commas, or all")
	if !ok {
		return nil
	}
	var out []string
	seen := make(map[string]bool)
	for _, item := range items {
		item = strings.ToLower(item)
		if item == "all" {
			return nil
		}
		if !toolsetName.MatchString(item) {
			r.fail(&FieldError{Field: v.from, Value: v.text,
				Reason: fmt.Sprintf("%q is not a toolset name (lower-case letters, digits, - and _)", item)})
			return nil
		}
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	return out
}

// origins reads --allowed-origins, normalising each to lower-case scheme://host[:port].
func (r *resolver) origins() []string {
	items, v, ok := r.list(keyAllowedOrigins, "list origins such as https://app.example.com separated by commas")
	if !ok {
		return nil
	}
	var out []string
	for _, item := range items {
		origin, reason := normalizeOrigin(item)
		if reason != "" {
			r.fail(&FieldError{Field: v.from, Value: item, Reason: reason})
			continue
		}
		out = append(out, origin)
	}
	return out
}

// webhookHosts reads --webhook-hosts, each entry checked and normalised by hostlist. In sandbox
// mode an unset list allows the loopback hosts, where the sandbox's own test receivers live.
func (r *resolver) webhookHosts(sandbox bool) []string {
	items, v, ok := r.list(keyWebhookHosts, "list hosts such as hooks.example.com or *.example.com separated by commas")
	if !ok {
		return nil
	}
	if v.from == "" && sandbox {
		return append([]string(nil), hostlist.Loopback...)
	}
	out, err := hostlist.Normalize(items)
	if err != nil {
		r.fail(&FieldError{Field: v.from, Reason: err.Error()})
		return nil
	}
	return out
}

// minConfirmKey is the shortest confirm key accepted: 32 bytes, the size of the HMAC-SHA256 key
// the server draws at random when none is set.
const minConfirmKey = 32

// confirmKey reads the key that signs confirmations; "" leaves the server to draw one per process.
func (r *resolver) confirmKey() string {
	v := r.get(keyConfirmKey)
	if v.text != "" && len(v.text) < minConfirmKey {
		r.fail(&FieldError{Field: v.from, Reason: fmt.Sprintf("must be at least %d bytes, got %d; generate one with "+
			"`openssl rand -base64 48`, and give every replica the same key", minConfirmKey, len(v.text))})
		return ""
	}
	return v.text
}

// normalizeOrigin checks that s is a browser origin and returns it lower-cased without a
// trailing slash; reason says what is wrong otherwise.
func normalizeOrigin(s string) (origin, reason string) {
	if s == "*" {
		return "", "wildcards are not accepted: any web page could drive the server; list each trusted origin"
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", "must be an origin: scheme://host[:port] with http or https and no path, e.g. https://app.example.com"
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), ""
}

// httpAddr reads --http: a host:port, loopback unless remote listening was allowed explicitly.
func (r *resolver) httpAddr(allowRemote bool) string {
	return r.listenAddr(keyHTTP, allowRemote, "empty; give host:port such as 127.0.0.1:8931, or leave it unset for stdio",
		"with no authentication anyone who can reach it could read, run and change flows with your Etlworks credentials",
		"with --http-auth forward or token")
}

// metricsAddr reads --metrics-addr: a host:port like --http, loopback unless remote listening
// was allowed explicitly, so metrics are never exposed by accident.
func (r *resolver) metricsAddr(allowRemote bool) string {
	return r.listenAddr(keyMetricsAddr, allowRemote, "empty; give host:port such as 127.0.0.1:9464, or leave it unset for no metrics",
		"anyone who can reach it could read this server's metrics", "when an authenticating proxy or a firewall guards the port")
}

// listenAddr reads a host:port setting; empty means off, and a non-loopback host needs allowRemote.
func (r *resolver) listenAddr(key string, allowRemote bool, emptyReason, exposure, remoteHint string) string {
	v := r.get(key)
	if v.text == "" {
		if v.from != "" {
			r.fail(&FieldError{Field: v.from, Reason: emptyReason})
		}
		return ""
	}
	host, port, err := net.SplitHostPort(v.text)
	if p, perr := strconv.Atoi(port); err != nil || perr != nil || p < 0 || p > 65535 {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "must be host:port, e.g. 127.0.0.1:8931 (port 0 picks a free port)"})
		return ""
	}
	if !allowRemote && !isLoopbackHost(host) {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "listens beyond this machine, and " + exposure +
			". Use 127.0.0.1:" + port + ", or add --allow-remote (ETLWORKS_MCP_ALLOW_REMOTE=1) " + remoteHint})
		return ""
	}
	return v.text
}

// isLoopbackHost reports whether a listen host stays on this machine. An empty host means every
// interface, so it is not loopback.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// etlworksURL reads and checks the Etlworks REST base; it is required outside sandbox mode.
func (r *resolver) etlworksURL() string {
	v := r.get(keyURL)
	if v.text == "" {
		field := v.from
		if field == "" {
			field = setting(keyURL).Env
		}
		r.fail(&FieldError{Field: field, Reason: "not set; set it (or --url) to your Etlworks REST base, " +
			"e.g. https://app.etlworks.com/rest, or run with --sandbox to try the built-in demo"})
		return ""
	}
	const want = "must be an http or https URL ending in /rest, e.g. https://app.etlworks.com/rest"
	u, err := url.Parse(v.text)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: want})
		return ""
	}
	if u.User != nil {
		r.fail(&FieldError{Field: v.from, Value: u.Redacted(), Reason: "must not carry credentials; set ETLWORKS_API_KEY, " +
			"or ETLWORKS_USERNAME and ETLWORKS_PASSWORD, instead"})
		return ""
	}
	if u.RawQuery != "" || u.Fragment != "" {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: want + ", without a query or fragment"})
		return ""
	}
	base := strings.TrimRight(v.text, "/")
	if !strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/rest") {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: want + "; did you mean " + base + "/rest?"})
		return ""
	}
	return base
}

// credentials reads the API key or the username and password and checks that exactly one
// method is configured.
func (r *resolver) credentials() (apiKey, username, password string) {
	key, user, pass := r.get(keyAPIKey), r.get(keyUsername), r.get(keyPassword)
	keyEnv, userEnv, passEnv := setting(keyAPIKey).Env, setting(keyUsername).Env, setting(keyPassword).Env
	switch {
	case key.text != "" && pass.text != "":
		r.fail(&FieldError{Field: key.from, Reason: "an API key and a password (" + pass.from + ") are both set; " +
			"choose one: the API key alone, or " + userEnv + " and " + passEnv})
	case key.text != "":
		return key.text, user.text, ""
	case user.text != "" && pass.text == "":
		r.fail(&FieldError{Field: passEnv, Reason: "not set, but a username is (" + user.from + "); set " + passEnv +
			" (or " + setting(keyPassword).EnvFile + "), or use " + keyEnv + " instead"})
	case pass.text != "" && user.text == "":
		r.fail(&FieldError{Field: userEnv, Reason: "not set, but a password is (" + pass.from + "); set " + userEnv +
			" (or --username), or use " + keyEnv + " instead"})
	case pass.text != "":
		return "", user.text, pass.text
	case key.from == "" && pass.from == "": // nothing set at all; a failed *_FILE read is reported already
		r.fail(&FieldError{Field: keyEnv, Reason: "no Etlworks credentials: set " + keyEnv + " (or " +
			setting(keyAPIKey).EnvFile + "), or " + userEnv + " and " + passEnv + " (or " + setting(keyPassword).EnvFile +
			"); or run with --sandbox to try the built-in demo"})
	}
	return "", "", ""
}
