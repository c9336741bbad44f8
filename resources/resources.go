// Package resources exposes Etlworks objects as MCP resources, so a person or an assistant can
// attach a flow, its documentation, a connection, a run or a run log to a conversation. Reads are
// bounded and never carry a secret; template arguments complete as they are typed.
package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/links"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
	"github.com/etlworks/etlworks-mcp/internal/untrusted"
)

// Scheme is the URI scheme of every resource this server offers.
const Scheme = links.Scheme

// Deps are what resource handlers need.
type Deps struct {
	Client *client.Client
	Log    *slog.Logger
	// CallTimeout bounds one resource read (--call-timeout); 0 means bound.DefaultCallTimeout.
	CallTimeout time.Duration
	// Redactor knows the process's own secrets; every resource text and error passes through it
	// (nil redacts by shape only).
	Redactor *secrets.Redactor
}

// Def is one resource or resource template with its handler.
type Def struct {
	Resource *mcp.Resource         // set for a fixed resource
	Template *mcp.ResourceTemplate // set for a template
	Handler  server.ResourceHandlerFunc
	// Rest tells the reader how to get what a read cut to the budget left out.
	Rest string
	// Untrusted names text contents that come from Etlworks ("run log"); they are fenced as data.
	Untrusted string
}

// Register adds the resources and templates to an MCP server.
func Register(s *server.MCPServer, defs []Def) {
	for _, d := range defs {
		if d.Resource != nil {
			s.AddResource(*d.Resource, d.Handler)
		} else {
			s.AddResourceTemplate(*d.Template, server.ResourceTemplateHandlerFunc(d.Handler))
		}
	}
}

// bounded wraps a resource handler with the per-read deadline (limit, or bound.DefaultCallTimeout
// when 0), the result budget and the data fence, so every resource is bounded like every tool.
func bounded(d Def, limit time.Duration) server.ResourceHandlerFunc {
	if limit <= 0 {
		limit = bound.DefaultCallTimeout
	}
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		parent := ctx
		ctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		contents, err := d.Handler(ctx, req)
		if err != nil {
			if parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("reading %s did not finish within %s, the time limit of one read: Etlworks answered too slowly or sent too much; "+
					"try again, or have the operator raise --call-timeout (ETLWORKS_CALL_TIMEOUT)", bound.Echo(req.Params.URI), limit)
			}
			return nil, err
		}
		for i, c := range contents {
			tc, ok := c.(mcp.TextResourceContents)
			if !ok {
				continue
			}
			if d.Untrusted != "" && strings.TrimSpace(tc.Text) != "" {
				tc.Text = untrusted.Fence(d.Untrusted, "", bound.Fit(tc.Text, bound.ResultBytes-untrusted.Overhead, d.Rest))
			} else {
				tc.Text = bound.Fit(tc.Text, bound.ResultBytes, d.Rest)
			}
			contents[i] = tc
		}
		return contents, nil
	}
}

// redacting is the one place every resource read passes before a client sees it: whatever a
// handler projected, credentials in its text and in its error are redacted, so a new resource
// cannot forget to.
func redacting(r *secrets.Redactor, next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		out, err := next(ctx, req)
		if err != nil {
			return nil, r.Error(err)
		}
		for i, c := range out {
			switch v := c.(type) {
			case mcp.TextResourceContents:
				v.Text = r.Text(v.Text)
				out[i] = v
			case *mcp.TextResourceContents:
				v.Text = r.Text(v.Text)
			}
		}
		return out, nil
	}
}

// arg reads a template variable (mcp-go passes them as []string), URL-decoded.
func arg(req mcp.ReadResourceRequest, name string) string {
	var v string
	switch a := req.Params.Arguments[name].(type) {
	case []string:
		if len(a) > 0 {
			v = a[0]
		}
	case string:
		v = a
	}
	return unescape(v)
}

// unescape decodes a URI path segment (flow names may arrive percent-encoded).
func unescape(v string) string {
	if d, err := url.PathUnescape(v); err == nil {
		v = d
	}
	return strings.TrimSpace(v)
}

// indexLimit bounds an index resource to one page of its list; the tool named in its note pages
// through the rest.
const indexLimit = 200

// index is a fixed resource that shows the first page of one Etlworks list (flows, schedules),
// each row projected to what a model needs.
type index[R any] struct {
	path, name, description string
	// key names the rows in the JSON answer and in the note ("flows").
	key string
	// tool is the tool that pages through every row (list_flows).
	tool string
	list func(ctx context.Context, o client.ListOptions) (json.RawMessage, *client.Response, error)
	row  func(gjson.Result) R
}

// def reads one page of at most indexLimit rows and answers them with the server's total.
func (ix index[R]) def() Def {
	return Def{Resource: jsonResource(ix.path, ix.name, ix.description),
		Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			raw, resp, err := ix.list(ctx, client.ListOptions{Limit: indexLimit})
			if err != nil {
				return nil, err
			}
			rows := []R{}
			for _, v := range gjson.ParseBytes(raw).Array() {
				rows = append(rows, ix.row(v))
			}
			return indexContents(req.Params.URI, ix.key, rows, resp.Total, ix.tool)
		},
		Rest: ix.tool + " pages through every " + strings.TrimSuffix(ix.key, "s")}
}

// indexContents answers an index resource: its rows under key with the server's total and, when
// the page holds fewer, a note naming the tool that pages through all of them.
func indexContents[T any](uri, key string, rows []T, total int, tool string) ([]mcp.ResourceContents, error) {
	out := map[string]any{key: rows, "total": total}
	if total > len(rows) {
		out["note"] = fmt.Sprintf("first %d of %d %s; %s pages through all of them", len(rows), total, key, tool)
	}
	return jsonContents(uri, out)
}

// jsonResource declares a fixed resource at Scheme+path. Every fixed resource answers JSON
// (jsonContents), so the MIME type is stated here once.
func jsonResource(path, name, description string) *mcp.Resource {
	r := mcp.NewResource(Scheme+path, name, mcp.WithResourceDescription(description), mcp.WithMIMEType("application/json"))
	return &r
}

// jsonContents renders v as compact JSON resource contents.
func jsonContents(uri string, v any) ([]mcp.ResourceContents, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: "application/json", Text: string(b)}}, nil
}

func textContents(uri, mime, text string) []mcp.ResourceContents {
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: mime, Text: text}}
}

// resolveFlow accepts a flow id or exact name from a URI.
func resolveFlow(ctx context.Context, c *client.Client, ref string) (int64, string, error) {
	return resolveRef(ctx, c, client.KindFlow, ref)
}

// resolveRef turns a URI variable holding an id or an exact name into an id (and the name, when
// it was looked up). A name goes through the client's one resolver; an id is returned as is, since
// the handler reads the object next and a missing one answers 404 there.
func resolveRef(ctx context.Context, c *client.Client, kind client.Kind, ref string) (int64, string, error) {
	if ref == "" {
		return 0, "", fmt.Errorf("the URI names no %s: use etlworks://%ss/{%s id or name}", kind, kind, kind)
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		return id, "", nil
	}
	found, err := c.Resolve(ctx, kind, ref)
	if err != nil {
		return 0, "", err
	}
	return found.ID, found.Name, nil
}

// FlowURI is the resource URI of a flow, for tools and prompts that point at it.
func FlowURI(id int64) string { return fmt.Sprintf("%sflows/%d", Scheme, id) }

// iso renders epoch milliseconds as RFC 3339 UTC, or "" when absent.
func iso(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}
