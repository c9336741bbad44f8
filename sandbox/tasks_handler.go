package sandbox

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/engine"
)

// tasksHandler serves (root) GET /etl/rest/v1/tasks/{auditId}/?type= (Administrator): the tasks
// of a running run, optionally of one type; [] once the run has ended; 404 for an unknown run.
func (s *Sandbox) tasksHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	v := r.PathValue("auditId")
	auditID, err := strconv.ParseInt(v, 10, 64)
	if err != nil || auditID < 1 {
		return badRequest("Invalid audit id '%s': must be a positive number", v)
	}
	typ := r.URL.Query().Get("type")
	if typ != "" && !slices.Contains(engine.TaskTypes(), typ) {
		return badRequest("Parameter 'type' must be one of %s; not '%s'", strings.Join(engine.TaskTypes(), ", "), typ)
	}
	list, active := s.eng.Tasks(auditID)
	if !active {
		if _, err := s.st.getExecution(r.Context(), auditID); errors.Is(err, errNotFound) {
			return notFound("Execution %d not found", auditID)
		} else if err != nil {
			return err
		}
		list = []engine.Task{}
	}
	if typ != "" {
		list = slices.DeleteFunc(list, func(t engine.Task) bool { return t.Type != typ })
	}
	return writeJSON(w, http.StatusOK, list)
}
