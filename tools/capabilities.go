package tools

import (
	"context"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
)

// toolNeeds names the optional capability each tool cannot work without (client/capabilities.go).
// Tools with a documented substitute (list_runs, list_connections, diagnose_run) need none: they
// degrade and say what they could see instead.
var toolNeeds = map[string]client.Capability{
	"stop_flow":            client.CapFlowStop,
	"create_flow":          client.CapFlowEdit,
	"update_flow":          client.CapFlowEdit,
	"delete_flow":          client.CapFlowEdit,
	"test_connection":      client.CapConnectionTest,
	"list_connector_types": client.CapConnectorTypes,
	"delete_connection":    client.CapConnectionDelete,
	"get_oauth_url":        client.CapOAuth,
	"list_objects":         client.CapExplorer,
	"describe_object":      client.CapExplorer,
	"preview_data":         client.CapExplorer,
	"run_sql":              client.CapExplorer,
	"upload_file":          client.CapStagingUpload,
	"update_schedule":      client.CapScheduleEdit, // a read-modify-write PUT of the schedule
	"delete_schedule":      client.CapScheduleEdit,
	"list_webhooks":        client.CapWebhooks,
	"delete_webhook":       client.CapWebhooks,
	"list_listeners":       client.CapListenerList,
	"list_deleted":         client.CapRecycleBin,
	"restore_deleted":      client.CapRecycleBin,
}

// paramNeeds names, as "tool.parameter", the optional capability a parameter needs where the tool
// itself works without it; the handler refuses that parameter (in a dry run too) once the group is
// known to be absent, with the "no REST route … in the Etlworks UI" answer.
var paramNeeds = map[string]client.Capability{
	"update_flow.suspended": client.CapFlowSuspend,
}

// withNeeds sets each Def's Needs from toolNeeds.
func withNeeds(defs []Def) []Def {
	for i := range defs {
		defs[i].Needs = toolNeeds[defs[i].Tool.Name]
	}
	return defs
}

// WatchCapabilities keeps tools/list honest: a tool whose capability is known to be absent for
// the caller's credential is left out of tools/list, and clients are sent
// notifications/tools/list_changed when that happens. The tool stays registered, so a client that
// calls it anyway gets the "no REST route … in the Etlworks UI" answer instead of "unknown tool".
// Until a probe or a call has answered, every tool is offered.
//
// mcp-go has no list-only filter (WithToolFilter also refuses calls), so the hook edits the
// tools/list result after mcp-go built it; this server sets no pagination limit, so the result is
// the whole list.
func WatchCapabilities(hooks *server.Hooks, srv *server.MCPServer, c *client.Client, defs []Def) {
	needs := map[string]client.Capability{}
	used := map[client.Capability]bool{}
	for _, d := range defs {
		if d.Needs != "" {
			needs[d.Tool.Name] = d.Needs
			used[d.Needs] = true
		}
	}
	hooks.AddAfterListTools(func(ctx context.Context, _ any, _ *mcp.ListToolsRequest, res *mcp.ListToolsResult) {
		if res == nil {
			return
		}
		kept := res.Tools[:0:0]
		for _, t := range res.Tools {
			if cp, ok := needs[t.Name]; ok && c.CapabilityState(ctx, cp) == client.CapAbsent {
				continue
			}
			kept = append(kept, t)
		}
		res.Tools = kept
	})
	var mu sync.Mutex
	told := map[client.Capability]bool{}
	c.OnCapabilityChange(func(cp client.Capability, s client.CapState) {
		if s != client.CapAbsent || !used[cp] {
			return
		}
		mu.Lock()
		first := !told[cp]
		told[cp] = true
		mu.Unlock()
		if first {
			srv.SendNotificationToAllClients(mcp.MethodNotificationToolsListChanged, nil)
		}
	})
}
