package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/engine"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// stopWait bounds how long a stop request waits for the run to record its canceled state.
const stopWait = 10 * time.Second

// runByIDHandler serves POST /v1/flows/{id}/run.
func (s *Sandbox) runByIDHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	f, err := s.flowFromPath(r)
	if err != nil {
		return err
	}
	return s.startRun(w, r, p, f)
}

// runByNameHandler serves POST /v1/flows/flow-name/{name}/run and its legacy /plugins alias.
func (s *Sandbox) runByNameHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	name := r.PathValue("name")
	f, err := s.st.flowByName(r.Context(), name)
	if errors.Is(err, errNotFound) {
		return notFound("Flow '%s' not found", name)
	}
	if err != nil {
		return err
	}
	return s.startRun(w, r, p, f)
}

// startRun starts f with the request's parameters: the flat JSON body plus any query parameters
// other than sync, parallel and Authorization (the body wins). Async answers status 0 at once;
// sync=true waits for the end and answers 4, 5 or 2. A suspended flow or a busy one answers 3.
func (s *Sandbox) startRun(w http.ResponseWriter, r *http.Request, p *principal, f *flow) error {
	q := r.URL.Query()
	wait, err := boolParam(q, "sync")
	if err != nil {
		return err
	}
	parallel, err := boolParam(q, "parallel")
	if err != nil {
		return err
	}
	params, err := decodeParams(r)
	if err != nil {
		return err
	}
	for k, v := range q {
		if _, set := params[k]; !set && k != "sync" && k != "parallel" && k != "Authorization" {
			params[k] = v[0]
		}
	}
	resp := execResponse{FlowID: f.ID}
	if f.Suspended {
		resp.Status = codeNotStarted
		resp.Exception = new(fmt.Sprintf("Flow '%s' is suspended; resume it before running it", f.Name))
		return writeJSON(w, http.StatusOK, resp)
	}
	hip, cip := requestIPs(r)
	ar, refused, err := s.eng.Start(engine.Request{Flow: f, Params: params, User: p.Login, HostIP: hip, ClientIP: cip, Parallel: parallel})
	if errors.Is(err, engine.ErrClosed) {
		return apiErrorf(http.StatusServiceUnavailable, "The sandbox is shutting down")
	}
	if err != nil {
		return err
	}
	if refused != "" {
		resp.Status, resp.Exception = codeNotStarted, &refused
		return writeJSON(w, http.StatusOK, resp)
	}
	resp.AuditID = &ar.AuditID
	if !wait {
		return writeJSON(w, http.StatusOK, resp)
	}
	select {
	case <-ar.Done:
	case <-r.Context().Done():
		return r.Context().Err()
	}
	e, err := s.st.getExecution(r.Context(), ar.AuditID)
	if err != nil {
		return err
	}
	resp.Status, resp.Exception = responseCode(e.Status), e.Exception
	return writeJSON(w, http.StatusOK, resp)
}

// boolParam reads an optional true/false query parameter.
func boolParam(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("Parameter '%s' must be true or false, not '%s'", name, v)
	}
	return b, nil
}

// stopHandler serves POST /v1/flows/{id}/stop[?auditId=]: the newest (or the named) running
// instance moves to canceled before the answer (status 2); a flow that is not running gets 3.
func (s *Sandbox) stopHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.flowFromPath, func(f *flow, started time.Time) error {
		auditID, err := queryID(r.URL.Query(), "auditId", false)
		if err != nil {
			return err
		}
		resp := execResponse{FlowID: f.ID}
		ar := s.eng.Stop(f.ID, auditID, p.Login)
		if ar == nil {
			resp.Status = codeNotStarted
			msg := fmt.Sprintf("Flow '%s' is not running", f.Name)
			if auditID != 0 {
				msg = fmt.Sprintf("Execution %d of flow '%s' is not running", auditID, f.Name)
			}
			resp.Exception = &msg
			s.recordMutation(r, p, "stopFlow", map[string]any{"flowId": f.ID, "name": f.Name}, errors.New(msg), started)
			return writeJSON(w, http.StatusOK, resp)
		}
		select {
		case <-ar.Done:
		case <-time.After(stopWait):
		case <-r.Context().Done():
			return r.Context().Err()
		}
		resp.Status, resp.AuditID = codeCanceled, &ar.AuditID
		s.recordMutation(r, p, "stopFlow", map[string]any{"flowId": f.ID, "name": f.Name, "auditId": ar.AuditID}, nil, started)
		return writeJSON(w, http.StatusOK, resp)
	})
}

