package main

import (
	"context"
	"errors"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/config"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
	"github.com/etlworks/etlworks-mcp/tools"
)

// configMessage words a missing or invalid Etlworks URL or credential for the chat: what is wrong
// and which variable (the config errors name it), an example, and where to set it. Secrets never
// appear in it: config leaves their values out of its errors (so it is not passed through the
// redactor, which would take "ETLWORKS_API_KEY: no …" for a key and its value).
func configMessage(unset error) string {
	var what []string
	var joined interface{ Unwrap() []error }
	if errors.As(unset, &joined) {
		for _, e := range joined.Unwrap() {
			what = append(what, e.Error())
		}
	} else {
		what = append(what, unset.Error())
	}
	return "etlworks-mcp is not connected to Etlworks: " + strings.Join(what, "; ") + ". " +
		"Set these in the environment of this MCP server (the \"env\" of its entry in the client's configuration), " +
		"e.g. ETLWORKS_URL=https://app.etlworks.com/rest and ETLWORKS_API_KEY=<an API key from Settings > Users>, " +
		"or ETLWORKS_USERNAME and ETLWORKS_PASSWORD, then restart the server; or start it with --sandbox to try the built-in demo. " +
		"Tell the user this; no tool works until then."
}

// startUnconnected builds the server for a configuration whose Etlworks URL or credentials are
// missing or invalid: the same tools, so the client connects and lists them, each answering with
// the configuration message as an error, and the message first in the instructions. Nothing is
// sent to Etlworks; resources and prompts, which need it, are not offered.
func startUnconnected(cfg config.Config, std streams, unset error) (*app, *server.MCPServer, int, error) {
	if err := checkToolsets(cfg.Toolsets); err != nil {
		return nil, nil, 0, err
	}
	red := secrets.NewRedactor(cfg.APIKey, cfg.Password, cfg.Token)
	log := newLogger(cfg, std.err, red)
	msg := configMessage(unset)
	log.Warn("serving without Etlworks until the configuration is fixed", "problem", msg)
	srv := server.NewMCPServer("etlworks-mcp", version,
		server.WithToolCapabilities(true),
		server.WithRecovery(),
		server.WithLogging(),
		server.WithInstructions("NOT CONNECTED. "+msg+"\n\n"+instructions),
		server.WithTitle("Etlworks"),
	)
	defs := tools.Filter(tools.All(tools.Deps{Log: log, UploadDir: cfg.UploadDir, ConfirmKey: []byte(cfg.ConfirmKey),
		WebhookHosts: cfg.WebhookHosts, Redactor: red, CallTimeout: cfg.CallTimeout}), cfg.ReadOnly, cfg.Toolsets)
	for i := range defs {
		defs[i].Handler = func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultError(msg), nil
		}
	}
	tools.Register(srv, defs)
	return &app{log: log, unset: "not connected: see the warning above"}, srv, len(defs), nil
}
