package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/engine"
)

// listSchedulesHandler serves GET /v1/schedules: filters name (substring), flowId and enabled.
func (s *Sandbox) listSchedulesHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q, limit, offset, flowID, err := flowListQuery(r)
	if err != nil {
		return err
	}
	sf := scheduleFilter{name: q.Get("name"), flowID: flowID, limit: limit, offset: offset}
	if v := q.Get("enabled"); v != "" {
		b, err := boolParam(q, "enabled")
		if err != nil {
			return err
		}
		sf.enabled = &b
	}
	list, total, err := s.st.listSchedules(r.Context(), sf)
	if err != nil {
		return err
	}
	return writeList(w, list, total)
}

// scheduleFromPath loads the schedule named by the {id} wildcard, or returns a 404.
func (s *Sandbox) scheduleFromPath(r *http.Request) (*schedule, error) {
	return loadFromPath(r, "Schedule", s.st.getSchedule)
}

// getScheduleHandler serves GET /v1/schedules/{id}.
func (s *Sandbox) getScheduleHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return answerLoaded(w, r, s.scheduleFromPath, asIs[*schedule])
}

// createScheduleHandler serves POST /v1/schedules; enabled defaults to true. Answers 200 with the schedule.
func (s *Sandbox) createScheduleHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	started := time.Now()
	sc := &schedule{Enabled: true}
	var id int64
	return s.mutate(r, p, started, mutation{md: "addSchedule", body: sc,
		check: func() error { return s.normalizeSchedule(r.Context(), sc, 0) },
		save: func() (err error) {
			sc.ID, sc.CreatedAt = 0, 0
			id, err = insertSchedule(r.Context(), s.st.db, sc, started.UnixMilli())
			return uniqueName(err, "schedule", sc.Name)
		},
		payload: func() map[string]any {
			return map[string]any{"scheduleId": id, "name": sc.Name, "flowId": sc.FlowID, "schedule": sc.Schedule}
		},
		answer: func() error { return s.writeSchedule(w, r, id) },
	})
}

// updateScheduleHandler serves PUT /v1/schedules/{id}. The body is merged into the schedule:
// fields it leaves out keep their values; read-only fields (id, nextRun, …) are ignored.
func (s *Sandbox) updateScheduleHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.scheduleFromPath, func(old *schedule, started time.Time) error {
		sc := *old
		sc.Tags, sc.Parameters = append([]string{}, old.Tags...), nil
		return s.mutate(r, p, started, mutation{md: "editSchedule", body: &sc,
			check: func() error {
				if sc.Parameters == nil {
					sc.Parameters = old.Parameters
				}
				return s.normalizeSchedule(r.Context(), &sc, old.ID)
			},
			save: func() error {
				sc.ID = old.ID
				restart := sc.Schedule != old.Schedule || (sc.Enabled && !old.Enabled)
				return uniqueName(s.st.updateSchedule(r.Context(), &sc, restart, started.UnixMilli()), "schedule", sc.Name)
			},
			payload: func() map[string]any { return map[string]any{"scheduleId": old.ID, "name": old.Name} },
			answer:  func() error { return s.writeSchedule(w, r, old.ID) },
		})
	})
}

// deleteScheduleHandler serves DELETE /v1/schedules/{id}: the schedule moves to the recycle bin.
func (s *Sandbox) deleteScheduleHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.scheduleFromPath, func(sc *schedule, started time.Time) error {
		return s.deleteToBin(w, r, p, started, "deleteSchedule", "schedule", sc.ID, sc.Name, func() (int64, error) {
			return s.st.deleteSchedule(r.Context(), sc, p.Login, started.UnixMilli())
		})
	})
}

// deletedArtifact is the answer to deleting a schedule or listener: where it went, for a restore.
type deletedArtifact struct {
	ArtifactType string `json:"artifactType"`
	ArtifactID   int64  `json:"artifactId"`
	Name         string `json:"name"`
	RecycleBinID int64  `json:"recycleBinId"`
}

// enableScheduleHandler serves POST /v1/schedules/{id}/pause (enable=false) and /resume; both
// are idempotent. Resuming restarts interval counting.
func (s *Sandbox) enableScheduleHandler(enable bool) handlerFunc {
	md := "pauseSchedule"
	if enable {
		md = "resumeSchedule"
	}
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		return withLoaded(r, s.scheduleFromPath, func(sc *schedule, started time.Time) error {
			restart := enable && !sc.Enabled
			sc.Enabled = enable
			err := s.st.updateSchedule(r.Context(), sc, restart, started.UnixMilli())
			return s.audited(r, p, started, md, map[string]any{"scheduleId": sc.ID, "name": sc.Name}, err,
				func() error { return s.writeSchedule(w, r, sc.ID) })
		})
	}
}

