// Package prompts offers runbooks a person picks from a menu: each prompt gathers the evidence
// from Etlworks first (run status, errors, documentation, schedules, audit events) and then asks
// the assistant for the judgement, so the conversation starts from facts rather than guesses.
package prompts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// Deps are what prompt handlers need. Diagnose is the diagnosis engine of the diagnose_run tool,
// injected by main so that both explain a failure the same way.
type Deps struct {
	Client   *client.Client
	Diagnose func(ctx context.Context, flow string, runID int64) (string, error)
	// CallTimeout bounds one prompt get (--call-timeout); 0 means bound.DefaultCallTimeout.
	CallTimeout time.Duration
	// Redactor knows the process's own secrets; every prompt message and error passes through it
	// (nil redacts by shape only).
	Redactor *secrets.Redactor
}

// Def is one prompt with its handler.
type Def struct {
	Prompt  mcp.Prompt
	Handler server.PromptHandlerFunc
}

// Register adds the prompts to an MCP server.
func Register(s *server.MCPServer, defs []Def) {
	for _, d := range defs {
		s.AddPrompt(d.Prompt, d.Handler)
	}
}

// All returns every prompt in a fixed order, each bounded in time by d.CallTimeout.
func All(d Deps) []Def {
	defs := []Def{
		diagnoseFailedRun(d),
		explainFlow(d),
		fixPipeline(d),
		dailyHealthCheck(d),
		reviewSchedules(d),
	}
	for i := range defs {
		defs[i].Handler = withDeadline(defs[i].Prompt.Name, redacting(d.Redactor, defs[i].Handler), d.CallTimeout)
	}
	return defs
}

// withDeadline bounds a prompt get by limit (bound.DefaultCallTimeout when 0), saying so clearly
// when the evidence could not be gathered in time.
func withDeadline(name string, h server.PromptHandlerFunc, limit time.Duration) server.PromptHandlerFunc {
	if limit <= 0 {
		limit = bound.DefaultCallTimeout
	}
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		parent := ctx
		ctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		res, err := h(ctx, req)
		if err != nil && parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("prompt %s did not finish within %s, the time limit of one call: Etlworks answered too slowly or sent too much; "+
				"try again, or have the operator raise --call-timeout (ETLWORKS_CALL_TIMEOUT)", name, limit)
		}
		return res, err
	}
}

// redacting is the one place every prompt passes before a client sees it: credentials in its
// messages (text and embedded resources) and in its error are redacted, so a new prompt cannot
// forget to.
func redacting(r *secrets.Redactor, next server.PromptHandlerFunc) server.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		res, err := next(ctx, req)
		if err != nil {
			return nil, r.Error(err)
		}
		if res == nil {
			return nil, nil
		}
		res.Description = r.Text(res.Description)
		for i, m := range res.Messages {
			switch v := m.Content.(type) {
			case mcp.TextContent:
				v.Text = r.Text(v.Text)
				res.Messages[i].Content = v
			case mcp.EmbeddedResource:
				if t, ok := v.Resource.(mcp.TextResourceContents); ok {
					t.Text = r.Text(t.Text)
					v.Resource = t
					res.Messages[i].Content = v
				}
			}
		}
		return res, nil
	}
}

// required reads a required argument; the server does not enforce them, so each handler does.
func required(req mcp.GetPromptRequest, name, what string) (string, error) {
	v := strings.TrimSpace(req.Params.Arguments[name])
	if v == "" {
		return "", fmt.Errorf("argument %q is required: %s", name, what)
	}
	return v, nil
}

// optionalRun reads the optional run argument: a run id, "latest" or empty.
func optionalRun(req mcp.GetPromptRequest) (int64, error) {
	v := strings.TrimSpace(req.Params.Arguments["run"])
	if v == "" || v == "latest" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("argument \"run\" must be a run id or \"latest\", got %s", bound.Quote(v))
	}
	return id, nil
}

// flowArgument declares the required "flow" argument that flowPrompt reads.
func flowArgument() mcp.PromptOption {
	return mcp.WithArgument("flow", mcp.RequiredArgument(), mcp.ArgumentDescription("Flow id or exact name"))
}

// flowPrompt declares a prompt whose one argument is a flow: it resolves the required "flow"
// argument (what says what it names, for the error when it is missing) and hands the flow's id and
// name to build, so every such prompt reads and reports its argument the same way.
func flowPrompt(d Deps, name, description, what string,
	build func(ctx context.Context, id int64, flow string) (*mcp.GetPromptResult, error)) Def {
	p := mcp.NewPrompt(name, mcp.WithPromptDescription(description), flowArgument())
	return Def{Prompt: p, Handler: func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		ref, err := required(req, "flow", what)
		if err != nil {
			return nil, err
		}
		id, flow, err := flowRef(ctx, d.Client, ref)
		if err != nil {
			return nil, err
		}
		return build(ctx, id, flow)
	}}
}

// flowRef resolves a flow id or exact name with the client's one resolver; an unknown one gets
// the closest names.
func flowRef(ctx context.Context, c *client.Client, ref string) (int64, string, error) {
	found, err := c.Resolve(ctx, client.KindFlow, ref)
	var nf *client.NameNotFoundError
	if errors.As(err, &nf) {
		return 0, "", fmt.Errorf("%s; completion offers the flow names", nf.Error())
	}
	if err != nil {
		return 0, "", err
	}
	return found.ID, found.Name, nil
}

// user is one user message of a prompt result.
func user(text string) mcp.PromptMessage {
	return mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text))
}

// resourceMessage attaches a resource's text to the conversation.
func resourceMessage(uri, mime, text string) mcp.PromptMessage {
	return mcp.NewPromptMessage(mcp.RoleUser, mcp.NewEmbeddedResource(mcp.TextResourceContents{URI: uri, MIMEType: mime, Text: text}))
}
