package tools

import (
	"context"
	"slices"

	"github.com/mark3labs/mcp-go/server"
)

// Toolsets group tools by Etlworks area; operators enable them with --toolsets.
var Toolsets = []string{"flows", "schedules", "audit", "connections", "explorer"}

// All returns every tool in a fixed order (stable tools/list output keeps clients' prompt caches
// warm).
func All(d Deps) []Def {
	if d.confirm == nil {
		var who func(context.Context) string
		if d.Client != nil {
			who = d.Client.CredentialID
		}
		d.confirm = newConfirmer(d.ConfirmKey, who)
	}
	if d.schemas == nil {
		d.schemas = loadSchemaCache()
	}
	return withNeeds([]Def{
		listFlowsTool(d),
		getFlowTool(d),
		explainFlowTool(d),
		runFlowTool(d),
		stopFlowTool(d),
		listRunsTool(d),
		getRunTool(d),
		getRunLogTool(d),
		diagnoseRunTool(d),
		// flows: definition changes
		createFlowTool(d),
		updateFlowTool(d),
		deleteFlowTool(d),
		// schedules: timing, webhooks, listeners
		listSchedulesTool(d),
		createScheduleTool(d),
		updateScheduleTool(d),
		deleteScheduleTool(d),
		listWebhooksTool(d),
		createWebhookTool(d),
		deleteWebhookTool(d),
		listListenersTool(d),
		// audit: trail and recycle bin
		searchAuditTool(d),
		listDeletedTool(d),
		restoreDeletedTool(d),
		// connections: endpoints, connector catalogue, OAuth sign-in
		listConnectionsTool(d),
		getConnectionTool(d),
		testConnectionTool(d),
		listConnectorTypesTool(d),
		createConnectionTool(d),
		updateConnectionTool(d),
		deleteConnectionTool(d),
		oauthURLTool(d),
		// explorer: objects, data, SQL, uploads
		listObjectsTool(d),
		describeObjectTool(d),
		previewDataTool(d),
		runSQLTool(d),
		uploadFileTool(d),
	})
}

// Filter keeps the tools of the given toolsets (all when empty) and, in read-only mode, only the
// tools that change nothing.
func Filter(defs []Def, readOnly bool, toolsets []string) []Def {
	out := []Def{}
	for _, d := range defs {
		if readOnly && !d.ReadOnly {
			continue
		}
		if len(toolsets) > 0 && !slices.Contains(toolsets, d.Toolset) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// Register adds the tools to an MCP server.
func Register(s *server.MCPServer, defs []Def) {
	for _, d := range defs {
		s.AddTool(d.Tool, d.Handler)
	}
}
