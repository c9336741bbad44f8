package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// apiError is an error with an HTTP status; handlers return it and the router renders it in the
// Spring Boot error body Etlworks answers with (timestamp, status,
// error, message, path).
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func apiErrorf(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// badRequest is a 400 whose message names what was wrong.
func badRequest(format string, args ...any) error {
	return apiErrorf(http.StatusBadRequest, format, args...)
}

// notFound is a 404 naming the missing object.
func notFound(format string, args ...any) error {
	return apiErrorf(http.StatusNotFound, format, args...)
}

// errorBody is the JSON body of every 4xx/5xx response.
type errorBody struct {
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Path      string `json:"path"`
	Timestamp string `json:"timestamp"`
}

// writeError renders an error body. The path never includes the query string, which may carry a token.
func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	body := errorBody{Status: status, Error: http.StatusText(status), Message: msg, Path: r.URL.Path,
		Timestamp: time.Now().UTC().Format(time.RFC3339)}
	_ = writeJSON(w, status, body)
}

// writeJSON writes v as the JSON response body with the given status.
// HTML escaping is off: bodies are JSON for API clients, and "->" in names should read as written.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// writeList writes one page of a list as a bare JSON array with the X-Total-Count header.
func writeList(w http.ResponseWriter, page any, total int) error {
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	return writeJSON(w, http.StatusOK, page)
}

// pageOf copies the page [offset, offset+limit) of a list filtered in memory; past the end it is
// empty, never nil, so it renders as [].
func pageOf[T any](all []T, limit, offset int) []T {
	page := []T{}
	if offset < len(all) {
		page = append(page, all[offset:min(len(all), offset+limit)]...)
	}
	return page
}

// List paging: limit defaults to 50 and is clamped to 200.
const (
	defaultLimit = 50
	maxLimit     = 200
)

// listQuery reads the query of a list request with its paging: limit and offset.
func listQuery(r *http.Request) (q url.Values, limit, offset int, err error) {
	q = r.URL.Query()
	limit, offset = defaultLimit, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q, 0, 0, badRequest("Parameter 'limit' must be a positive integer, not '%s'", v)
		}
		limit = min(n, maxLimit)
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return q, 0, 0, badRequest("Parameter 'offset' must be a non-negative integer, not '%s'", v)
		}
		offset = n
	}
	return q, limit, offset, nil
}

// flowListQuery is listQuery for the lists that also filter by an optional flowId (schedules,
// listeners, listener messages), so that filter is read and checked the same way everywhere.
func flowListQuery(r *http.Request) (q url.Values, limit, offset int, flowID int64, err error) {
	if q, limit, offset, err = listQuery(r); err == nil {
		flowID, err = queryID(q, "flowId", false)
	}
	return q, limit, offset, flowID, err
}

// epochParam reads an optional epoch-milliseconds query parameter; 0 means absent.
func epochParam(q url.Values, name string) (int64, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, badRequest("Parameter '%s' must be epoch milliseconds, not '%s'", name, v)
	}
	return n, nil
}

// idParam parses a numeric path wildcard.
func idParam(r *http.Request, name, what string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, badRequest("Invalid %s '%s': must be a positive number", what, v)
	}
	return n, nil
}

// queryID parses a numeric query parameter; required ones report their absence.
func queryID(q url.Values, name string, required bool) (int64, error) {
	v := q.Get(name)
	if v == "" {
		if required {
			return 0, badRequest("Parameter '%s' is required", name)
		}
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, badRequest("Parameter '%s' must be a positive number, not '%s'", name, v)
	}
	return n, nil
}

// handlerFunc is an endpoint body: it gets the authenticated caller and returns an error instead
// of writing one, so error rendering lives in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p *principal) error

// endpoint wraps a handler with authentication, the role check and error rendering.
func (s *Sandbox) endpoint(min role, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authorize(r, min)
		if err == nil {
			err = h(w, r, p)
		}
		if err != nil {
			s.fail(w, r, err)
		}
	})
}

// fail renders an error returned by a handler; anything but an apiError is a 500 whose detail
// goes to the log, not to the caller.
func (s *Sandbox) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		writeError(w, r, ae.status, ae.msg)
	case s.closed.Load():
		writeError(w, r, http.StatusServiceUnavailable, "The sandbox is shutting down")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, r, http.StatusInternalServerError, "Internal error; see the sandbox log")
	}
}

// noRoute answers requests no pattern matched: 405 with Allow when the path exists for another
// method, otherwise 404, both in the standard error shape. Patterns in absent (the [I] routes of
// the documented profile) do not count as existing.
func (s *Sandbox) noRoute(mux *http.ServeMux, absent map[string]bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			if m == r.Method {
				continue
			}
			probe := r.WithContext(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" && !absent[pattern] {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("Request method '%s' is not supported", r.Method))
			return
		}
		noEndpoint(w, r)
	}
}

// recoverer turns a handler panic into a 500 so one bad request never takes the sandbox down.
func (s *Sandbox) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeError(w, r, http.StatusInternalServerError, "Internal error; see the sandbox log")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
