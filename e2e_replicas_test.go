package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/sandbox"
)

// replica is one etlworks-mcp process serving streamable HTTP, with its metrics on their own port.
type replica struct {
	URL        string // http://127.0.0.1:PORT/mcp
	MetricsURL string // http://127.0.0.1:PORT (scrape appends /metrics)
	logs       *lockedBuffer
}

var (
	mcpURLRe     = regexp.MustCompile(`serving MCP over streamable HTTP at (http://127\.0\.0\.1:\d+/mcp)`)
	metricsURLRe = regexp.MustCompile(`serving Prometheus metrics at (http://127\.0\.0\.1:\d+)/metrics`)
)

// startReplica runs the binary with env and args on random loopback ports and waits for both
// start-up lines; it stops gracefully with the test.
func startReplica(t *testing.T, env []string, args ...string) *replica {
	t.Helper()
	cmd := newCommand(t, append([]string{"--http", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopGracefully(cmd) })
	r := &replica{logs: &lockedBuffer{}}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			r.logs.WriteString(line + "\n")
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

// mcpSession is an MCP client whose calls report failures as errors, so load goroutines can use it.
type mcpSession struct {
	c *mcpclient.Client
}

// dialMCP connects to url with key as the bearer credential ("" sends none); legacy picks the
// 2025-11-25 session protocol instead of letting the client settle on the stateless one.
func dialMCP(ctx context.Context, url, key string, legacy bool) (*mcpSession, error) {
	var opts []mcptransport.StreamableHTTPCOption
	if key != "" {
		opts = append(opts, mcptransport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + key}))
	}
	c, err := mcpclient.NewStreamableHttpClient(url, opts...)
	if err != nil {
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "e2e-replicas", Version: "1"}
	if legacy {
		init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	}
	if _, err := c.Initialize(ctx, init); err != nil {
		c.Close()
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if modern := mcp.IsModernProtocol(c.ProtocolVersion()); modern == legacy {
		c.Close()
		return nil, fmt.Errorf("negotiated %s (legacy wanted: %v)", c.ProtocolVersion(), legacy)
	}
	return &mcpSession{c: c}, nil
}

// call runs a tool and returns its text and whether it is an error result; err is a protocol or
// transport failure.
func (s *mcpSession) call(ctx context.Context, name string, args map[string]any) (string, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := s.c.CallTool(ctx, req)
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", name, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError, nil
}

// ok is call for a tool that must succeed.
func (s *mcpSession) ok(ctx context.Context, name string, args map[string]any) (string, error) {
	text, isErr, err := s.call(ctx, name, args)
	if err == nil && isErr {
		err = fmt.Errorf("%s %v: %s", name, args, text)
	}
	return text, err
}

// loadUser is a demo user whose client drives the balancer; runs is the flow it starts.
type loadUser struct {
	name, key, flow string
	viewer          bool // every write must be refused
}

// loadResult is what one user's client did.
type loadResult struct {
	calls   int
	refused int     // Viewer writes refused, as expected
	runs    []int64 // run ids started
	errs    []error
}

// driveUser opens a stateless client through url as u and, until stop, lists flows, reads one,
// runs u.flow and reads the run back. Each iteration opens a fresh client every few rounds, as
// short-lived assistant sessions do.
func driveUser(ctx context.Context, url string, u loadUser, stop time.Time) loadResult {
	var r loadResult
	fail := func(err error) { r.errs = append(r.errs, fmt.Errorf("%s: %w", u.name, err)) }
	for round := 0; time.Now().Before(stop) && len(r.errs) == 0; round++ {
		s, err := dialMCP(ctx, url, u.key, false)
		if err != nil {
			fail(err)
			break
		}
		for i := 0; i < 3 && time.Now().Before(stop) && len(r.errs) == 0; i++ {
			r.calls += 2
			if _, err := s.ok(ctx, "list_flows", map[string]any{"limit": 5}); err != nil {
				fail(err)
				break
			}
			if _, err := s.ok(ctx, "get_flow", map[string]any{"flow": u.flow}); err != nil {
				fail(err)
				break
			}
			r.calls++
			text, isErr, err := s.call(ctx, "run_flow", map[string]any{"flow": u.flow, "wait": true, "timeout_seconds": 30})
			switch {
			case err != nil:
				fail(err)
			case u.viewer && isErr && strings.Contains(text, "Operator"):
				r.refused++
			case u.viewer:
				fail(fmt.Errorf("a Viewer's run_flow was not refused for its role: %s", text))
			case isErr:
				fail(fmt.Errorf("run_flow: %s", text))
			default:
				var run struct {
					RunID  int64  `json:"run_id"`
					Status string `json:"status"`
				}
				if json.Unmarshal([]byte(text), &run) != nil || run.RunID == 0 || run.Status != "success" {
					fail(fmt.Errorf("run_flow did not succeed: %s", text))
					break
				}
				r.runs = append(r.runs, run.RunID)
				r.calls++
				if got, err := s.ok(ctx, "get_run", map[string]any{"flow": u.flow, "run_id": run.RunID}); err != nil {
					fail(err)
				} else if !strings.Contains(got, fmt.Sprintf(`"run_id":%d`, run.RunID)) {
					fail(fmt.Errorf("get_run %d answered another run: %s", run.RunID, got))
				}
			}
		}
		s.c.Close()
	}
	return r
}

// driveLegacy keeps one legacy session open through url and calls tools on it until stop: any
// request routed to a replica that did not open the session gets 404, which fails the call.
func driveLegacy(ctx context.Context, url, key string, stop time.Time) (calls int, sessionID string, errs []error) {
	s, err := dialMCP(ctx, url, key, true)
	if err != nil {
		return 0, "", []error{fmt.Errorf("legacy: %w", err)}
	}
	defer s.c.Close()
	sessionID = s.c.GetSessionId()
	if sessionID == "" {
		return 0, "", []error{fmt.Errorf("legacy: no Mcp-Session-Id after initialize")}
	}
	for time.Now().Before(stop) {
		for _, step := range []struct {
			tool string
			args map[string]any
		}{
			{"list_flows", map[string]any{"limit": 3}},
			{"get_flow", map[string]any{"flow": "Daily revenue rollup"}},
			{"get_run", map[string]any{"flow": "Daily revenue rollup"}},
		} {
			calls++
			if _, err := s.ok(ctx, step.tool, step.args); err != nil {
				return calls, sessionID, []error{fmt.Errorf("legacy session: %w", err)}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return calls, sessionID, nil
}

// TestReplicasBehindLoadBalancer starts one sandbox, three replicas of the binary sharing
// ETLWORKS_MCP_CONFIRM_KEY, and HAProxy (or nginx) in front of them, then drives stateless
// clients of several users and one legacy session through the balancer at once. It checks that
// no call fails, that calls landed on every replica, that every run is in the Etlworks audit
// trail, that the legacy session stayed on one replica, and that a confirmation issued by one
// replica is honoured by another when it is bound to the target's state and refused when it is
// not (an SQL write has no state to bind to).
func TestReplicasBehindLoadBalancer(t *testing.T) {
	sb, err := sandbox.Start(t.Context(), "127.0.0.1:0", sandbox.Options{RunStep: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	creds := sb.Sandbox.Credentials()
	env := []string{"ETLWORKS_URL=" + sb.URL, "ETLWORKS_API_KEY=" + creds.APIKey,
		"ETLWORKS_MCP_CONFIRM_KEY=" + strings.Repeat("replicas-share-this-key/", 2)}
	var replicas []*replica
	var backends []string
	for range 3 {
		r := startReplica(t, env, "--allow-sql-writes")
		replicas = append(replicas, r)
		backends = append(backends, hostPort(t, r.URL))
	}
	lb := startBalancer(t, backends)
	t.Logf("%s at %s in front of %v", lb.Kind, lb.URL, backends)

	ctx := t.Context()
	started := time.Now()
	stop := started.Add(12 * time.Second)
	users := []loadUser{
		{name: "alice", flow: "Load orders from CSV"},
		{name: "bob", flow: "Load product catalog"},
		{name: "victor", flow: "Export revenue report"},
	}
	results := make([]loadResult, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() { results[i] = driveUser(ctx, lb.URL, u, stop) })
	}
	var legacyCalls int
	var legacyErrs []error
	if lb.StickySessions {
		wg.Go(func() { legacyCalls, _, legacyErrs = driveLegacy(ctx, lb.URL, "", stop) })
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

	// Every call reached a replica, and every replica took its share.
	landed := 0
	for i, r := range replicas {
		n := r.toolCalls(t)
		landed += n
		t.Logf("replica %d served %d tool calls", i, n)
		if n == 0 {
			t.Errorf("replica %d served no tool call: the balancer did not spread the load", i)
		}
	}
	if landed != total {
		t.Errorf("the replicas served %d tool calls, the clients made %d", landed, total)
	}

	checkRunsAudited(t, sb.URL, creds.APIKey, started, users, results)
	confirmAcrossReplicas(t, replicas, "")
}

// checkRunsAudited reads the Etlworks audit trail (as the Administrator) and checks every run a
// client started is there as a runFlow event under the user who started it.
func checkRunsAudited(t *testing.T, etlworksURL, adminKey string, since time.Time, users []loadUser, results []loadResult) {
	t.Helper()
	byRun := map[int64]string{}
	for offset := 0; ; {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, fmt.Sprintf("%s/v1/audit?method=runFlow&from=%d&limit=200&offset=%d",
			etlworksURL, since.UnixMilli(), offset), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+adminKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page []struct {
			User    string `json:"ur"`
			Payload struct {
				AuditID int64 `json:"auditId"`
			} `json:"payload"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("audit trail: %d %v", resp.StatusCode, err)
		}
		for _, ev := range page {
			byRun[ev.Payload.AuditID] = ev.User
		}
		if len(page) < 200 {
			break
		}
		offset += len(page)
	}
	runs := 0
	for i, r := range results {
		for _, id := range r.runs {
			runs++
			if _, ok := byRun[id]; !ok {
				t.Errorf("run %d of %s is not in the audit trail", id, users[i].name)
			}
		}
	}
	if runs == 0 {
		t.Error("no run was started")
	}
	if len(byRun) != runs {
		t.Errorf("the audit trail has %d runs since the test began, the clients started %d", len(byRun), runs)
	}
}

// confirmAcrossReplicas asks one replica for confirmations and answers them on others, each
// replica addressed directly: a delete (bound to the flow's state) goes through on a second
// replica and cannot be replayed on a third; an SQL write (no state to bind to) is bound to the
// replica that issued it and refused elsewhere.
func confirmAcrossReplicas(t *testing.T, replicas []*replica, key string) {
	t.Helper()
	ctx := t.Context()
	sessions := make([]*mcpSession, len(replicas))
	for i, r := range replicas {
		s, err := dialMCP(ctx, r.URL, key, false)
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { s.c.Close() })
		sessions[i] = s
	}
	token := func(s *mcpSession, tool string, args map[string]any) string {
		t.Helper()
		text, err := s.ok(ctx, tool, args)
		if err != nil {
			t.Fatal(err)
		}
		var ask struct {
			Status string `json:"status"`
			Token  string `json:"confirm_token"`
		}
		if json.Unmarshal([]byte(text), &ask) != nil || ask.Status != "confirmation_required" || ask.Token == "" {
			t.Fatalf("%s must ask for confirmation first: %s", tool, text)
		}
		return ask.Token
	}
	del := map[string]any{"flow": "Legacy FTP order import"}
	delToken := token(sessions[0], "delete_flow", del)
	if out, err := sessions[1].ok(ctx, "delete_flow", plus(del, delToken)); err != nil || !strings.Contains(out, `"deleted"`) {
		t.Fatalf("a delete confirmed on another replica: %v %s", err, out)
	}
	if _, isErr, err := sessions[2].call(ctx, "delete_flow", plus(del, delToken)); err != nil || !isErr {
		t.Errorf("a used delete token replayed on a third replica: %v (error result %v)", err, isErr)
	}
	if _, err := sessions[2].ok(ctx, "restore_deleted", map[string]any{"item": "Legacy FTP order import"}); err != nil {
		t.Fatal(err)
	}

	sql := map[string]any{"connection": "Warehouse", "sql": "DELETE FROM orders"}
	sqlToken := token(sessions[0], "run_sql", sql)
	text, isErr, err := sessions[1].call(ctx, "run_sql", plus(sql, sqlToken))
	if err != nil || !isErr || !strings.Contains(text, "another server instance") {
		t.Errorf("an SQL-write token on another replica: %v %v %s", err, isErr, text)
	}
}
