package sandbox

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server is a Sandbox listening on a TCP address, for demo mode and the standalone command.
type Server struct {
	URL     string // "http://127.0.0.1:PORT/rest"
	Sandbox *Sandbox

	srv  *http.Server
	stop chan struct{}
	once sync.Once
	err  error
}

// Start creates a sandbox and serves it on addr ("" = 127.0.0.1 on a free port) until Close is
// called or ctx ends. The returned URL and Sandbox.Credentials().URL point at its /rest base.
func Start(ctx context.Context, addr string, opts Options) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	sb, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		sb.Close()
		return nil, err
	}
	tcp := ln.Addr().(*net.TCPAddr)
	host := tcp.IP
	if host.IsUnspecified() {
		host = net.IPv4(127, 0, 0, 1)
	}
	url := "http://" + net.JoinHostPort(host.String(), strconv.Itoa(tcp.Port)) + "/rest"
	sb.creds.URL = url
	s := &Server{URL: url, Sandbox: sb, stop: make(chan struct{}), srv: &http.Server{
		Handler:           sb.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(sb.log.Handler(), slog.LevelWarn),
	}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			sb.log.Error("sandbox server stopped", "err", err)
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			s.Close()
		case <-s.stop:
		}
	}()
	sb.log.Info("sandbox listening", "url", url)
	return s, nil
}

// Close stops active runs (so synchronous run requests return), shuts the HTTP server down and
// closes the sandbox. It is safe to call more than once.
func (s *Server) Close() error {
	s.once.Do(func() {
		close(s.stop)
		s.Sandbox.eng.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.err = errors.Join(s.srv.Shutdown(ctx), s.Sandbox.Close())
	})
	return s.err
}
