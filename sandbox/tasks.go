package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Running-task types of (root) GET /etl/rest/v1/tasks/{auditId}/?type=.
const (
	taskStream  = "stream"  // change data capture stream
	taskExtract = "extract" // extract
	taskLoad    = "load"    // load
	taskTask    = "task"    // scripts, file operations, transformations
	taskHWM     = "hwm"     // the high-watermark query
)

var taskTypes = []string{taskStream, taskExtract, taskLoad, taskTask, taskHWM}

// runningTask is one entry of the running-tasks API. Latencies are the milliseconds between the
// task's progress updates (record batches); latency is the time since the last one.
type runningTask struct {
	RequestID        string  `json:"requestId"`
	Owner            string  `json:"owner"`
	Name             string  `json:"name"`
	Started          int64   `json:"started"`
	Duration         int64   `json:"duration"`
	Code             string  `json:"code"`
	Type             string  `json:"type"`
	Tenant           string  `json:"tenant"`
	Language         *string `json:"language"`
	Latency          int64   `json:"latency"`
	MaxLatency       int64   `json:"maxLatency"`
	MinLatency       int64   `json:"minLatency"`
	AvgLatency       int64   `json:"avgLatency"`
	RecordsProcessed int64   `json:"recordsProcessed"`
}

// taskMeter is the live state of a run's current transformation and its phase, written by the
// run goroutine and read by the running-tasks API.
type taskMeter struct {
	mu      sync.Mutex
	seq     int // tasks begun so far, numbering request ids
	trName  string
	trStart time.Time
	trBase  int64 // run records when the transformation began
	trSeq   int
	phase   string // extract, load, stream or task
	phStart time.Time
	phBase  int64 // run records when the phase began
	phSeq   int
	records int64        // run records so far
	last    time.Time    // the last progress, or the phase start
	lat     latencyStats // of the current phase
}

// latencyStats accumulates the intervals between progress updates of one phase, in ms.
type latencyStats struct {
	n, sum, min, max int64
}

func (l *latencyStats) add(ms int64) {
	if l.n == 0 || ms < l.min {
		l.min = ms
	}
	l.max = max(l.max, ms)
	l.n++
	l.sum += ms
}

// transformation records that the run began a transformation, in its first phase.
func (m *taskMeter) transformation(name, phase string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	m.seq++
	m.trName, m.trStart, m.trBase, m.trSeq = name, now, m.records, m.seq
	m.beginPhase(phase, now)
}

// phaseBegins records that the current transformation moved to another phase.
func (m *taskMeter) phaseBegins(phase string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.beginPhase(phase, time.Now())
}

func (m *taskMeter) beginPhase(phase string, now time.Time) {
	m.seq++
	m.phase, m.phStart, m.phBase, m.phSeq, m.last, m.lat = phase, now, m.records, m.seq, now, latencyStats{}
}

// progress publishes the run's record count after a batch.
func (m *taskMeter) progress(records int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	m.lat.add(now.Sub(m.last).Milliseconds())
	m.records, m.last = records, now
}

// snapshot returns the running tasks of the run: its transformation and the current phase.
func (m *taskMeter) snapshot(auditID int64, owner, tenant string, now time.Time) []runningTask {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.trName == "" {
		return []runningTask{}
	}
	latency := now.Sub(m.last).Milliseconds()
	task := func(seq int, name, typ string, started time.Time, records int64, lat latencyStats) runningTask {
		avg := int64(0)
		if lat.n > 0 {
			avg = lat.sum / lat.n
		}
		return runningTask{RequestID: fmt.Sprintf("%d-%d", auditID, seq), Owner: owner, Name: name,
			Started: started.UnixMilli(), Duration: now.Sub(started).Milliseconds(),
			Code: fmt.Sprintf("records processed: %d, latency: %d ms (min %d, max %d, avg %d)", records, latency, lat.min, lat.max, avg),
			Type: typ, Tenant: tenant, Latency: latency, MaxLatency: lat.max, MinLatency: lat.min, AvgLatency: avg,
			RecordsProcessed: records}
	}
	out := []runningTask{task(m.trSeq, m.trName, taskTask, m.trStart, m.records-m.trBase, m.lat)}
	if m.phase != taskTask {
		out = append(out, task(m.phSeq, m.trName+": "+m.phase, m.phase, m.phStart, m.records-m.phBase, m.lat))
	}
	return out
}

// tasks returns the running tasks of an active run, or ok=false when the run is not active.
func (e *engine) tasks(auditID int64) (tasks []runningTask, ok bool) {
	e.mu.Lock()
	ar := e.active[auditID]
	e.mu.Unlock()
	if ar == nil {
		return nil, false
	}
	return ar.meter.snapshot(auditID, ar.user, e.tenant, time.Now()), true
}

// tasksHandler serves (root) GET /etl/rest/v1/tasks/{auditId}/?type= (Administrator): the tasks
// of a running run, optionally of one type; [] once the run has ended; 404 for an unknown run.
func (s *Sandbox) tasksHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	v := r.PathValue("auditId")
	auditID, err := strconv.ParseInt(v, 10, 64)
	if err != nil || auditID < 1 {
		return badRequest("Invalid audit id '%s': must be a positive number", v)
	}
	typ := r.URL.Query().Get("type")
	if typ != "" && !slices.Contains(taskTypes, typ) {
		return badRequest("Parameter 'type' must be one of %s; not '%s'", strings.Join(taskTypes, ", "), typ)
	}
	list, active := s.eng.tasks(auditID)
	if !active {
		if _, err := s.st.getExecution(r.Context(), auditID); errors.Is(err, errNotFound) {
			return notFound("Execution %d not found", auditID)
		} else if err != nil {
			return err
		}
		list = []runningTask{}
	}
	if typ != "" {
		list = slices.DeleteFunc(list, func(t runningTask) bool { return t.Type != typ })
	}
	return writeJSON(w, http.StatusOK, list)
}

// streamingFlow reports whether a flow type is a change-data-capture stream, whose extract phase
// the running-tasks API reports as type stream.
func streamingFlow(flowType string) bool {
	return strings.Contains(flowType, "cdc") || strings.Contains(flowType, "stream")
}
