package resources

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

type env struct {
	t     *testing.T
	api   *client.Client
	c     *mcpclient.Client
	mu    sync.Mutex
	notes []mcp.JSONRPCNotification
}

func newEnv(t *testing.T, runStep time.Duration) *env {
	t.Helper()
	return newEnvOn(t, sandbox.Options{RunStep: runStep})
}

// newEnvOn is newEnv on a sandbox started with opts (a profile, say).
func newEnvOn(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	sb, err := sandbox.Start(t.Context(), "", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	api, err := client.New(sb.URL, client.WithAPIKey(sb.Sandbox.Credentials().APIKey))
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{Client: api}
	w := NewWatcher(d, 20*time.Millisecond)
	hooks := &server.Hooks{}
	w.Hooks(hooks)
	comp := NewCompleter(d)
	srv := server.NewMCPServer("test", "1", server.WithResourceCapabilities(true, true), server.WithCompletions(),
		server.WithResourceCompletionProvider(comp), server.WithHooks(hooks), server.WithResourceRecovery())
	Register(srv, All(d))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go w.Run(ctx, srv)
	c, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	e := &env{t: t, api: api, c: c}
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		e.mu.Lock()
		e.notes = append(e.notes, n)
		e.mu.Unlock()
	})
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) read(uri string) (string, error) {
	res, err := e.c.ReadResource(e.t.Context(), mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: uri}})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range res.Contents {
		if tc, ok := c.(mcp.TextResourceContents); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), nil
}

func (e *env) mustRead(uri string, wants ...string) string {
	e.t.Helper()
	text, err := e.read(uri)
	if err != nil {
		e.t.Fatalf("read %s: %v", uri, err)
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			e.t.Errorf("%s lacks %q:\n%.600s", uri, w, text)
		}
	}
	return text
}

func TestReadEveryResource(t *testing.T) {
	e := newEnv(t, 10*time.Millisecond)
	e.mustRead("etlworks://flows", `"name":"Load orders from CSV"`, `"uri":"etlworks://flows/1"`, `"total":`)
	e.mustRead("etlworks://flows/1", `"name":"Load orders from CSV"`, "orders.csv")
	e.mustRead("etlworks://flows/"+url.PathEscape("Daily revenue rollup"), "amount_usd")
	e.mustRead("etlworks://flows/2/documentation", "daily_revenue")
	e.mustRead("etlworks://runs/2/latest", `"status":"error"`, `"flowId":2`)
	crm := e.mustRead("etlworks://connections/"+url.PathEscape("CRM database"), `"name":"CRM database"`, `"********"`)
	if strings.Contains(crm, "crm-demo-2025") {
		t.Fatal("the connection resource carries the stored password")
	}
	e.mustRead("etlworks://connections/1", `"name":"Warehouse"`)
	e.mustRead("etlworks://schedules", `"schedules":[`, `"next_runs":["`, `"schedule":"0 30 1 * * ?"`, `"last_run":`)
	log := e.mustRead("etlworks://runs/2/latest/log", "amount_usd", "|")
	if strings.Count(log, "\n") > logLines+2 {
		t.Fatalf("log resource is not bounded: %d lines", strings.Count(log, "\n"))
	}
	for uri, want := range map[string]string{
		"etlworks://flows/No%20such%20flow": `flow "No such flow" not found`,
		"etlworks://runs/2/abc":             `run "abc" is not a run id`,
		"etlworks://flows/99999":            "404",
		"etlworks://connections/Nope":       `connection "Nope" not found`,
	} {
		if _, err := e.read(uri); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("read %s: error %v, want %q", uri, err, want)
		}
	}
	list, err := e.c.ListResourceTemplates(t.Context(), mcp.ListResourceTemplatesRequest{})
	if err != nil || len(list.ResourceTemplates) != 6 {
		t.Fatalf("templates: %v %+v", err, list)
	}
}

func (e *env) complete(template, arg, value string, ctxArgs map[string]string) []string {
	e.t.Helper()
	res, err := e.c.Complete(e.t.Context(), mcp.CompleteRequest{Params: mcp.CompleteParams{
		Ref:      mcp.ResourceReference{Type: "ref/resource", URI: template},
		Argument: mcp.CompleteArgument{Name: arg, Value: value},
		Context:  mcp.CompleteContext{Arguments: ctxArgs},
	}})
	if err != nil {
		e.t.Fatalf("complete %s: %v", arg, err)
	}
	return res.Completion.Values
}

