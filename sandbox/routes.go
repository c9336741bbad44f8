package sandbox

import (
	"fmt"
	"net/http"
)

// Contract tags: where an endpoint's path and shape come from.
const (
	tagV     = "V"  // shown by a public source
	tagVStar = "V*" // documented operation, inferred path
	tagX     = "X"  // served in the form the public source shows
	tagI     = "I"  // our design: only the extended profile serves it
)

// route is one row of the endpoint table: its pattern, the minimum role,
// its tag, the handler (the extended behaviour) and how the documented profile trims it.
type route struct {
	row     string // §10 row id, for cross-reference
	pattern string // ServeMux pattern, method first
	min     role
	tag     string
	h       handlerFunc
	doc     docView
}

// docView is how the documented profile serves a documented route: the [I] query parameters it
// ignores, whether it ignores the body, the [I] response fields it omits and, where documented
// semantics differ from ours, its own handler. The zero value serves the route as it is.
type docView struct {
	ignore []string    // [I] query parameters removed before the handler sees the request
	noBody bool        // the documented request has no body: any body is ignored
	shape  shape       // [I] response fields omitted (see projection.go)
	h      handlerFunc // replaces route.h in the documented profile; nil = route.h
}

// [I] list filters and options of documented routes.
var (
	flowFilters     = []string{"name", "tag", "flowType"}
	scheduleFilters = []string{"name", "flowId", "enabled"}
	runOptions      = []string{"sync", "parallel"}
)

