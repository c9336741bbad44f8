package client

import (
	"net/http"
	"strings"
)

// Endpoint is one REST route the client calls, with where its contract comes from. The table is the
// single place that says which capability a route belongs to, which routes the doctor report
// covers, and how a route may be called without changing anything.
type Endpoint struct {
	Method string
	// Path is relative to the /rest base ("v1/flows/{flowId}"), or to the server root when Root
	// is set ("health"). A {name} segment matches any one segment; a final "*" matches the rest.
	Path string
	Root bool
	// Tag is where the route's contract comes from: "V" Etlworks documents it, "V*" documented operation with
	// an inferred path, "I" our design, "X" documented differently from what we had.
	Tag string
	// Capability is the optional group the route belongs to, "" for a documented route every
	// instance has.
	Capability Capability
	// Collection routes carry no id, so a 404 from them can only mean the route is absent.
	Collection bool
}

// ReadOnly reports whether calling the endpoint can change nothing in Etlworks.
func (e Endpoint) ReadOnly() bool { return e.Method == http.MethodGet }

// endpoints lists every route the client knows, specific paths before the patterns that would
// also match them.
var endpoints = []Endpoint{
	{Method: "POST", Path: "v1/token-auth/issue", Tag: "V"},
	{Method: "POST", Path: "v1/token-auth", Tag: "V"},
	{Method: "GET", Path: "v1/users/me", Tag: "I", Capability: CapUsersMe, Collection: true},
	{Method: "GET", Path: "health", Root: true, Tag: "V"},

	{Method: "GET", Path: "v1/flows", Tag: "V", Collection: true},
	{Method: "POST", Path: "v1/flows", Tag: "V*", Capability: CapFlowEdit},
	{Method: "POST", Path: "v1/flows/flow-name/{flowName}/run", Tag: "X"},
	{Method: "GET", Path: "v1/flows/{flowId}/documentation", Tag: "V"},
	{Method: "POST", Path: "v1/flows/{flowId}/run", Tag: "V"},
	{Method: "POST", Path: "v1/flows/{flowId}/stop", Tag: "V*", Capability: CapFlowStop},
	{Method: "POST", Path: "v1/flows/{flowId}/suspend", Tag: "V*", Capability: CapFlowSuspend},
	{Method: "POST", Path: "v1/flows/{flowId}/resume", Tag: "V*", Capability: CapFlowSuspend},
	{Method: "GET", Path: "v1/flows/{flowId}", Tag: "V"},
	{Method: "PUT", Path: "v1/flows/{flowId}", Tag: "V*", Capability: CapFlowEdit},
	{Method: "DELETE", Path: "v1/flows/{flowId}", Tag: "V*", Capability: CapFlowEdit},

	{Method: "GET", Path: "v1/executions/console/download", Tag: "V"},
	{Method: "GET", Path: "v1/executions", Tag: "I", Capability: CapRunHistory, Collection: true},
	{Method: "GET", Path: "v1/executions/{flowId}", Tag: "V"},
	{Method: "GET", Path: "v1/metrics/executions", Tag: "V", Capability: CapReporting, Collection: true},
	{Method: "GET", Path: "etl/rest/v1/tasks/{auditId}/", Root: true, Tag: "V", Capability: CapRunningTasks},

	{Method: "GET", Path: "v1/connections", Tag: "I", Capability: CapConnectionList, Collection: true},
	{Method: "POST", Path: "v1/connections", Tag: "V"},
	{Method: "GET", Path: "v1/connection-types", Tag: "I", Capability: CapConnectorTypes, Collection: true},
	{Method: "GET", Path: "v1/connections/oauth/{provider}/authorize-url", Tag: "I", Capability: CapOAuth},
	{Method: "POST", Path: "v1/connections/{id}/oauth/callback", Tag: "I", Capability: CapOAuth},
	{Method: "POST", Path: "v1/connections/{id}/test", Tag: "I", Capability: CapConnectionTest},
	{Method: "GET", Path: "v1/connections/{id}", Tag: "V"},
	{Method: "PUT", Path: "v1/connections/{id}", Tag: "V"},
	{Method: "DELETE", Path: "v1/connections/{id}", Tag: "V*", Capability: CapConnectionDelete},

	{Method: "POST", Path: "v1/explorer/{id}/upload", Tag: "I", Capability: CapStagingUpload},
	{Method: "GET", Path: "v1/explorer/{id}/*", Tag: "I", Capability: CapExplorer},
	{Method: "POST", Path: "v1/explorer/{id}/*", Tag: "I", Capability: CapExplorer},

	{Method: "GET", Path: "v1/schedules", Tag: "V", Collection: true},
	{Method: "POST", Path: "v1/schedules", Tag: "V"},
	{Method: "POST", Path: "v1/schedules/preview", Tag: "I", Capability: CapSchedulePreview},
	{Method: "POST", Path: "v1/schedules/{id}/pause", Tag: "I", Capability: CapScheduleActions},
	{Method: "POST", Path: "v1/schedules/{id}/resume", Tag: "I", Capability: CapScheduleActions},
	{Method: "POST", Path: "v1/schedules/{id}/reschedule", Tag: "I", Capability: CapScheduleActions},
	{Method: "POST", Path: "v1/schedules/{id}/run", Tag: "I", Capability: CapScheduleRun},
	{Method: "GET", Path: "v1/schedules/{id}", Tag: "I", Capability: CapScheduleGet},
	{Method: "PUT", Path: "v1/schedules/{id}", Tag: "V*", Capability: CapScheduleEdit},
	{Method: "DELETE", Path: "v1/schedules/{id}", Tag: "V*", Capability: CapScheduleEdit},

	{Method: "GET", Path: "v1/webhooks", Tag: "I", Capability: CapWebhooks, Collection: true},
	{Method: "POST", Path: "v1/webhooks", Tag: "V"},
	{Method: "GET", Path: "v1/webhooks/{id}", Tag: "I", Capability: CapWebhooks},
	{Method: "PUT", Path: "v1/webhooks/{id}", Tag: "I", Capability: CapWebhooks},
	{Method: "DELETE", Path: "v1/webhooks/{id}", Tag: "I", Capability: CapWebhooks},

	{Method: "GET", Path: "v1/listeners", Tag: "I", Capability: CapListenerList, Collection: true},
	{Method: "POST", Path: "v1/listeners", Tag: "V*", Capability: CapListenerEdit},
	{Method: "GET", Path: "v1/listeners/{id}", Tag: "I", Capability: CapListenerList},
	{Method: "PUT", Path: "v1/listeners/{id}", Tag: "V*", Capability: CapListenerEdit},
	{Method: "DELETE", Path: "v1/listeners/{id}", Tag: "V*", Capability: CapListenerEdit},

	{Method: "GET", Path: "v1/audit", Tag: "X", Collection: true},
	{Method: "GET", Path: "v1/audit/{id}", Tag: "I", Capability: CapAuditDetail},

	{Method: "GET", Path: "v1/recycle-bin", Tag: "I", Capability: CapRecycleBin, Collection: true},
	{Method: "POST", Path: "v1/recycle-bin/restore", Tag: "I", Capability: CapRecycleBin},
	{Method: "POST", Path: "v1/recycle-bin/{id}/restore", Tag: "I", Capability: CapRecycleBin},
	{Method: "GET", Path: "v1/recycle-bin/{id}", Tag: "I", Capability: CapRecycleBin},
	{Method: "DELETE", Path: "v1/recycle-bin/{id}", Tag: "I", Capability: CapRecycleBin},
}

// endpointFor finds the table row of a request, or nil for a path the table does not know.
func endpointFor(r *request) *Endpoint {
	segs := strings.Split(strings.Trim(r.path, "/"), "/")
	for i := range endpoints {
		e := &endpoints[i]
		if e.Method == r.method && e.Root == r.atRoot && pathMatches(e.Path, segs) {
			return e
		}
	}
	return nil
}

// pathMatches reports whether a concrete path (split in segments) fits a table pattern.
func pathMatches(pattern string, segs []string) bool {
	pat := strings.Split(strings.Trim(pattern, "/"), "/")
	for i, p := range pat {
		if p == "*" {
			return len(segs) > i
		}
		if i >= len(segs) {
			return false
		}
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if p != segs[i] {
			return false
		}
	}
	return len(segs) == len(pat)
}

// servedByDocumented reports whether a documented route (of any method) has the same path, so
// the path exists and a 404 from it can only be about the object.
func (e *Endpoint) servedByDocumented() bool {
	for _, o := range endpoints {
		if o.Capability == "" && o.Path == e.Path && o.Root == e.Root {
			return true
		}
	}
	return false
}