// rescheduleHandler serves POST /v1/schedules/{id}/reschedule {"schedule": "<cron or interval>"}.
func (s *Sandbox) rescheduleHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.scheduleFromPath, func(sc *schedule, started time.Time) error {
		var body struct {
			Schedule string `json:"schedule"`
		}
		old := sc.Schedule
		err := decodeJSON(r, &body)
		if err == nil {
			_, err = parseSchedule(body.Schedule)
		}
		if err == nil {
			sc.Schedule = strings.TrimSpace(body.Schedule)
			err = s.st.updateSchedule(r.Context(), sc, true, started.UnixMilli())
		}
		return s.audited(r, p, started, "rescheduleSchedule", map[string]any{"scheduleId": sc.ID, "name": sc.Name, "from": old,
			"to": body.Schedule}, err, func() error { return s.writeSchedule(w, r, sc.ID) })
	})
}

// runScheduleHandler serves POST /v1/schedules/{id}/run[?sync=true]: the schedule's flow runs now
// with its parameters, as the caller, and the execution carries the schedule as eventId/eventName.
// A paused schedule can still be run by hand, as in the UI.
func (s *Sandbox) runScheduleHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	sc, err := s.scheduleFromPath(r)
	if err != nil {
		return err
	}
	wait, err := boolParam(r.URL.Query(), "sync")
	if err != nil {
		return err
	}
	f, err := s.st.getFlow(r.Context(), sc.FlowID)
	if errors.Is(err, errNotFound) {
		return apiErrorf(http.StatusConflict, "Schedule %d '%s' runs flow %d, which no longer exists", sc.ID, sc.Name, sc.FlowID)
	}
	if err != nil {
		return err
	}
	hip, cip := requestIPs(r)
	resp, err := s.launch(r.Context(), engine.Request{Flow: f, Params: expandParams(sc.Parameters, time.Now()), User: p.Login,
		HostIP: hip, ClientIP: cip, EventID: &sc.ID, EventName: &sc.Name}, wait)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}

// writeSchedule answers with the stored schedule.
func (s *Sandbox) writeSchedule(w http.ResponseWriter, r *http.Request, id int64) error {
	sc, err := s.st.getSchedule(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sc)
}

// normalizeSchedule validates a schedule from POST or PUT; errors are 400s naming the field.
func (s *Sandbox) normalizeSchedule(ctx context.Context, sc *schedule, selfID int64) error {
	if err := s.st.checkName(ctx, "schedules", "schedule", &sc.Name, selfID); err != nil {
		return err
	}
	if sc.FlowID == 0 {
		return badRequest("Field 'flowId' is required: the id of the flow to run")
	}
	if _, err := s.st.getFlow(ctx, sc.FlowID); errors.Is(err, errNotFound) {
		return badRequest("Field 'flowId': flow %d not found", sc.FlowID)
	} else if err != nil {
		return err
	}
	sc.Schedule = strings.TrimSpace(sc.Schedule)
	if _, err := parseSchedule(sc.Schedule); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"retries", sc.Retries}, {"delayBetweenRetries", sc.DelayBetweenRetries}, {"expectedTime", sc.ExpectedTime}, {"logStep", sc.LogStep}} {
		if f.v < 0 {
			return badRequest("Field '%s' must not be negative", f.name)
		}
	}
	for _, e := range strings.Fields(sc.Emails) {
		if !strings.Contains(e, "@") {
			return badRequest("Field 'emails': '%s' is not an e-mail address; separate addresses with spaces", e)
		}
	}
	sc.Tags = cleanTags(sc.Tags)
	sc.fillEmpty()
	return nil
}

// expandParams copies schedule parameters for one run, replacing the token {today} with the run
// date (yyyy-MM-dd), so a daily schedule can pass the date it runs for.
func expandParams(params map[string]string, at time.Time) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		out[k] = strings.ReplaceAll(v, "{today}", at.Format(time.DateOnly))
	}
	return out
}

// launch starts a run for a schedule or a listener and answers like POST /v1/flows/{id}/run: status
// 0 at once, or with wait the terminal code; 3 with the reason when the flow is suspended or busy.
func (s *Sandbox) launch(ctx context.Context, req engine.Request, wait bool) (execResponse, error) {
	resp := execResponse{FlowID: req.Flow.ID, MessageUUID: req.MessageID}
	if req.Flow.Suspended {
		resp.Status = codeNotStarted
		resp.Exception = new(fmt.Sprintf("Flow '%s' is suspended; resume it before running it", req.Flow.Name))
		return resp, nil
	}
	ar, refused, err := s.eng.Start(req)
	if errors.Is(err, engine.ErrClosed) {
		return resp, apiErrorf(http.StatusServiceUnavailable, "The sandbox is shutting down")
	}
	if err != nil {
		return resp, err
	}
	if refused != "" {
		resp.Status, resp.Exception = codeNotStarted, &refused
		return resp, nil
	}
	resp.AuditID = &ar.AuditID
	if !wait {
		return resp, nil
	}
	select {
	case <-ar.Done:
	case <-ctx.Done():
		return resp, ctx.Err()
	}
	e, err := s.st.getExecution(ctx, ar.AuditID)
	if err != nil {
		return resp, err
	}
	resp.Status, resp.Exception = responseCode(e.Status), e.Exception
	return resp, nil
}
