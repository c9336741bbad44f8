package sandbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// POST /v1/connections/{id}/test (our design, tag [I]: not in Etlworks' public documentation). SQLite
// and local-folder connections are really tried: the database account is checked, the file opened
// read-only and queried; the folder is listed. Every other type is simulated: hosts under the reserved
// .example, .invalid and .test domains are unreachable (FTP-like types time out, others fail to
// resolve), an OAuth connector that was never signed in fails, and anything else succeeds, saying it
// was simulated.

// testResult is the body of a connection test.
type testResult struct {
	Success    bool   `json:"success"`
	Message    string `json:"message"`
	DurationMs int64  `json:"durationMs"`
}

// testConnectionHandler serves POST /v1/connections/{id}/test (Operator) and audits the attempt as
// testConnection; a failed test is an audit event with rt=false and the message as its exception.
func (s *Sandbox) testConnectionHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.connectionFromPath, func(c connection, started time.Time) error {
		res := s.probe(r.Context(), c)
		if r.Context().Err() != nil {
			return r.Context().Err()
		}
		var failure error
		if !res.Success {
			failure = errors.New(res.Message)
		}
		s.recordMutation(r, p, "testConnection", map[string]any{"connectionId": c.ID, "name": c.Name,
			"success": res.Success, "durationMs": res.DurationMs}, failure, started)
		return writeJSON(w, http.StatusOK, res)
	})
}

// probe tests one connection. Real probes report the time they took; simulated ones a plausible latency.
func (s *Sandbox) probe(ctx context.Context, c connection) testResult {
	started := time.Now()
	var ok bool
	var msg string
	switch c.ConnectionType {
	case model.TypeSQLite:
		ok, msg = s.probeDatabase(ctx, c)
	case model.TypeLocalFile:
		ok, msg = s.probeFolder(c)
	default:
		return simulatedProbe(c)
	}
	return testResult{Success: ok, Message: msg, DurationMs: time.Since(started).Milliseconds()}
}

// probeDatabase logs in to a SQLite connection's database and runs a trivial query.
func (s *Sandbox) probeDatabase(ctx context.Context, c connection) (bool, string) {
	conn, release, err := s.openExplorerDB(ctx, c, false)
	if err != nil {
		return false, err.Error()
	}
	defer release()
	var version string
	var tables int
	err = conn.QueryRowContext(ctx, `SELECT sqlite_version(), (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table')`).
		Scan(&version, &tables)
	if err != nil {
		return false, fmt.Sprintf("Connection '%s' failed: %s", c.Name, runlog.SQLError(err, "connect").Message)
	}
	return true, fmt.Sprintf("Connection successful: SQLite %s database '%s' with %s", version,
		c.Properties[model.PropDatabase], plural(tables, "table"))
}

