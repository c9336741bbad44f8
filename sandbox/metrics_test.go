package sandbox

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

func TestMetricsDay(t *testing.T) {
	now := time.Date(2026, 5, 9, 15, 4, 5, 0, time.Local)
	cases := []struct {
		date, offset string
		want         time.Time
		err          string
	}{
		{"", "", time.Date(2026, 5, 9, 0, 0, 0, 0, time.Local), ""},
		{"", "0", time.Date(2026, 5, 9, 0, 0, 0, 0, time.Local), ""},
		{"", "9", time.Date(2026, 4, 30, 0, 0, 0, 0, time.Local), ""},
		{"2026-02-28", "", time.Date(2026, 2, 28, 0, 0, 0, 0, time.Local), ""},
		{"2026-02-30", "", time.Time{}, "YYYY-MM-DD"},
		{"09/05/2026", "", time.Time{}, "YYYY-MM-DD"},
		{"2026-05-09", "1", time.Time{}, "exclusive"},
		{"", "-1", time.Time{}, "days ago"},
		{"", "x", time.Time{}, "days ago"},
		{"", "99999", time.Time{}, "days ago"},
	}
	for _, tc := range cases {
		got, err := metricsDay(tc.date, tc.offset, now)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("date %q offset %q: err %v, want %q", tc.date, tc.offset, err, tc.err)
			}
		case err != nil || !got.Equal(tc.want):
			t.Errorf("date %q offset %q = %v, %v; want %v", tc.date, tc.offset, got, err, tc.want)
		}
	}
}

// TestMetricsExecutions checks the reporting API in both profiles against the run records:
// each day's runs grouped by flow, date and offset naming the same day, includeMetrics adding
// its fields, Administrator only.
func TestMetricsExecutions(t *testing.T) {
	t.Parallel()
	for _, profile := range Profiles() {
		t.Run(profile, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{Profile: profile})
			ctx := t.Context()
			today := time.Now()
			midnight := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.Local)

			// Past days only: today's runs may grow while the test reads them (the scheduler runs).
			for offset := 1; offset <= 3; offset++ {
				day := midnight.AddDate(0, 0, -offset)
				var byOffset, byDate []flowMetrics
				h.ok("GET", fmt.Sprintf("/rest/v1/metrics/executions?offset=%d", offset), nil, &byOffset)
				h.ok("GET", "/rest/v1/metrics/executions?date="+day.Format("2006-01-02"), nil, &byDate)
				want, _, err := h.sb.st.listExecutions(ctx, executionFilter{from: day.UnixMilli(),
					to: day.AddDate(0, 0, 1).UnixMilli() - 1, limit: maxDayExecutions})
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for i, g := range byOffset {
					if i > 0 && g.FlowID <= byOffset[i-1].FlowID {
						t.Errorf("offset %d: flows out of order or repeated at %d", offset, i)
					}
					if g.Name == "" || g.Icon == "" || len(g.Executions) == 0 {
						t.Errorf("offset %d: group %+v", offset, g)
					}
					for _, e := range g.Executions {
						if e.FlowID != g.FlowID || e.Started < day.UnixMilli() || e.Started >= day.AddDate(0, 0, 1).UnixMilli() ||
							e.executionDetail != nil {
							t.Errorf("offset %d: execution %+v in group %d", offset, e, g.FlowID)
						}
						got = append(got, e.AuditID)
					}
				}
				var ids []int64
				for _, e := range want {
					ids = append(ids, e.AuditID)
				}
				slices.Sort(got)
				slices.Sort(ids)
				if !slices.Equal(got, ids) || len(ids) == 0 {
					t.Errorf("offset %d: runs %v, want %v", offset, got, ids)
				}
				if !reflect.DeepEqual(byOffset, byDate) {
					t.Errorf("offset %d and date %s differ", offset, day.Format("2006-01-02"))
				}
			}

			t.Run("a new run appears today, with metrics on request", func(t *testing.T) {
				h := h.with(t)
				id := h.flowID("Daily revenue rollup")
				e := h.wait(id, h.run(id, "", nil))
				var groups []map[string]any
				h.ok("GET", "/rest/v1/metrics/executions?offset=0&includeMetrics=true", nil, &groups)
				found := false
				for _, g := range groups {
					for _, x := range g["executions"].([]any) {
						ex := x.(map[string]any)
						for _, k := range []string{"metrics", "fileMetrics", "exception"} {
							if _, ok := ex[k]; !ok {
								t.Errorf("includeMetrics: execution lacks %q: %v", k, ex)
							}
						}
						if int64(ex["auditId"].(float64)) == e.AuditID {
							found = true
							if ex["status"] != model.StatusError || ex["exception"] == nil || ex["user"] != demoLogin {
								t.Errorf("the failed run = %v", ex)
							}
						}
					}
				}
				if !found {
					t.Errorf("run %d is not in today's metrics", e.AuditID)
				}
			})

			t.Run("errors and roles", func(t *testing.T) {
				h := h.with(t)
				const path = "/rest/v1/metrics/executions"
				wantError(t, h.call("GET", path+"?date=2026-05-09&offset=1", h.key, nil), http.StatusBadRequest, path)
				wantError(t, h.call("GET", path+"?date=yesterday", h.key, nil), http.StatusBadRequest, path)
				wantError(t, h.call("GET", path+"?includeMetrics=maybe", h.key, nil), http.StatusBadRequest, path)
				wantError(t, h.call("GET", path+"?tenantId=1", h.key, nil), http.StatusForbidden, path)
				wantError(t, h.call("GET", path, "", nil), http.StatusUnauthorized, path)
				for _, login := range []string{"bob", "carol", "victor"} {
					wantError(t, h.call("GET", path, h.userKey(login), nil), http.StatusForbidden, path)
				}
			})
		})
	}
}
