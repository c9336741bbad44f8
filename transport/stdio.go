package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/tidwall/gjson"
)

// stdioDrainTimeout bounds how long ServeStdio keeps going after its input closes while requests
// it has read are still unanswered. It matches the default per-request timeout to Etlworks, so a
// tool call that was already running can finish instead of being cancelled mid-flight.
const stdioDrainTimeout = 30 * time.Second

// ServeStdio serves s over newline-delimited JSON-RPC on in and out until in reaches EOF, out
// can no longer be written (the client closed its end) or ctx is done; all three count as a
// normal stop and return nil, so the caller cleans up as on any other exit.
//
// Only JSON-RPC messages are written to out: mcp-go's own error log is routed through log (which
// must not write to out; the caller tags it, e.g. with component=stdio; nil discards). When in closes, requests that were already read are answered before
// ServeStdio returns (for up to stdioDrainTimeout), so `printf '...' | etlworks-mcp` gets every
// answer; plain mcp-go would cancel them, and would also drop a last line lacking its newline.
//
// mcp-go keeps the stdio session in a package-level variable, so only one ServeStdio may run in
// a process at a time.
func ServeStdio(ctx context.Context, s *server.MCPServer, in io.Reader, out io.Writer, log *slog.Logger) error {
	log = orDiscard(log)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pending := newInflight()
	ss := server.NewStdioServer(s)
	ss.SetErrorLogger(stdLogger(log, slog.LevelError))

	reader := &drainingReader{r: in, pending: pending, ctx: ctx, log: log}
	var once sync.Once
	writer := &trackingWriter{w: out, pending: pending, failed: func(err error) {
		once.Do(func() {
			log.Info("cannot write to the client (it closed our output); stopping", "err", err)
			cancel()
		})
	}}
	err := ss.Listen(ctx, reader, writer)
	if err == nil || (ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))) {
		return nil
	}
	return fmt.Errorf("stdio: %w", err)
}

// inflight counts requests read from the client that have not been answered yet, by JSON-RPC id.
type inflight struct {
	mu      sync.Mutex
	ids     map[string]int
	changed chan struct{} // receives a token whenever a request is answered
}

func newInflight() *inflight {
	return &inflight{ids: make(map[string]int), changed: make(chan struct{}, 1)}
}

func (f *inflight) add(id string) {
	f.mu.Lock()
	f.ids[id]++
	f.mu.Unlock()
}

func (f *inflight) done(id string) {
	f.mu.Lock()
	if n := f.ids[id]; n > 1 {
		f.ids[id] = n - 1
	} else {
		delete(f.ids, id)
	}
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *inflight) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.ids)
}

// wait blocks until every request is answered, ctx is done or timeout passes, and returns how
// many requests were still open.
func (f *inflight) wait(ctx context.Context, timeout time.Duration) int {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		n := f.count()
		if n == 0 {
			return 0
		}
		select {
		case <-f.changed:
		case <-ctx.Done():
			return n
		case <-timer.C:
			return n
		}
	}
}

// idKey reads one line and returns a key for its id, and whether it is a request (a method and
// an id) rather than a response (an id only). Numbers and strings with the same digits get
// different keys, as JSON-RPC requires. ok is false for notifications and non-JSON lines. Every
// line in and out passes here, results of several KB included, so it checks and scans the line
// without decoding it.
func idKey(line []byte) (key string, isRequest, ok bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' || !gjson.ValidBytes(line) {
		return "", false, false
	}
	fields := gjson.GetManyBytes(line, "id", "method")
	switch id := fields[0]; id.Type {
	case gjson.Number:
		key = "number:" + strconv.FormatFloat(id.Num, 'g', -1, 64)
	case gjson.String:
		key = "string:" + id.Str
	default: // absent or null: a notification, or an error answer to an unreadable request
		return "", false, false
	}
	return key, fields[1].Exists(), true
}

// lineSplitter accumulates bytes and hands out complete lines.
type lineSplitter struct{ partial []byte }

func (l *lineSplitter) feed(p []byte, each func(line []byte)) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.partial = append(l.partial, p...)
			return
		}
		if len(l.partial) > 0 {
			each(append(l.partial, p[:i]...))
			l.partial = l.partial[:0]
		} else {
			each(p[:i])
		}
		p = p[i+1:]
	}
}

// drainingReader wraps the client's input. It records the id of every request passing through,
// and at EOF it first completes an unterminated last line, then holds the EOF back until those
// requests are answered: mcp-go cancels in-flight requests as soon as it sees EOF.
type drainingReader struct {
	r       io.Reader
	pending *inflight
	ctx     context.Context
	log     *slog.Logger
	lines   lineSplitter
	sawEOF  bool
	drained bool
}

func (d *drainingReader) Read(p []byte) (int, error) {
	if d.sawEOF {
		return d.finish(p)
	}
	n, err := d.r.Read(p)
	d.lines.feed(p[:n], d.track)
	if errors.Is(err, io.EOF) {
		d.sawEOF = true
		if n > 0 {
			return n, nil
		}
		return d.finish(p)
	}
	return n, err
}

func (d *drainingReader) track(line []byte) {
	if key, isRequest, ok := idKey(line); ok && isRequest {
		d.pending.add(key)
	}
}

func (d *drainingReader) finish(p []byte) (int, error) {
	if len(d.lines.partial) > 0 && len(p) > 0 {
		d.track(d.lines.partial)
		d.lines.partial = nil
		p[0] = '\n'
		return 1, nil
	}
	if !d.drained {
		d.drained = true
		if open := d.pending.wait(d.ctx, stdioDrainTimeout); open > 0 && d.ctx.Err() == nil {
			d.log.Warn("input closed; stopping with requests still unanswered", "open", open, "waited", stdioDrainTimeout)
		}
	}
	return 0, io.EOF
}

// trackingWriter wraps the client's output and marks requests answered once their response has
// been written. Writes are serialised so that concurrent writers cannot interleave lines. A
// failed write (EPIPE once the client closed the pipe) is reported to failed: mcp-go only logs
// it and would go on serving a client that can no longer hear anything.
type trackingWriter struct {
	mu      sync.Mutex
	w       io.Writer
	pending *inflight
	lines   lineSplitter
	failed  func(error)
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, err := t.w.Write(p)
	if err != nil && t.failed != nil {
		t.failed(err)
	}
	t.lines.feed(p[:n], func(line []byte) {
		if key, isRequest, ok := idKey(line); ok && !isRequest {
			t.pending.done(key)
		}
	})
	return n, err
}
