package sandbox

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/cron"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/engine"
)

// maxSchedulerTick is the scheduler's coarsest precision; with a small RunStep (tests) it ticks
// as often as RunStep, so sub-second intervals fire on time.
const maxSchedulerTick = time.Second

// schedulerReload bounds how long a schedule change made behind the API's back goes unseen.
const schedulerReload = 30 * time.Second

// scheduler fires enabled schedules: one goroutine wakes every tick, re-reads the schedules when a
// mutation marked them dirty, and starts the runs that are due as user "scheduler". Runs that were
// due while the sandbox was down are skipped, and a run refused because the flow is still running
// (or suspended) is skipped too, not queued.
type scheduler struct {
	s     *Sandbox
	tick  time.Duration
	dirty atomic.Bool
	scans atomic.Int64 // completed scans; tests wait on it instead of sleeping

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	// owned by the loop goroutine
	entries  map[int64]*schedEntry
	loadedAt time.Time
}

// schedEntry is an enabled schedule and when it fires next.
type schedEntry struct {
	sc   *schedule
	spec cron.Spec
	key  string // expression and anchor: when either changes, next is computed afresh
	next time.Time
}

func newScheduler(s *Sandbox, tick time.Duration) *scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	sc := &scheduler{s: s, tick: max(tick, time.Millisecond), ctx: ctx, cancel: cancel, done: make(chan struct{}),
		entries: map[int64]*schedEntry{}}
	sc.dirty.Store(true)
	return sc
}

// start runs the loop until close.
func (sc *scheduler) start() {
	go func() {
		defer close(sc.done)
		t := time.NewTicker(sc.tick)
		defer t.Stop()
		for {
			select {
			case <-sc.ctx.Done():
				return
			case <-t.C:
				sc.scan(time.Now())
			}
		}
	}()
}

// close stops the loop and waits for it; safe to call more than once.
func (sc *scheduler) close() {
	sc.once.Do(func() {
		sc.cancel()
		<-sc.done
	})
}

// touch makes the next scan re-read the schedules.
func (sc *scheduler) touch() { sc.dirty.Store(true) }

// scan fires every schedule that is due at now.
func (sc *scheduler) scan(now time.Time) {
	defer sc.scans.Add(1)
	if sc.dirty.Swap(false) || now.Sub(sc.loadedAt) > schedulerReload {
		if err := sc.load(now); err != nil {
			if sc.ctx.Err() == nil {
				sc.s.log.Error("scheduler: read schedules", "err", err)
				sc.dirty.Store(true)
			}
			return
		}
	}
	for _, e := range sc.entries {
		if e.next.IsZero() || now.Before(e.next) {
			continue
		}
		sc.fire(e, now)
		e.next = e.spec.Next(now, time.UnixMilli(e.sc.anchor))
	}
}

// load re-reads the enabled schedules, keeping the next fire time of those whose timing is unchanged.
func (sc *scheduler) load(now time.Time) error {
	on := true
	list, _, err := sc.s.st.listSchedules(sc.ctx, scheduleFilter{enabled: &on})
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, s := range list {
		seen[s.ID] = true
		key := s.Schedule + "\x00" + time.UnixMilli(s.anchor).String()
		if e, ok := sc.entries[s.ID]; ok && e.key == key {
			e.sc = s
			continue
		}
		spec, err := parseSchedule(s.Schedule)
		if err != nil {
			sc.s.log.Warn("scheduler: invalid schedule skipped", "scheduleId", s.ID, "err", err)
			delete(sc.entries, s.ID)
			continue
		}
		sc.entries[s.ID] = &schedEntry{sc: s, spec: spec, key: key, next: spec.Next(now, time.UnixMilli(s.anchor))}
	}
	for id := range sc.entries {
		if !seen[id] {
			delete(sc.entries, id)
		}
	}
	sc.loadedAt = now
	return nil
}

// fire starts one scheduled run as user "scheduler", with the schedule as eventId/eventName.
func (sc *scheduler) fire(e *schedEntry, now time.Time) {
	log := sc.s.log.With("scheduleId", e.sc.ID, "flowId", e.sc.FlowID)
	f, err := sc.s.st.getFlow(sc.ctx, e.sc.FlowID)
	switch {
	case errors.Is(err, errNotFound):
		log.Warn("scheduler: the schedule's flow no longer exists")
		return
	case err != nil:
		if sc.ctx.Err() == nil {
			log.Error("scheduler: load flow", "err", err)
		}
		return
	case f.Suspended:
		log.Info("scheduler: flow is suspended; run skipped")
		return
	}
	id, name := e.sc.ID, e.sc.Name
	_, refused, err := sc.s.eng.Start(engine.Request{Flow: f, Params: expandParams(e.sc.Parameters, now), User: "scheduler",
		HostIP: "127.0.0.1", EventID: &id, EventName: &name})
	switch {
	case errors.Is(err, engine.ErrClosed):
	case err != nil:
		log.Error("scheduler: start run", "err", err)
	case refused != "":
		log.Info("scheduler: run skipped", "reason", refused)
	default:
		log.Debug("scheduler: run started")
	}
}
