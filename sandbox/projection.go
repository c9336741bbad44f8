package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
)

// shape is the documented form of a response: the [I] fields the documented profile omits from
// the object (or from each object of an array), or an empty body where the answer is undocumented.
type shape struct {
	omit  []string // [I] top-level fields removed
	empty bool     // answer the status with no body (deletes: Etlworks documents no delete body)
}

// The documented shapes of the objects the sandbox serves (flows, runs, connections, schedules,
// webhooks, audit records): the fields named here are [I] stand-in extras.
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
			if out, ok := omitFields(buf.body.Bytes(), sh.omit); ok {
				w.WriteHeader(buf.status)
				_, _ = w.Write(out)
				return nil
			}
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
		return nil
	}
}

// omitFields removes the named top-level fields from a JSON object or from each object of a
// JSON array, keeping the order and the exact text of everything else. ok is false when b is
// neither (or not valid JSON); then nothing is changed.
func omitFields(b []byte, omit []string) (out []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var buf bytes.Buffer
	first, err := dec.Token()
	if err != nil {
		return nil, false
	}
	switch first {
	case json.Delim('{'):
		err = omitInObject(dec, &buf, omit)
	case json.Delim('['):
		buf.WriteByte('[')
		for i := 0; err == nil && dec.More(); i++ {
			var elem json.RawMessage
			if err = dec.Decode(&elem); err != nil {
				break
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			if trimmed, ok := omitFields(elem, omit); ok && elem[0] == '{' {
				buf.Write(bytes.TrimSpace(trimmed))
			} else {
				buf.Write(elem)
			}
		}
		if err == nil {
			_, err = dec.Token() // ']'
		}
		buf.WriteByte(']')
	default:
		return nil, false
	}
	if err != nil {
		return nil, false
	}
	buf.WriteByte('\n')
	return buf.Bytes(), true
}

// omitInObject copies the rest of an object whose '{' dec has read, without the omitted keys.
func omitInObject(dec *json.Decoder, buf *bytes.Buffer, omit []string) error {
	buf.WriteByte('{')
	n := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return err
		}
		if slices.Contains(omit, key) {
			continue
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		k, err := json.Marshal(key)
		if err != nil {
			return err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(val)
	}
	_, err := dec.Token() // '}'
	buf.WriteByte('}')
	return err
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
