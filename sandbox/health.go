package sandbox

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// healthHandler serves GET /health (no /rest prefix, no auth) in the shape Etlworks documents
// (an overall status and a status per component).
// Figures are the sandbox process's own: its disk, Go heap and goroutines; db.running.flows is
// the number of active runs. There is no Redis, so that section reports the state store instead.
// The sandbox is one node, so allNodes=true gives the same answer. Both profiles serve it.
func (s *Sandbox) healthHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	if s.closed.Load() {
		return apiErrorf(http.StatusServiceUnavailable, "The sandbox is shutting down")
	}
	version, err := s.st.sqliteVersion(r.Context())
	dbStatus := "UP"
	if err != nil {
		dbStatus, version = "DOWN", ""
	}
	free, total := diskSpace(s.root)
	disk := map[string]any{"status": "UP", "free": free, "free.human": humanBytes(free),
		"total": total, "total.human": humanBytes(total)}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status := "UP"
	if dbStatus != "UP" {
		status = "DOWN"
	}
	body := map[string]any{
		"status": status,
		"db": map[string]any{"status": dbStatus, "version": version, "schema.version": schemaVersion,
			"running.flows": s.eng.Running()},
		"disk":     disk,
		"dataDisk": disk,
		"ram": map[string]any{"status": "UP",
			"mem": ms.Sys, "mem.human": humanBytes(ms.Sys),
			"mem.free": ms.Sys - ms.HeapInuse, "mem.free.human": humanBytes(ms.Sys - ms.HeapInuse),
			"heap": ms.HeapSys, "heap.human": humanBytes(ms.HeapSys),
			"heap.used": ms.HeapAlloc, "heap.used.human": humanBytes(ms.HeapAlloc)},
		"cpu": map[string]any{"status": "UP", "processors": runtime.NumCPU(), "systemload.average": loadAverage(),
			"threads": runtime.NumGoroutine(), "threads.peak": runtime.NumGoroutine(), "threads.daemon": 0},
		"redis": map[string]any{"status": dbStatus, "version": "sandbox (SQLite " + version + ")", "db.size": 0},
	}
	return writeJSON(w, http.StatusOK, body)
}

// humanBytes renders a byte count like Etlworks does ("511.9 GiB").
func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// loadAverage reads the one-minute load average, or -1 where the platform has none (as Java does).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return -1
	}
	f, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return -1
	}
	return f
}
