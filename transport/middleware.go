package transport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// JSON-RPC error codes used in transport-level error bodies.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeInternalError  = -32603
)

// writeError answers with an HTTP status and a JSON-RPC error body (id null), the shape MCP
// clients already know how to show, rather than a bare text page.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeErrorFor(w, status, nil, code, message)
}

// writeErrorFor is writeError answering the request with this JSON-RPC id (nil when unknown).
func writeErrorFor(w http.ResponseWriter, status int, id any, code int, message string) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // messages show placeholders such as <your Etlworks API key> as typed
	_ = enc.Encode(map[string]any{
		"jsonrpc": "2.0",
		"id":      id,
		"error":   map[string]any{"code": code, "message": message},
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body.Bytes())
}

// limitBody reads a POST body up to max bytes before mcp-go sees it. mcp-go itself reads bodies
// with no limit, and wrapping the body in http.MaxBytesReader would surface as a 400 parse error;
// reading here lets an oversized request get the proper 413.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		tooLarge := func() {
			writeError(w, http.StatusRequestEntityTooLarge, codeInvalidRequest,
				fmt.Sprintf("request body exceeds the %d-byte limit", max))
		}
		if r.ContentLength > max {
			tooLarge()
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			writeError(w, http.StatusBadRequest, codeParseError, "cannot read the request body: "+err.Error())
			return
		}
		if int64(len(body)) > max {
			tooLarge()
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// observe wraps every request with panic recovery and a debug-level access log. The log records
// method, path, status, size, duration and peer, and never header values, so Authorization
// tokens and session ids stay out of it.
func observe(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic serving HTTP request", "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.wrote {
					// Part of a response is out; abort the connection so the client sees a failure
					// instead of a truncated success.
					panic(http.ErrAbortHandler)
				}
				writeError(rec, http.StatusInternalServerError, codeInternalError, "internal server error")
			}
			log.LogAttrs(r.Context(), slog.LevelDebug, "http request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", rec.statusCode()),
				slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("remote", r.RemoteAddr),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status and size of a response for the access log. It implements
// http.Flusher, which mcp-go requires for SSE, and Unwrap for http.ResponseController.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote && code >= 200 {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) Flush() {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) statusCode() int {
	if !r.wrote {
		return http.StatusOK // net/http sends 200 for a handler that writes nothing
	}
	return r.status
}
