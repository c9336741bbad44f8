package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// Defaults applied by NewHTTPHandler and ServeHTTP to zero HTTPOptions fields.
const (
	// DefaultHTTPAddr is loopback-only: the endpoint has no authentication of its own.
	DefaultHTTPAddr = "127.0.0.1:8931"
	// DefaultMaxBodyBytes is far above any MCP request the tools take, yet small enough that a
	// runaway client cannot make the server buffer arbitrary amounts of memory.
	DefaultMaxBodyBytes = 4 << 20
	// DefaultShutdownTimeout is how long in-flight requests get to finish on shutdown.
	DefaultShutdownTimeout = 5 * time.Second
)

// readHeaderTimeout stops slow-loris clients from holding connections open; there is no overall
// read or write timeout because SSE responses legitimately stay open.
const readHeaderTimeout = 10 * time.Second

// Paths served by NewHTTPHandler.
const (
	// MCPPath is the streamable HTTP endpoint, the path MCP clients are configured with.
	MCPPath = "/mcp"
	// HealthPath answers liveness probes (load balancers, container runtimes) without touching
	// MCP or Etlworks.
	HealthPath = "/healthz"
)

// HTTPOptions configures the streamable HTTP transport. The zero value is usable.
type HTTPOptions struct {
	// Addr is the host:port ServeHTTP listens on; "" means DefaultHTTPAddr, and port 0 picks a
	// free port (reported to ServeHTTP's ready callback).
	Addr string
	// AllowedOrigins are browser origins (scheme://host[:port]) accepted in addition to
	// same-origin and loopback ones. They also receive CORS headers, so browser clients there work.
	AllowedOrigins []string
	// MaxBodyBytes caps a request body; larger ones get 413. 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Log receives the access log (debug level), rejected requests and transport errors; nil
	// discards them. The caller tags it (e.g. component=http); the transport adds no tag of its own.
	Log *slog.Logger
	// ShutdownTimeout bounds the graceful stop in ServeHTTP; 0 means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// ContextFunc, when set, derives each MCP request's context from the HTTP request, e.g. to
	// carry per-request credentials from headers to the tools. Tool handlers can also read the
	// headers directly from CallToolRequest.Header.
	ContextFunc func(ctx context.Context, r *http.Request) context.Context
	// SessionIdleTTL ends sessions idle longer than this (no request in the session), freeing
	// their state; a later request with the id gets 404 and the client starts a new session.
	// 0 keeps idle sessions until the client deletes them or the server stops.
	SessionIdleTTL time.Duration
	// Auth, when set, requires a bearer credential on every /mcp request (401 otherwise);
	// /healthz stays open. nil serves /mcp to anyone who reaches it (loopback only, config
	// ensures).
	Auth *BearerAuth
	// TLSCert and TLSKey are PEM files; when both are set ServeHTTP serves HTTPS.
	TLSCert, TLSKey string
}

