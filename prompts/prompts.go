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

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// Deps are what prompt handlers need. Diagnose is the diagnosis engine of the diagnose_run tool,
// injected by main so that both explain a failure the same way.
type Deps struct {
	Client   *client.Client
	Diagnose func(ctx context.Context, flow string, runID int64) (string, error)
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

// All returns every prompt in a fixed order.
func All(d Deps) []Def {
	defs := []Def{
		diagnoseFailedRun(d),
		explainFlow(d),
		fixPipeline(d),
		dailyHealthCheck(d),
		reviewSchedules(d),
	}
	for i := range defs {
		defs[i].Handler = redacting(d.Redactor, defs[i].Handler)
	}
	return defs
}

// redacting is the one place every prompt passes before a client sees it: credentials in its
// messages (text and embedded resources) and in its error are redacted, so a new prompt cannot
// forget to.
func redacting(r *secrets.Redactor, next server.PromptHandlerFunc) server.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		res, err := next(ctx, req)
		if err != nil {
			return nil, &redactedError{msg: r.Text(err.Error()), err: err}
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

// redactedError keeps the error's identity (errors.Is and As still see it) with a redacted text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

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
		return 0, fmt.Errorf("argument \"run\" must be a run id or \"latest\", got %q", v)
	}
	return id, nil
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
