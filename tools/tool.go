// Package tools holds the MCP tools of etlworks-mcp: one typed input struct per tool, reflected once
// into a JSON schema by one invopop reflector, strict binding of arguments, a handler that calls the
// Etlworks client, and a compact, bounded result projected with gjson.
package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// Deps are what every tool handler needs; All captures them in closures, so a missing dependency is
// a compile error rather than a nil at run time.
type Deps struct {
	Client *client.Client
	Log    *slog.Logger
	// PollInterval is how often run_flow checks a run it waits for (default 1s).
	PollInterval time.Duration
	// AllowSQLWrites lets run_sql send statements that change data, each after a confirmation
	// (--allow-sql-writes); main leaves it off in read-only mode.
	AllowSQLWrites bool

	// CallTimeout bounds each tool call (--call-timeout); 0 means bound.DefaultCallTimeout.
	// run_flow with wait gets its own timeout_seconds on top.
	CallTimeout time.Duration

	// UploadDir is the only local directory upload_file may read files from, an absolute path
	// (--upload-dir); "" turns local files off.
	UploadDir string
	// Remote says callers reach the server over HTTP: they do not share its disk, so
	// upload_file refuses a local path whatever UploadDir says.
	Remote bool

	// ConfirmKey signs confirmations of destructive calls (ETLWORKS_MCP_CONFIRM_KEY); replicas that
	// share it accept each other's confirmations. Empty: a random key for this process.
	ConfirmKey []byte
	// WebhookHosts are the hosts create_webhook may send events to (--webhook-hosts, entries as
	// internal/hostlist reads them); empty allows none.
	WebhookHosts []string
	// Redactor knows the process's own secrets; every result and error text passes through it
	// (nil redacts by shape only).
	Redactor *secrets.Redactor
	// RunWaits counts the runs run_flow is waiting on (a metrics gauge); nil counts nothing.
	RunWaits Gauge

	confirm *confirmer  // guards destructive tools; All creates one shared by every tool
	schemas schemaCache // the generated schemas; All loads them once for every tool
}

// Gauge is a value that goes up and down, such as a Prometheus gauge.
type Gauge interface {
	Inc()
	Dec()
}

// Def is one tool ready to register: the MCP tool, its handler, its toolset and whether it only reads.
type Def struct {
	Tool     mcp.Tool
	Handler  server.ToolHandlerFunc
	Toolset  string
	ReadOnly bool
	// Needs is the optional capability the tool cannot work without ("" for none); the tool
	// leaves tools/list once the instance is known to lack it (WatchCapabilities).
	Needs client.Capability

	// reflected reflects the tool's schemas afresh, with their cache key, for TestSchemaCache.
	reflected func() (key string, input, output json.RawMessage)
}

// effect says what a tool does to Etlworks; it sets all four MCP annotation hints honestly.
type effect int

const (
	reads      effect = iota // reads only; repeating it changes nothing
	writes                   // changes state; repeating it may change it again
	writesOnce               // changes state; repeating it with the same input has no further effect
	destroys                 // deletes or overwrites
)

// spec declares a tool whose input type is In.
type spec[In any] struct {
	name        string
	title       string
	description string
	toolset     string
	effect      effect
	handle      func(ctx context.Context, in In) (any, error)
	// rest tells the model how to get what a result cut to its budget left out ("" for a generic hint).
	rest string
	// deadline, when set and positive for an input, replaces the per-call timeout (run_flow's wait).
	deadline func(in In, callTimeout time.Duration) time.Duration
	// results, for a tool whose results feed code, are zero values of the types handle answers
	// with (each a structured): the tool declares their outputSchema and answers structuredContent.
	results []any
}