func (o HTTPOptions) withDefaults() HTTPOptions {
	if o.Addr == "" {
		o.Addr = DefaultHTTPAddr
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	o.Log = orDiscard(o.Log)
	return o
}

// NewHTTPHandler returns the complete HTTP surface for s: the MCP endpoint at /mcp and a
// liveness probe at /healthz. It is what ServeHTTP serves, exposed so callers can mount it in
// their own server and tests can drive it with httptest.
//
// /mcp runs mcp-go's streamable HTTP server in stateful mode, so DELETE ends a session, with
// mcp-go's DNS-rebinding check (a loopback connection must carry a loopback Host) left on. In
// front of it sit an Origin check (403 for foreign browser origins), the bearer check when
// opts.Auth is set (401 with a WWW-Authenticate challenge), a body limit (413), and the
// session gate (sessionGate): 404 for any request naming an unknown or ended session, 400 for
// legacy-protocol requests without one, and no session from a failed initialize. Every request
// passes through panic recovery and a debug-level access log that records no header values;
// mcp-go's own log lines name sessions only by a short hash, at debug level (RedactSessions).
func NewHTTPHandler(s *server.MCPServer, opts HTTPOptions) http.Handler {
	h, _ := newHTTPHandler(s, opts.withDefaults())
	return h
}

// newHTTPHandler builds the handler and also returns the mcp-go server, whose sessions
// ServeHTTP closes on shutdown. opts must already carry defaults.
func newHTTPHandler(s *server.MCPServer, opts HTTPOptions) (http.Handler, *server.StreamableHTTPServer) {
	origins := newOriginPolicy(opts.AllowedOrigins)
	ids := &server.InsecureStatefulSessionIdManager{} // what WithStateful(true) installs, shared with the gate
	mcpOpts := []server.StreamableHTTPOption{
		server.WithSessionIdManager(ids),
		server.WithStreamableHTTPLogger(RedactSessions(opts.Log)),
	}
	if opts.ContextFunc != nil {
		mcpOpts = append(mcpOpts, server.WithHTTPContextFunc(opts.ContextFunc))
	}
	if opts.SessionIdleTTL > 0 {
		mcpOpts = append(mcpOpts, server.WithSessionIdleTTL(opts.SessionIdleTTL))
	}
	if list := origins.list(); len(list) > 0 {
		mcpOpts = append(mcpOpts, server.WithStreamableHTTPCORS(
			server.WithCORSAllowedOrigins(list...),
			server.WithCORSAllowedHeaders("Content-Type", "Authorization", "Mcp-Session-Id", "Mcp-Protocol-Version", "Last-Event-ID"),
		))
	}
	streamable := server.NewStreamableHTTPServer(s, mcpOpts...)

	mux := http.NewServeMux()
	gate := &sessionGate{ids: ids, mcp: streamable, log: opts.Log, next: streamable}
	var mcpHandler http.Handler = limitBody(opts.MaxBodyBytes, gate)
	if opts.Auth != nil {
		mcpHandler = opts.Auth.guard(opts.Log, mcpHandler)
	}
	mux.Handle(MCPPath, origins.check(opts.Log, mcpHandler))
	mux.HandleFunc("GET "+HealthPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	return observe(opts.Log, mux), streamable
}

// ServeHTTP listens on opts.Addr and serves NewHTTPHandler's handler until ctx is done (main
// cancels it on SIGINT/SIGTERM), then stops gracefully: open SSE streams are closed, new
// connections refused, and in-flight requests get opts.ShutdownTimeout to finish. It returns nil
// after a graceful stop, and an error when it cannot listen or the stop times out (remaining
// connections are then closed forcibly). ready, if not nil, is called once the listener is open
// with its real address, which is how callers learn the port when opts.Addr ends in :0.
func ServeHTTP(ctx context.Context, s *server.MCPServer, opts HTTPOptions, ready func(addr net.Addr)) error {
	opts = opts.withDefaults()
	handler, streamable := newHTTPHandler(s, opts)

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("http: listen on %s: %w", opts.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          stdLogger(opts.Log, slog.LevelWarn),
	}
	scheme, serve := "http", func() error { return srv.Serve(ln) }
	if opts.TLSCert != "" && opts.TLSKey != "" {
		scheme, serve = "https", func() error { return srv.ServeTLS(ln, opts.TLSCert, opts.TLSKey) }
	}
	opts.Log.Info("serving MCP over streamable HTTP", "url", scheme+"://"+ln.Addr().String()+MCPPath)
	if ready != nil {
		ready(ln.Addr())
	}

	served := make(chan error, 1)
	go func() { served <- serve() }()
	select {
	case err := <-served:
		return fmt.Errorf("http: serve: %w", err)
	case <-ctx.Done():
	}

	opts.Log.Info("shutting down", "timeout", opts.ShutdownTimeout)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.ShutdownTimeout)
	defer cancel()
	err = shutdown(stopCtx, srv, streamable)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		opts.Log.Warn("serve ended with an error", "err", serr)
	}
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("http: graceful shutdown did not finish within %s: %w", opts.ShutdownTimeout, err)
	}
	return nil
}

// shutdown closes the MCP sessions, which ends their long-lived GET streams, and shuts the
// server down. Sessions are closed again while Shutdown waits, because a stream opened in
// between would otherwise hold it until the deadline (mcp-go's own Shutdown does the same).
func shutdown(ctx context.Context, srv *http.Server, streamable *server.StreamableHTTPServer) error {
	defer func() { _ = streamable.Shutdown(ctx) }() // also stops the idle-session sweeper
	streamable.CloseSessions(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			streamable.CloseSessions(ctx)
		}
	}
}