// routeTable is every endpoint the sandbox knows, each with a stable row id.
func (s *Sandbox) routeTable() []route {
	return []route{
		{row: "1", pattern: "POST /rest/v1/token-auth/issue", min: roleNone, tag: tagV, h: s.issueToken},
		{row: "2", pattern: "POST /rest/v1/token-auth", min: roleNone, tag: tagV, h: s.issueToken},
		{row: "3", pattern: "POST /rest/v1/token-auth/refresh", min: roleAny, tag: tagV, h: s.refreshToken},
		{row: "6", pattern: "GET /rest/v1/users/me", min: roleAny, tag: tagI, h: s.me},

		{row: "9", pattern: "GET /rest/v1/flows", min: roleViewer, tag: tagV, h: s.listFlowsHandler,
			doc: docView{ignore: flowFilters, shape: flowShape}},
		{row: "10", pattern: "GET /rest/v1/flows/{id}", min: roleViewer, tag: tagV, h: s.getFlowHandler, doc: docView{shape: flowShape}},
		{row: "11", pattern: "POST /rest/v1/flows", min: roleEditor, tag: tagVStar, h: s.createFlowHandler, doc: docView{shape: flowShape}},
		{row: "12", pattern: "PUT /rest/v1/flows/{id}", min: roleEditor, tag: tagVStar, h: s.updateFlowHandler, doc: docView{shape: flowShape}},
		{row: "13", pattern: "DELETE /rest/v1/flows/{id}", min: roleEditor, tag: tagVStar, h: s.deleteFlowHandler, doc: docView{shape: deletedShape}},
		{row: "14", pattern: "POST /rest/v1/flows/{id}/run", min: roleOperator, tag: tagV, h: s.runByIDHandler,
			doc: docView{ignore: runOptions}},
		{row: "15", pattern: "POST /rest/v1/flows/flow-name/{name}/run", min: roleOperator, tag: tagX, h: s.runByNameHandler,
			doc: docView{ignore: runOptions, noBody: true}},
		{row: "15", pattern: "POST /plugins/flows/rest/v1/flows/flow-name/{name}/run", min: roleOperator, tag: tagX, h: s.runByNameHandler,
			doc: docView{ignore: runOptions, noBody: true}},
		{row: "16", pattern: "POST /rest/v1/flows/{id}/stop", min: roleOperator, tag: tagVStar, h: s.stopHandler,
			doc: docView{ignore: []string{"auditId"}}},
		{row: "17", pattern: "POST /rest/v1/flows/{id}/suspend", min: roleEditor, tag: tagVStar, h: s.suspendHandler(true), doc: docView{shape: flowShape}},
		{row: "18", pattern: "POST /rest/v1/flows/{id}/resume", min: roleEditor, tag: tagVStar, h: s.suspendHandler(false), doc: docView{shape: flowShape}},
		{row: "19", pattern: "GET /rest/v1/executions/{id}", min: roleOperator, tag: tagV, h: s.flowStatusHandler, doc: docView{shape: executionShape}},
		{row: "19", pattern: "GET /plugins/dashboard/rest/v1/flows/{id}", min: roleOperator, tag: tagV, h: s.flowStatusHandler,
			doc: docView{shape: executionShape}},
		{row: "20", pattern: "GET /rest/v1/executions", min: roleOperator, tag: tagI, h: s.listExecutionsHandler},
		{row: "21", pattern: "GET /rest/v1/flows/{id}/executions", min: roleOperator, tag: tagI, h: s.listExecutionsHandler},
		{row: "22", pattern: "GET /rest/v1/executions/console/download", min: roleOperator, tag: tagV, h: s.downloadLogHandler},
		{row: "22", pattern: "GET /plugins/dashboard/rest/v1/flows/console/download", min: roleOperator, tag: tagV, h: s.downloadLogHandler},
		{row: "23", pattern: "GET /rest/v1/metrics/executions", min: roleAdmin, tag: tagV, h: s.metricsExecutionsHandler},
		{row: "24", pattern: "GET /etl/rest/v1/tasks/{auditId}/{$}", min: roleAdmin, tag: tagV, h: s.tasksHandler},
		{row: "24", pattern: "GET /etl/rest/v1/tasks/{auditId}", min: roleAdmin, tag: tagV, h: s.tasksHandler},
		{row: "25", pattern: "GET /rest/v1/flows/{id}/documentation", min: roleViewer, tag: tagV, h: s.documentationHandler},
		{row: "26", pattern: "GET /rest/v1/flows/documentation/md", min: roleViewer, tag: tagV, h: s.documentationMDHandler},
		{row: "27", pattern: "GET /rest/v1/flows/documentation/diagram", min: roleViewer, tag: tagV, h: s.diagramHandler},

		{row: "31", pattern: "GET /rest/v1/connections", min: roleViewer, tag: tagI, h: s.listConnectionsHandler},
		{row: "32", pattern: "GET /rest/v1/connections/{id}", min: roleViewer, tag: tagV, h: s.getConnectionHandler, doc: docView{shape: connectionShape}},
		{row: "33", pattern: "POST /rest/v1/connections", min: roleEditor, tag: tagV, h: s.createConnectionHandler, doc: docView{shape: connectionShape}},
		{row: "34", pattern: "PUT /rest/v1/connections/{id}", min: roleEditor, tag: tagV, h: s.updateConnectionHandler, doc: docView{shape: connectionShape}},
		{row: "35", pattern: "DELETE /rest/v1/connections/{id}", min: roleEditor, tag: tagVStar, h: s.deleteConnectionHandler, doc: docView{shape: deletedShape}},
		{row: "36", pattern: "POST /rest/v1/connections/{id}/test", min: roleOperator, tag: tagI, h: s.testConnectionHandler},
		{row: "37", pattern: "GET /rest/v1/connection-types", min: roleViewer, tag: tagI, h: s.connectionTypesHandler},
		{row: "38", pattern: "GET /rest/v1/connections/oauth/{provider}/authorize-url", min: roleEditor, tag: tagI, h: s.authorizeURLHandler},
		{row: "39", pattern: "POST /rest/v1/connections/{id}/oauth/callback", min: roleEditor, tag: tagI, h: s.oauthCallbackHandler},

		{row: "42", pattern: "GET /rest/v1/listeners", min: roleViewer, tag: tagI, h: s.listListenersHandler},
		{row: "42a", pattern: "POST /rest/v1/listeners", min: roleEditor, tag: tagVStar, h: s.createListenerHandler},
		{row: "43", pattern: "GET /rest/v1/listeners/{id}", min: roleViewer, tag: tagI, h: s.getListenerHandler},
		{row: "43a", pattern: "PUT /rest/v1/listeners/{id}", min: roleEditor, tag: tagVStar, h: s.updateListenerHandler},
		{row: "43b", pattern: "DELETE /rest/v1/listeners/{id}", min: roleEditor, tag: tagVStar, h: s.deleteListenerHandler, doc: docView{shape: deletedShape}},
		{row: "44", pattern: "/rest/v1/httplistener/{pattern...}", min: roleNone, tag: tagV, h: s.callListenerHandler},

		{row: "45", pattern: "GET /rest/v1/schedules", min: roleViewer, tag: tagV, h: s.listSchedulesHandler,
			doc: docView{ignore: scheduleFilters, shape: scheduleShape}},
		{row: "46", pattern: "POST /rest/v1/schedules", min: roleEditor, tag: tagV, h: s.createScheduleHandler, doc: docView{shape: scheduleShape}},
		{row: "47", pattern: "GET /rest/v1/schedules/{id}", min: roleViewer, tag: tagI, h: s.getScheduleHandler},
		{row: "48", pattern: "PUT /rest/v1/schedules/{id}", min: roleEditor, tag: tagVStar, h: s.updateScheduleHandler, doc: docView{shape: scheduleShape}},
		{row: "49", pattern: "DELETE /rest/v1/schedules/{id}", min: roleEditor, tag: tagVStar, h: s.deleteScheduleHandler, doc: docView{shape: deletedShape}},
		{row: "50", pattern: "POST /rest/v1/schedules/{id}/pause", min: roleEditor, tag: tagI, h: s.enableScheduleHandler(false)},
		{row: "51", pattern: "POST /rest/v1/schedules/{id}/resume", min: roleEditor, tag: tagI, h: s.enableScheduleHandler(true)},
		{row: "52", pattern: "POST /rest/v1/schedules/{id}/reschedule", min: roleEditor, tag: tagI, h: s.rescheduleHandler},
		{row: "52a", pattern: "POST /rest/v1/schedules/preview", min: roleViewer, tag: tagI, h: s.previewScheduleHandler},
		{row: "53", pattern: "POST /rest/v1/schedules/{id}/run", min: roleOperator, tag: tagI, h: s.runScheduleHandler},

		{row: "54", pattern: "GET /rest/v1/webhooks", min: roleAdmin, tag: tagI, h: s.listWebhooksHandler},
		{row: "55", pattern: "POST /rest/v1/webhooks", min: roleAdmin, tag: tagV, h: s.createWebhookHandler, doc: docView{shape: webhookShape}},
		{row: "56", pattern: "GET /rest/v1/webhooks/{id}", min: roleAdmin, tag: tagI, h: s.getWebhookHandler},
		{row: "56a", pattern: "PUT /rest/v1/webhooks/{id}", min: roleAdmin, tag: tagI, h: s.updateWebhookHandler},
		{row: "56b", pattern: "DELETE /rest/v1/webhooks/{id}", min: roleAdmin, tag: tagI, h: s.deleteWebhookHandler},

		{row: "57", pattern: "GET /rest/v1/messages", min: roleOperator, tag: tagI, h: s.listMessagesHandler},
		{row: "57a", pattern: "GET /rest/v1/messages/{uuid}", min: roleOperator, tag: tagI, h: s.getMessageHandler},
		{row: "58", pattern: "GET /rest/v1/messages/{uuid}/payload", min: roleOperator, tag: tagI, h: s.messagePayloadHandler},

		{row: "59", pattern: "GET /rest/v1/explorer/{id}/objects", min: roleViewer, tag: tagI, h: s.explorerObjectsHandler},
		{row: "60", pattern: "GET /rest/v1/explorer/{id}/objects/{name}/columns", min: roleViewer, tag: tagI, h: s.explorerColumnsHandler},
		{row: "61", pattern: "GET /rest/v1/explorer/{id}/data", min: roleViewer, tag: tagI, h: s.explorerDataHandler},
		{row: "62", pattern: "POST /rest/v1/explorer/{id}/sql", min: roleViewer, tag: tagI, h: s.explorerSQLHandler},
		{row: "63", pattern: "POST /rest/v1/explorer/{id}/upload", min: roleEditor, tag: tagI, h: s.explorerUploadHandler},
		{row: "64", pattern: "GET /rest/v1/explorer/{id}/files", min: roleViewer, tag: tagI, h: s.explorerFilesHandler},

		{row: "65", pattern: "GET /rest/v1/audit", min: roleAdmin, tag: tagX, h: s.listAuditHandler,
			doc: docView{h: s.lastAuditHandler, shape: auditShape}},
		{row: "65", pattern: "GET /plugins/audit/rest/v1/audit", min: roleAdmin, tag: tagX, h: s.listAuditHandler,
			doc: docView{h: s.lastAuditHandler, shape: auditShape}},
		{row: "66", pattern: "GET /rest/v1/audit/{id}", min: roleAdmin, tag: tagI, h: s.getAuditHandler},

		{row: "67", pattern: "GET /rest/v1/recycle-bin", min: roleEditor, tag: tagI, h: s.listBinHandler},
		{row: "68", pattern: "GET /rest/v1/recycle-bin/{id}", min: roleEditor, tag: tagI, h: s.getBinHandler},
		{row: "69", pattern: "POST /rest/v1/recycle-bin/{id}/restore", min: roleEditor, tag: tagI, h: s.restoreHandler},
		{row: "70", pattern: "POST /rest/v1/recycle-bin/restore", min: roleEditor, tag: tagI, h: s.restoreManyHandler},
		{row: "71", pattern: "DELETE /rest/v1/recycle-bin/{id}", min: roleAdmin, tag: tagI, h: s.purgeHandler},

		{row: "72", pattern: "GET /health", min: roleNone, tag: tagV, h: s.healthHandler},
	}
}

// routes builds the handler for the sandbox's profile from the route table: in the extended
// profile every row as it is; in the documented profile the documented rows trimmed by their
// docView and every [I] row answering exactly like a path that does not exist.
func (s *Sandbox) routes() http.Handler {
	mux := http.NewServeMux()
	absent := map[string]bool{}
	for _, rt := range s.routeTable() {
		switch {
		case s.prof.extended:
			mux.Handle(rt.pattern, s.endpoint(rt.min, rt.h))
		case rt.tag == tagI:
			mux.HandleFunc(rt.pattern, noEndpoint)
			absent[rt.pattern] = true
		default:
			mux.Handle(rt.pattern, s.endpoint(rt.min, rt.doc.wrap(rt.h)))
		}
	}
	mux.HandleFunc("/", s.noRoute(mux, absent))
	return s.recoverer(mux)
}

// noEndpoint is the 404 of a path no endpoint serves, in the standard error body.
func noEndpoint(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusNotFound, fmt.Sprintf("No endpoint %s %s", r.Method, r.URL.Path))
}