// probeFolder lists a local folder connection's folder.
func (s *Sandbox) probeFolder(c connection) (bool, string) {
	dir, err := sandboxFolderPath(s.root, c.Properties[model.PropFolder])
	if err != nil {
		return false, fmt.Sprintf("Connection '%s': %s", c.Name, err.Error())
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Sprintf("Folder '%s' of connection '%s' does not exist", c.Properties[model.PropFolder], c.Name)
	}
	if err != nil {
		return false, fmt.Sprintf("Folder '%s' of connection '%s' cannot be read: %s", c.Properties[model.PropFolder], c.Name, runlog.PlainIOError(err))
	}
	files, dirs := 0, 0
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.Name(), uploadTempPrefix):
		case e.IsDir():
			dirs++
		default:
			files++
		}
	}
	return true, fmt.Sprintf("Connection successful: folder '%s' is readable and writable (%s, %s)", c.Properties[model.PropFolder],
		plural(files, "file"), plural(dirs, "folder"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// simulatedNote ends every simulated success, so nobody mistakes it for a real check.
const simulatedNote = " (simulated: the sandbox does not contact external systems)"

// simulatedProbe answers a test of a connection the sandbox cannot reach; see the top of the file.
func simulatedProbe(c connection) testResult {
	t, _ := connectors.Lookup(c.ConnectionType)
	kind := cmp.Or(t.Name, c.ConnectionType)
	latency := int64(40 + fnvHash(c.Name)%220)
	host, port := endpointOf(c)
	signedIn := c.Properties[connectors.PropRefreshToken] != "" || c.Properties[connectors.PropTemplate+"serviceAccountKey"] != "" ||
		c.Properties[connectors.PropTemplate+"accessToken"] != ""
	switch {
	case t.OAuthProvider != "" && !signedIn:
		return testResult{Message: fmt.Sprintf("Connection '%s' is not signed in to %s: no refresh token is stored. Get a sign-in URL with "+
			"GET /rest/v1/connections/oauth/%s/authorize-url?connectionId=%d and complete the sign-in",
			c.Name, providerTitle(t.OAuthProvider), t.OAuthProvider, c.ID), DurationMs: 3}
	case unreachableHost(host) && (strings.HasPrefix(c.ConnectionType, "connection.ftp") || c.ConnectionType == "connection.sftp"):
		return testResult{Message: fmt.Sprintf("Connection '%s' failed: java.net.ConnectException: Connection timed out "+
			"(Connection timed out) connecting to %s:%s", c.Name, host, port), DurationMs: 30000 + latency}
	case unreachableHost(host):
		return testResult{Message: fmt.Sprintf("Connection '%s' failed: java.net.UnknownHostException: %s: Name or service not known",
			c.Name, host), DurationMs: latency / 4}
	}
	var what string
	switch {
	case t.Category == connectors.CatDatabase:
		what = fmt.Sprintf("connected to %s at %s as %s", kind, joinNonEmpty(host, port, c.Properties[model.PropDatabase]), cmp.Or(c.Properties[model.PropUser], "the configured account"))
	case t.Category == connectors.CatFile:
		what = fmt.Sprintf("%s location %s is readable and writable", kind, joinNonEmpty(host, "", c.Properties[model.PropFolder]))
	case t.Category == connectors.CatAPI:
		what = fmt.Sprintf("GET %s returned 200 OK", c.Properties[model.PropURL])
	case t.Category == connectors.CatQueue:
		what = fmt.Sprintf("connected to %s at %s", kind, host)
	default:
		what = fmt.Sprintf("signed in to %s", kind)
	}
	return testResult{Success: true, Message: "Connection successful: " + what + simulatedNote, DurationMs: latency}
}

// endpointOf returns the host (or bucket, account, URL host…) and port a simulated connection targets.
func endpointOf(c connection) (host, port string) {
	for _, k := range []string{"host", "bucket", "account", "bootstrapServers", "shop", "subdomain", "projectId", "site", "instanceUrl", "queueUrl"} {
		if v := c.Properties[connectors.PropTemplate+k]; v != "" {
			host = v
			break
		}
	}
	if host == "" || strings.Contains(host, "://") {
		if u, err := url.Parse(cmp.Or(host, c.Properties[model.PropURL])); err == nil && u.Host != "" {
			host = u.Hostname()
		}
	}
	port = c.Properties[connectors.PropTemplate+"port"]
	if port == "" && strings.HasPrefix(c.ConnectionType, "connection.ftp") {
		port = "21"
	}
	return host, port
}

// unreachableHost reports hosts in the reserved test domains, which no network resolves.
func unreachableHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(strings.Split(host, ",")[0], "."))
	if i := strings.LastIndex(h, ":"); i >= 0 {
		h = h[:i]
	}
	for _, tld := range []string{".example", ".invalid", ".test"} {
		if strings.HasSuffix(h, tld) {
			return true
		}
	}
	return false
}

// joinNonEmpty renders host[:port][/path].
func joinNonEmpty(host, port, path string) string {
	s := host
	if port != "" {
		s += ":" + port
	}
	if path != "" {
		s += "/" + strings.TrimPrefix(path, "/")
	}
	return s
}

func fnvHash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
