package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

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

// call runs a tool and returns its data (the structured content of a tool that has an output
// schema, else the text) and whether it is an error result; err is a protocol or transport failure.
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
	if res.StructuredContent != nil && !res.IsError { // the run tools' data; their text is a summary
		b, err := json.Marshal(res.StructuredContent)
		return string(b), false, err
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
			r.calls += 3
			if err := listTwoPages(ctx, s); err != nil {
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
			case u.viewer && isErr && refusedForRole(text, u.name):
				r.refused++
				if err := viewerDeletes(ctx, s, u, &r); err != nil {
					fail(err)
				}
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

// listTwoPages lists flows and follows the cursor to the next page, which the balancer may send
// to another replica: the cursor carries all it needs.
func listTwoPages(ctx context.Context, s *mcpSession) error {
	text, err := s.ok(ctx, "list_flows", map[string]any{"limit": 5})
	if err != nil {
		return err
	}
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		Next string `json:"next_cursor"`
	}
	if json.Unmarshal([]byte(text), &page) != nil || len(page.Items) != 5 || page.Next == "" {
		return fmt.Errorf("list_flows limit 5: want 5 flows and a cursor: %s", text)
	}
	text, err = s.ok(ctx, "list_flows", map[string]any{"limit": 5, "cursor": page.Next})
	if err != nil {
		return err
	}
	first := page.Items[0].ID
	if json.Unmarshal([]byte(text), &page) != nil || len(page.Items) == 0 || page.Items[0].ID == first {
		return fmt.Errorf("list_flows after the cursor: want the next page: %s", text)
	}
	return nil
}

// refusedForRole reports whether text is Etlworks refusing user's request for the user's role.
func refusedForRole(text, user string) bool {
	return strings.Contains(text, user) && strings.Contains(text, "Viewer") && strings.Contains(text, "role or higher")
}

// viewerDeletes has the Viewer ask to delete its flow and confirm: the confirmation is handed
// out (it checks nothing but the arguments), and the delete itself is refused for the role.
func viewerDeletes(ctx context.Context, s *mcpSession, u loadUser, r *loadResult) error {
	args := map[string]any{"flow": u.flow}
	r.calls += 2
	text, err := s.ok(ctx, "delete_flow", args)
	if err != nil {
		return err
	}
	var ask struct {
		Token string `json:"confirm_token"`
	}
	if json.Unmarshal([]byte(text), &ask) != nil || ask.Token == "" {
		return fmt.Errorf("delete_flow did not ask for confirmation: %s", text)
	}
	text, isErr, err := s.call(ctx, "delete_flow", plus(args, ask.Token))
	switch {
	case err != nil:
		return err
	case !isErr || !refusedForRole(text, u.name):
		return fmt.Errorf("a Viewer's confirmed delete_flow was not refused for its role: %s", text)
	}
	r.refused++
	return nil
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
