package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// shape is the documented form of a response: the [I] fields the documented profile omits from
// the object (or from each object of an array), or an empty body where the answer is undocumented.
type shape struct {
	omit  []string // [I] top-level fields removed
	empty bool     // answer the status with no body (deletes: etlworks-api.md §10.1)
}

// The documented shapes of the objects the sandbox serves (etlworks-api.md §3.1, §3.4, §4.1,
// §5.1, §5.2, §6.1): the fields named here are [I] stand-in extras.
var (
	flowShape       = shape{omit: []string{"suspended", "createdAt", "updatedAt", "lastRunStatus", "lastRunAt"}}
	executionShape  = shape{omit: []string{"started", "ended", "user", "records", "exception"}}
	connectionShape = shape{omit: []string{"createdAt", "updatedAt"}}
	scheduleShape   = shape{omit: []string{"parameters", "flowName", "nextRun", "nextRuns", "lastRunStatus", "lastRunAt",
		"createdAt", "updatedAt"}}
	webhookShape = shape{omit: []string{"lastDelivery", "createdAt", "updatedAt"}}
	auditShape   = shape{omit: []string{"objectType", "objectId", "objectName", "payload"}}
	deletedShape = shape{empty: true}
)

// wrap returns the documented-profile handler of a route: its own handler when it has one, the
// request trimmed of [I] parameters (and of its body when the documented request has none), and
// the response projected to the documented shape.
func (v docView) wrap(h handlerFunc) handlerFunc {
	if v.h != nil {
		h = v.h
	}
	if len(v.shape.omit) > 0 || v.shape.empty {
		h = v.shape.project(h)
	}
	if len(v.ignore) == 0 && !v.noBody {
		return h
	}
	inner := h
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		return inner(w, trimRequest(r, v.ignore, v.noBody), p)
	}
}

// trimRequest returns r without the named query parameters and, when noBody is set, without its body.
func trimRequest(r *http.Request, ignore []string, noBody bool) *http.Request {
	r2 := r.Clone(r.Context())
	if len(ignore) > 0 {
		q := r2.URL.Query()
		for _, name := range ignore {
			q.Del(name)
		}
		r2.URL.RawQuery = q.Encode()
	}
	if noBody {
		r2.Body, r2.ContentLength = http.NoBody, 0
		r2.Header.Del("Content-Type")
	}
	return r2
}

// project runs h into a buffer and writes its answer in this shape. Errors and non-JSON answers
// pass through unchanged; so does a body that is not an object or an array of objects.
func (sh shape) project(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		buf := &bufferedResponse{header: http.Header{}}
		if err := h(buf, r, p); err != nil {
			return err
		}
		for k, vs := range buf.header {
			w.Header()[k] = vs
		}
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		ok := buf.status >= 200 && buf.status < 300
		switch {
		case ok && sh.empty:
			w.Header().Del("Content-Type")
			w.Header().Del("Content-Length")
			w.WriteHeader(buf.status)
			return nil
		case ok && buf.header.Get("Content-Type") == "application/json":
			if out, changed := omitFields(buf.body.Bytes(), sh.omit); changed {
				return writeJSON(w, buf.status, out)
			}
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
		return nil
	}
}

// omitFields removes the named top-level fields from a JSON object or from each object of a
// JSON array. Numbers keep their exact text. changed is false when b is neither.
func omitFields(b []byte, omit []string) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	drop := func(x any) {
		if m, ok := x.(map[string]any); ok {
			for _, k := range omit {
				delete(m, k)
			}
		}
	}
	switch t := v.(type) {
	case map[string]any:
		drop(t)
	case []any:
		for _, x := range t {
			drop(x)
		}
	default:
		return nil, false
	}
	return v, true
}

// bufferedResponse is an http.ResponseWriter that keeps the answer for a projection.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