// newTool turns a spec into a Def: it reflects In's schema (panicking at start-up if the schema is
// unusable), and wraps the handler with strict binding, validation and error mapping.
func newTool[In any](deps Deps, s spec[In]) Def {
	for _, r := range s.results {
		if _, ok := r.(structured); !ok {
			panic(fmt.Sprintf("tools: %s: result %T has no compact text", s.name, r))
		}
	}
	input, output := toolSchemas[In](deps.schemas, s.name, s.results)
	schema := inputSchemaOf(input)
	tool := mcp.NewToolWithRawSchema(s.name, s.description, schema.raw)
	tool.RawOutputSchema = output
	readOnly := s.effect == reads
	tool.Annotations = mcp.ToolAnnotation{
		Title:           s.title,
		ReadOnlyHint:    mcp.ToBoolPtr(readOnly),
		DestructiveHint: mcp.ToBoolPtr(s.effect == destroys),
		IdempotentHint:  mcp.ToBoolPtr(s.effect == reads || s.effect == writesOnce),
		OpenWorldHint:   mcp.ToBoolPtr(true), // every tool talks to an Etlworks instance
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("tool", s.name)
	callTimeout := deps.CallTimeout
	if callTimeout <= 0 {
		callTimeout = bound.DefaultCallTimeout
	}
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		in, err := bind[In](req.Params.Arguments, schema)
		if err != nil {
			return redactResult(deps.Redactor, mcp.NewToolResultError(bound.Fit(err.Error(), maxErrorText, ""))), nil
		}
		limit := callTimeout
		if s.deadline != nil {
			if d := s.deadline(in, callTimeout); d > 0 {
				limit = d
			}
		}
		parent := ctx
		ctx, cancel := context.WithTimeout(withCall(withProgress(ctx, req, deps.Redactor), req), limit)
		defer cancel()
		if deps.Client != nil {
			if err := deps.Client.CredentialProblem(ctx); err != nil {
				return redactResult(deps.Redactor, mcp.NewToolResultError(bound.Fit(describeError(err), maxErrorText, ""))), nil
			}
		}
		start := time.Now()
		out, err := s.handle(ctx, in)
		if err != nil {
			log.DebugContext(ctx, "tool failed", "duration", time.Since(start), "err", err)
			if parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return redactResult(deps.Redactor, mcp.NewToolResultError(timedOut(s.name, limit, s.deadline != nil))), nil
			}
			res, rerr := errorResult(parent, err)
			return redactResult(deps.Redactor, res), rerr
		}
		log.DebugContext(ctx, "tool done", "duration", time.Since(start))
		if _, ok := out.(structured); len(s.results) > 0 && !ok { // a bug: the outputSchema promises structuredContent
			return nil, fmt.Errorf("%s answered %T, which is not among its declared result types", s.name, out)
		}
		res, err := toResult(out, s.rest)
		return redactResult(deps.Redactor, res), err
	}
	return Def{Tool: tool, Handler: handler, Toolset: s.toolset, ReadOnly: readOnly, reflected: func() (string, json.RawMessage, json.RawMessage) {
		return schemaKey[In](s.name), reflectInput[In](), outputOf(s.results)
	}}
}

// outputOf is the output schema of a tool answering results; nil for one that declares none.
func outputOf(results []any) json.RawMessage {
	if len(results) == 0 {
		return nil
	}
	return outputSchema(results...)
}

// timedOut says a call ran out of time, and how to give it more.
func timedOut(tool string, limit time.Duration, ownDeadline bool) string {
	how := "narrow the request, or have the operator raise --call-timeout (ETLWORKS_CALL_TIMEOUT)"
	if ownDeadline {
		how += "; with wait, timeout_seconds sets how long to wait"
	}
	return fmt.Sprintf("%s did not finish within %s, the time limit of one call: Etlworks answered too slowly or sent too much. To get it done, %s.", tool, limit, how)
}

// redactResult is the one place every tool result passes before a model sees it: whatever a
// handler projected, credentials in its text (by shape, and the process's own by value) are
// redacted, so a new tool cannot forget to.
func redactResult(r *secrets.Redactor, res *mcp.CallToolResult) *mcp.CallToolResult {
	if res == nil {
		return nil
	}
	for i, c := range res.Content {
		switch v := c.(type) {
		case mcp.TextContent:
			v.Text = r.Text(v.Text)
			res.Content[i] = v
		case *mcp.TextContent:
			v.Text = r.Text(v.Text)
		case mcp.EmbeddedResource:
			if t, ok := v.Resource.(mcp.TextResourceContents); ok {
				t.Text = r.Text(t.Text)
				v.Resource = t
				res.Content[i] = v
			}
		}
	}
	if res.StructuredContent != nil {
		if b, err := json.Marshal(res.StructuredContent); err == nil {
			res.StructuredContent = json.RawMessage(r.JSON(b))
		}
	}
	return res
}

// errorResult maps a handler error to what the model sees. Errors the user can act on become
// isError results; a caller's cancellation is returned as is.
func errorResult(ctx context.Context, err error) (*mcp.CallToolResult, error) {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil, err
	}
	return mcp.NewToolResultError(bound.Fit(describeError(err), maxErrorText, "")), nil
}

// maxErrorText caps a whole error message, a last guard behind the per-value bound.Echo.
const maxErrorText = 2 << 10
