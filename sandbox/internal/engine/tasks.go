package engine

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Running-task types of (root) GET /etl/rest/v1/tasks/{auditId}/?type=.
const (
	TaskStream  = "stream"  // change data capture stream
	TaskExtract = "extract" // extract
	TaskLoad    = "load"    // load
	TaskTask    = "task"    // scripts, file operations, transformations
	TaskHWM     = "hwm"     // the high-watermark query
)

var taskTypes = []string{TaskStream, TaskExtract, TaskLoad, TaskTask, TaskHWM}

// TaskTypes returns the task types the type filter of the running-tasks API accepts.
func TaskTypes() []string { return slices.Clone(taskTypes) }

// Task is one entry of the running-tasks API. Latencies are the milliseconds between the
// task's progress updates (record batches); latency is the time since the last one.
type Task struct {
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
func (m *taskMeter) snapshot(auditID int64, owner, tenant string, now time.Time) []Task {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.trName == "" {
		return []Task{}
	}
	latency := now.Sub(m.last).Milliseconds()
	task := func(seq int, name, typ string, started time.Time, records int64, lat latencyStats) Task {
		avg := int64(0)
		if lat.n > 0 {
			avg = lat.sum / lat.n
		}
		return Task{RequestID: fmt.Sprintf("%d-%d", auditID, seq), Owner: owner, Name: name,
			Started: started.UnixMilli(), Duration: now.Sub(started).Milliseconds(),
			Code: fmt.Sprintf("records processed: %d, latency: %d ms (min %d, max %d, avg %d)", records, latency, lat.min, lat.max, avg),
			Type: typ, Tenant: tenant, Latency: latency, MaxLatency: lat.max, MinLatency: lat.min, AvgLatency: avg,
			RecordsProcessed: records}
	}
	out := []Task{task(m.trSeq, m.trName, TaskTask, m.trStart, m.records-m.trBase, m.lat)}
	if m.phase != TaskTask {
		out = append(out, task(m.phSeq, m.trName+": "+m.phase, m.phase, m.phStart, m.records-m.phBase, m.lat))
	}
	return out
}

// Tasks returns the running tasks of an active run, or ok=false when the run is not active.
func (e *Engine) Tasks(auditID int64) (tasks []Task, ok bool) {
	e.mu.Lock()
	ar := e.active[auditID]
	e.mu.Unlock()
	if ar == nil {
		return nil, false
	}
	return ar.meter.snapshot(auditID, ar.user, e.tenant, time.Now()), true
}

// streamingFlow reports whether a flow type is a change-data-capture stream, whose extract phase
// the running-tasks API reports as type stream.
func streamingFlow(flowType string) bool {
	return strings.Contains(flowType, "cdc") || strings.Contains(flowType, "stream")
}
