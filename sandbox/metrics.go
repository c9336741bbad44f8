package sandbox

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// The reporting API, GET /v1/metrics/executions: every run of
// one day, grouped by flow. Both profiles serve it; it is the documented source of run history.

// maxMetricsOffset bounds ?offset= (days ago), about ten years.
const maxMetricsOffset = 3660

// maxDayExecutions bounds one day's answer; a schedule firing every second makes 86,400 runs a day.
const maxDayExecutions = 10000

// flowMetrics is one flow's runs of the day.
type flowMetrics struct {
	FlowID     int64           `json:"flowId"`
	Name       string          `json:"name"`
	Icon       string          `json:"icon"`
	Executions []executionStat `json:"executions"`
}

// executionStat is one run in the reporting API.
type executionStat struct {
	FlowID  int64  `json:"flowId"`
	AuditID int64  `json:"auditId"`
	Status  string `json:"status"`
	User    string `json:"user"`
	Started int64  `json:"started"`
	Ended   *int64 `json:"ended"`
	Records int64  `json:"records"`
	*executionDetail
}

// executionDetail is what includeMetrics=true adds to a run (field names [I], §3.6); nil = absent.
type executionDetail struct {
	Metrics     runMetrics   `json:"metrics"`
	FileMetrics []fileMetric `json:"fileMetrics"`
	Exception   *string      `json:"exception"`
}

// runMetrics are the figures the sandbox knows of a run.
type runMetrics struct {
	Records  int64  `json:"records"`
	Duration *int64 `json:"duration"` // ms; null while running
	Retries  int64  `json:"retries"`
}

// fileMetric names a file the flow's transformations read or write.
type fileMetric struct {
	Name       string `json:"name"`
	Connection string `json:"connection"`
	Direction  string `json:"direction"` // read | write
	Format     string `json:"format"`
}

// metricsExecutionsHandler serves GET /v1/metrics/executions?date=YYYY-MM-DD|offset=N
// [&includeMetrics=true][&tenantId=n] (Administrator; tenantId Super Admin). The day is local
// time, the sandbox's configured timezone; without date or offset it is today.
func (s *Sandbox) metricsExecutionsHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	q := r.URL.Query()
	day, err := metricsDay(q.Get("date"), q.Get("offset"), time.Now())
	if err != nil {
		return err
	}
	withMetrics, err := boolParam(q, "includeMetrics")
	if err != nil {
		return err
	}
	if v := q.Get("tenantId"); v != "" {
		tenant, err := strconv.ParseInt(v, 10, 64)
		if err != nil || tenant < 1 {
			return badRequest("Parameter 'tenantId' must be a positive number, not '%s'", v)
		}
		if p.Role != "Super Admin" {
			return apiErrorf(http.StatusForbidden, "Parameter 'tenantId' needs the Super Admin role; user '%s' is %s", p.Login, p.Role)
		}
		if tenant != p.TenantID {
			return writeJSON(w, http.StatusOK, []flowMetrics{})
		}
	}
	runs, _, err := s.st.listExecutions(r.Context(), executionFilter{from: day.UnixMilli(),
		to: day.AddDate(0, 0, 1).UnixMilli() - 1, limit: maxDayExecutions})
	if err != nil {
		return err
	}
	out, err := s.groupByFlow(r.Context(), runs, withMetrics)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// metricsDay resolves date (YYYY-MM-DD) or offset (days before today) to local midnight.
func metricsDay(date, offset string, now time.Time) (time.Time, error) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch {
	case date != "" && offset != "":
		return time.Time{}, badRequest("Parameters 'date' and 'offset' are exclusive; send one of them")
	case date != "":
		d, err := time.ParseInLocation("2006-01-02", date, now.Location())
		if err != nil {
			return time.Time{}, badRequest("Parameter 'date' must be a day as YYYY-MM-DD, not '%s'", date)
		}
		return d, nil
	case offset != "":
		n, err := strconv.Atoi(offset)
		if err != nil || n < 0 || n > maxMetricsOffset {
			return time.Time{}, badRequest("Parameter 'offset' must be a number of days ago from 0 (today) to %d, not '%s'",
				maxMetricsOffset, offset)
		}
		return today.AddDate(0, 0, -n), nil
	}
	return today, nil
}

// groupByFlow turns runs (newest first) into per-flow groups, flows in id order, each flow's
// runs oldest first.
func (s *Sandbox) groupByFlow(ctx context.Context, runs []execution, withMetrics bool) ([]flowMetrics, error) {
	out := []flowMetrics{}
	index := map[int64]int{}
	files := map[int64][]fileMetric{}
	for i := len(runs) - 1; i >= 0; i-- {
		e := runs[i]
		at, seen := index[e.FlowID]
		if !seen {
			g := flowMetrics{FlowID: e.FlowID, Name: e.FlowName, Icon: flowIcon(""), Executions: []executionStat{}}
			f, err := s.st.getFlow(ctx, e.FlowID)
			switch {
			case err == nil:
				g.Name, g.Icon = f.Name, flowIcon(f.FlowType)
				files[e.FlowID] = flowFiles(f)
			case !errors.Is(err, errNotFound):
				return nil, err
			}
			at = len(out)
			index[e.FlowID] = at
			out = append(out, g)
		}
		st := executionStat{FlowID: e.FlowID, AuditID: e.AuditID, Status: e.Status, User: e.User, Started: e.Started,
			Ended: e.Ended, Records: e.Records}
		if withMetrics {
			d := &executionDetail{Metrics: runMetrics{Records: e.Records}, Exception: e.Exception,
				FileMetrics: append([]fileMetric{}, files[e.FlowID]...)}
			if e.Ended != nil {
				d.Metrics.Duration = new(*e.Ended - e.Started)
			}
			if e.Retries != nil {
				d.Metrics.Retries = *e.Retries
			}
			st.executionDetail = d
		}
		out[at].Executions = append(out[at].Executions, st)
	}
	slices.SortFunc(out, func(a, b flowMetrics) int { return cmp.Compare(a.FlowID, b.FlowID) })
	return out, nil
}

// flowIcon is the icon path of a flow type, in the form the reporting API shows ("/img/di/….png").
func flowIcon(flowType string) string {
	if flowType == "" {
		flowType = "flow"
	}
	return "/img/di/" + flowType + ".png"
}

// flowFiles lists the files a flow's transformations read (a source with a format) and write.
func flowFiles(f *flow) []fileMetric {
	out := []fileMetric{}
	for _, tr := range f.Transformations {
		if tr.Source.Format != "" {
			out = append(out, fileMetric{Name: tr.Source.Object, Connection: tr.Source.Connection, Direction: "read",
				Format: tr.Source.Format})
		}
		if tr.Destination.Format != "" {
			out = append(out, fileMetric{Name: tr.Destination.Object, Connection: tr.Destination.Connection,
				Direction: "write", Format: tr.Destination.Format})
		}
	}
	return out
}
