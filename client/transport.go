package client

import (
	"net"
	"net/http"
	"time"
)

// Connection pool sizes of NewTransport. Go's default keeps 2 idle connections per host, so with
// a few concurrent tool calls about half the calls opened a new TCP (and TLS) connection.
const (
	// MaxIdleConnsPerHost is how many kept-alive connections to the Etlworks host wait for reuse.
	MaxIdleConnsPerHost = 64
	// maxIdleConns bounds idle connections over all hosts (Etlworks plus any redirect target).
	maxIdleConns = 128
	// idleConnTimeout closes a kept-alive connection unused this long, below the 2-5 minute idle
	// limits of common load balancers, so a reused connection is rarely one they already dropped.
	idleConnTimeout = 90 * time.Second
)

// NewTransport returns the HTTP transport the client uses unless WithHTTPClient replaces it: the
// environment's proxy settings, keep-alives, and a pool of MaxIdleConnsPerHost idle connections
// per host. Callers that wrap it (metrics, tracing) pass the wrapped one back with WithHTTPClient.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxIdleConns,
		MaxIdleConnsPerHost:   MaxIdleConnsPerHost,
		IdleConnTimeout:       idleConnTimeout,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}