func TestCompletions(t *testing.T) {
	e := newEnv(t, 10*time.Millisecond)
	got := e.complete("etlworks://flows/{flow}", "flow", "load", nil)
	if len(got) < 2 || !strings.HasPrefix(strings.ToLower(got[0]), "load") {
		t.Fatalf("flow completion for 'load': %v", got)
	}
	if got := e.complete("etlworks://flows/{flow}", "flow", "revenue", nil); len(got) == 0 || got[0] != "Daily revenue rollup" {
		t.Fatalf("word-start match: %v", got)
	}
	if got := e.complete("etlworks://flows/{flow}", "flow", "", nil); len(got) < 10 || len(got) > maxCompletions {
		t.Fatalf("empty prefix lists every flow, capped: %d", len(got))
	}
	runs := e.complete("etlworks://runs/{flow}/{run}", "run", "", map[string]string{"flow": "Daily revenue rollup"})
	if len(runs) < 5 || runs[0] != "latest" {
		t.Fatalf("run completion: %v", runs)
	}
	if got := e.complete("etlworks://connections/{connection}", "connection", "crm", nil); len(got) != 1 || got[0] != "CRM database" {
		t.Fatalf("connection completion: %v", got)
	}
	if got := e.complete("etlworks://connections/{connection}", "connection", "", nil); len(got) < 7 {
		t.Fatalf("every connection completes from an empty prefix: %v", got)
	}
	if got := e.complete("etlworks://runs/{flow}/{run}", "run", "", nil); len(got) != 0 {
		t.Fatalf("run completion without a flow: %v", got)
	}
}

func TestSubscriptionFollowsARun(t *testing.T) {
	e := newEnv(t, 60*time.Millisecond)
	started, _, err := e.api.Flows.Run(t.Context(), 1, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	uri := Scheme + "runs/1/" + strconv.FormatInt(int64(started.AuditID), 10)
	if err := e.c.Subscribe(t.Context(), mcp.SubscribeRequest{Params: mcp.SubscribeParams{URI: uri}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		run, _, err := e.api.Executions.Get(t.Context(), 1, &client.ExecutionGetOptions{AuditID: int64(started.AuditID)})
		if err == nil && run.Status.Terminal() && e.updates(uri) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := e.updates(uri); n == 0 {
		t.Fatal("no notifications/resources/updated for a subscribed run")
	}
	e.mustRead(uri, `"status":"success"`)
}

func (e *env) updates(uri string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, note := range e.notes {
		if note.Method == string(mcp.MethodNotificationResourceUpdated) && note.Params.AdditionalFields["uri"] == uri {
			n++
		}
	}
	return n
}

// TestRunLogRange reads lines from..to of a run's log through the template's query variables,
// the address tools link to for the lines they cut.
func TestRunLogRange(t *testing.T) {
	e := newEnv(t, 10*time.Millisecond)
	part := e.mustRead("etlworks://runs/2/latest/log?from=2&to=4", "Showing lines 2-4.", "    2| ", "    4| ")
	if strings.Contains(part, "    1| ") || strings.Contains(part, "    5| ") {
		t.Fatalf("range 2-4 shows other lines:\n%s", part)
	}
	e.mustRead("etlworks://runs/2/latest/log?from=3", "Showing lines 3-", "    3| ")
	e.mustRead("etlworks://runs/2/latest/log?to=1", "Showing lines 1-1.", "    1| ")
	whole := e.mustRead("etlworks://runs/2/latest/log", "|")
	if strings.Contains(whole, "Showing lines") {
		t.Fatalf("without a range the resource shows the last lines:\n%.300s", whole)
	}
	for uri, want := range map[string]string{
		"etlworks://runs/2/latest/log?from=0":          "from=\"0\" is not a line number",
		"etlworks://runs/2/latest/log?from=x":          "from=\"x\" is not a line number",
		"etlworks://runs/2/latest/log?from=5&to=2":     "from=5 is after to=2",
		"etlworks://runs/2/latest/log?from=99999":      "are not in the log",
		"etlworks://runs/2/latest/log?from=1&to=99999": "",
	} {
		_, err := e.read(uri)
		if want == "" {
			if err != nil {
				t.Errorf("read %s: %v", uri, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("read %s: error %v, want %q", uri, err, want)
		}
	}
}
