package client

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHistoryPagesRunHistoryRoute: a window of more runs than one page of GET /v1/executions
// allows (200) is read page by page up to the limit.
func TestHistoryPagesRunHistoryRoute(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	const total = 450
	started := time.Now().Add(-time.Hour).UnixMilli()
	var asked []string
	mux.HandleFunc("GET /rest/v1/executions", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		asked = append(asked, fmt.Sprintf("%d+%d", offset, limit))
		if limit > 200 {
			t.Errorf("page of %d rows asked, Etlworks allows 200", limit)
		}
		var rows []string
		for i := offset; i < min(total, offset+limit); i++ {
			rows = append(rows, fmt.Sprintf(`{"flowId":7,"auditId":%d,"status":"success","started":%d}`, total-i, started-int64(i)))
		}
		fmt.Fprint(w, "["+strings.Join(rows, ",")+"]")
	})
	h, err := c.Executions.History(t.Context(), HistoryOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Runs) != total || h.Runs[0].AuditID != total || h.Runs[total-1].AuditID != 1 {
		t.Fatalf("got %d runs, want all %d newest first (pages asked %v)", len(h.Runs), total, asked)
	}
	if strings.Join(asked, " ") != "0+200 200+200 400+200" {
		t.Errorf("pages asked %v", asked)
	}
	asked = nil
	if h, err = c.Executions.History(t.Context(), HistoryOptions{Limit: 250}); err != nil || len(h.Runs) != 250 {
		t.Fatalf("limit 250: %d runs, %v", len(h.Runs), err)
	}
	if strings.Join(asked, " ") != "0+200 200+50" {
		t.Errorf("pages asked for 250 runs: %v", asked)
	}
}

// TestHistoryExceptionsFromReport: Exceptions asks the reporting API for includeMetrics, which
// carries the runs' exception messages.
func TestHistoryExceptionsFromReport(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	today := time.Now().UTC().Format(time.DateOnly)
	started := time.Now().Add(-time.Hour).UnixMilli()
	mux.HandleFunc("/rest/", notFound)
	mux.HandleFunc("GET /rest/v1/metrics/executions", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("includeMetrics") != "true" {
			t.Errorf("report query %v, want includeMetrics=true", r.URL.Query())
		}
		if r.URL.Query().Get("date") != today {
			fmt.Fprint(w, `[]`)
			return
		}
		fmt.Fprintf(w, `[{"flowId":8,"name":"Other","executions":[{"flowId":8,"auditId":43,"status":"error","started":%d,"ended":%d,"records":0,
			"metrics":{"records":0},"fileMetrics":[],"exception":"java.sql.SQLException: no such column: amount_usd"}]}]`, started, started+10)
	})
	h, err := c.Executions.History(t.Context(), HistoryOptions{Exceptions: true, Since: time.Now().AddDate(0, 0, -1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Runs) != 1 || !strings.Contains(h.Runs[0].Exception, "amount_usd") {
		t.Fatalf("runs %+v", h.Runs)
	}
}
