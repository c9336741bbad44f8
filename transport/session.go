package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/internal/telemetry"
)

// sessionGate enforces the session rules of the legacy (pre-2026-07-28) streamable HTTP
// protocol in front of mcp-go, which leaves three holes: GET and DELETE are served for any
// Mcp-Session-Id (a GET even opens a stream on a session it invents), and a failed initialize
// still hands out a session on which every method is then served. The gate asks the same
// SessionIdManager mcp-go uses, so both agree on which sessions exist:
//
//   - a request naming a session that was never issued, was deleted or was ended gets 404 with a
//     JSON-RPC error, whatever its method;
//   - a GET or DELETE without Mcp-Session-Id gets 400, and so does a POST stating a legacy
//     protocol version (requests that state none pass, for 2025-03-26 clients, and mcp-go answers);
//   - an initialize whose answer is an error does not open a session: the session mcp-go created
//     for it is ended and its id is not sent, so nothing can be called "before initialize".
//
// Requests of the stateless 2026-07-28 protocol have no sessions and pass unchanged. The gate
// runs after limitBody, so a POST body is already in memory.
type sessionGate struct {
	ids  server.SessionIdManager
	mcp  http.Handler // mcp-go's handler, through which a failed initialize's session is ended
	log  *slog.Logger
	next http.Handler
}

// rpcHead is the part of a JSON-RPC message the gate needs. Params stay raw: a message whose
// params are malformed still has a method (an initialize with bad params must not open a session).
type rpcHead struct {
	ID     any             `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

// modern reports whether the message states the 2026-07-28 protocol in its _meta.
func (h rpcHead) modern() bool {
	var p struct {
		Meta *mcp.Meta `json:"_meta"`
	}
	return json.Unmarshal(h.Params, &p) == nil && mcp.IsModernProtocol(p.Meta.ProtocolVersion())
}

func (g *sessionGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	version := r.Header.Get(mcp.HeaderProtocolVersion)
	if mcp.IsModernProtocol(version) {
		g.next.ServeHTTP(w, r)
		return
	}
	id := r.Header.Get(server.HeaderKeySessionID)
	var head rpcHead
	switch r.Method {
	case http.MethodPost:
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil || json.Unmarshal(body, &head) != nil || head.modern() {
			g.next.ServeHTTP(w, r) // mcp-go answers malformed and modern messages itself
			return
		}
		if head.Method == string(mcp.MethodInitialize) {
			g.initialize(w, r)
			return
		}
		if id == "" && mcp.IsValidProtocolVersion(version) {
			g.refuse(w, http.StatusBadRequest, head.ID, "Bad Request: Mcp-Session-Id header is required; send initialize first to open a session")
			return
		}
	case http.MethodGet, http.MethodDelete:
		if id == "" {
			g.refuse(w, http.StatusBadRequest, nil, "Bad Request: Mcp-Session-Id header is required; send initialize first to open a session")
			return
		}
	}
	if id != "" {
		if terminated, err := g.ids.Validate(id); err != nil || terminated {
			g.log.Debug("refused a request for an unknown session", "method", r.Method, "session", telemetry.SessionHash(id))
			g.refuse(w, http.StatusNotFound, head.ID, "Not Found: no such session (it ended, expired or never existed); send initialize to open a new one")
			return
		}
	}
	g.next.ServeHTTP(w, r)
}

func (g *sessionGate) refuse(w http.ResponseWriter, status int, id any, message string) {
	writeErrorFor(w, status, id, codeInvalidRequest, message)
}

// initialize lets mcp-go answer an initialize, then checks the answer before the client sees it:
// when it is a JSON-RPC error, the session mcp-go opened for it is ended and its id withheld.
// The answer is buffered (it is small), which also keeps it plain JSON rather than SSE.
func (g *sessionGate) initialize(w http.ResponseWriter, r *http.Request) {
	rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	g.next.ServeHTTP(rec, r)
	if id := rec.header.Get(server.HeaderKeySessionID); id != "" && !succeeded(rec.body.Bytes()) {
		rec.header.Del(server.HeaderKeySessionID)
		g.end(r, id)
		g.log.Debug("initialize failed; its session was ended", "session", telemetry.SessionHash(id))
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// end closes a session through mcp-go's own DELETE, which also frees the session's state.
func (g *sessionGate) end(r *http.Request, id string) {
	req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), http.MethodDelete, r.URL.String(), nil)
	if err != nil {
		return
	}
	req.Host = r.Host
	req.Header.Set(server.HeaderKeySessionID, id)
	g.mcp.ServeHTTP(&bufferedResponse{header: http.Header{}}, req)
}

// succeeded reports whether a JSON-RPC answer carries a result rather than an error.
func succeeded(body []byte) bool {
	var answer struct {
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	return json.Unmarshal(body, &answer) == nil && len(answer.Result) > 0 && len(answer.Error) == 0
}

// bufferedResponse collects a response in memory. It is deliberately not an http.Flusher, so
// mcp-go answers with plain JSON.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