// flowStatusHandler serves GET /v1/executions/{flowId} (and the legacy dashboard path): the run
// chosen by auditId or messageId, else the latest run, optionally the latest in a status.
func (s *Sandbox) flowStatusHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	flowID, err := idParam(r, "id", "flow id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	auditID, err := queryID(q, "auditId", false)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if err := checkStatus(status); err != nil {
		return err
	}
	var e execution
	switch {
	case auditID != 0:
		e, err = s.st.getExecution(r.Context(), auditID)
		if errors.Is(err, errNotFound) || (err == nil && e.FlowID != flowID) {
			return notFound("Execution %d of flow %d not found", auditID, flowID)
		}
	case q.Get("messageId") != "":
		e, err = s.st.executionByMessage(r.Context(), flowID, q.Get("messageId"))
		if errors.Is(err, errNotFound) {
			return notFound("No execution of flow %d was triggered by message %s", flowID, q.Get("messageId"))
		}
	default:
		e, err = s.st.latestExecution(r.Context(), flowID, status)
		if errors.Is(err, errNotFound) {
			return s.noExecution(r, flowID, status)
		}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

// noExecution explains a missing latest run: unknown flow, never ran, or never in that status.
func (s *Sandbox) noExecution(r *http.Request, flowID int64, status string) error {
	if _, err := s.flowByID(r, flowID); err != nil {
		return err
	}
	if status != "" {
		return notFound("Flow %d has no execution with status '%s'", flowID, status)
	}
	return notFound("Flow %d has never been executed", flowID)
}

func checkStatus(status string) error {
	switch status {
	case "", model.StatusQueued, model.StatusRunning, model.StatusSuccess, model.StatusWarning, model.StatusError, model.StatusCanceled:
		return nil
	}
	return badRequest("Parameter 'status' must be one of queued, running, success, warning, error, canceled; not '%s'", status)
}

// listExecutionsHandler serves GET /v1/executions (filters flowId, status, from, to) and its
// per-flow alias GET /v1/flows/{id}/executions; newest first with X-Total-Count.
func (s *Sandbox) listExecutionsHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q, limit, offset, err := listQuery(r)
	if err != nil {
		return err
	}
	ef := executionFilter{status: q.Get("status"), limit: limit, offset: offset}
	if r.PathValue("id") != "" {
		f, err := s.flowFromPath(r)
		if err != nil {
			return err
		}
		ef.flowID = f.ID
	} else if ef.flowID, err = queryID(q, "flowId", false); err != nil {
		return err
	}
	if err := checkStatus(ef.status); err != nil {
		return err
	}
	if ef.from, err = epochParam(q, "from"); err != nil {
		return err
	}
	if ef.to, err = epochParam(q, "to"); err != nil {
		return err
	}
	list, total, err := s.st.listExecutions(r.Context(), ef)
	if err != nil {
		return err
	}
	return writeList(w, list, total)
}

// downloadLogHandler serves GET /v1/executions/console/download?flowId=&auditId= (and the legacy
// dashboard path): the run's log as a text attachment; a running run's log so far. Without
// auditId it is the latest run's.
func (s *Sandbox) downloadLogHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q := r.URL.Query()
	flowID, err := queryID(q, "flowId", true)
	if err != nil {
		return err
	}
	auditID, err := queryID(q, "auditId", false)
	if err != nil {
		return err
	}
	var e execution
	if auditID == 0 {
		e, err = s.st.latestExecution(r.Context(), flowID, "")
		if errors.Is(err, errNotFound) {
			return s.noExecution(r, flowID, "")
		}
	} else {
		e, err = s.st.getExecution(r.Context(), auditID)
		if errors.Is(err, errNotFound) || (err == nil && e.FlowID != flowID) {
			return notFound("Execution %d of flow %d not found", auditID, flowID)
		}
	}
	if err != nil {
		return err
	}
	text, err := s.st.readLog(r.Context(), e.AuditID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="flow-%d-%d.log"`, flowID, e.AuditID))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(text))
	return nil
}
