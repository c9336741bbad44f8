package client

import (
	"net"
	"net/http"
	"time"
)

// Connection pool sizes of NewTransport. Go's default keeps 2 idle connections per host, so with
// a few concurrent tool calls about half the calls opened a new TCP (and TLS) connection.
const (
	// MaxIdleConnsPerHost is the least number of kept-alive connections to the Etlworks host that
	// wait for reuse; NewTransport raises it for a server that expects more calls in flight.
	MaxIdleConnsPerHost = 64
	// idleConnTimeout closes a kept-alive connection unused this long, below the 2-5 minute idle
	// limits of common load balancers, so a reused connection is rarely one they already dropped.
	idleConnTimeout = 90 * time.Second
)

// NewTransport returns the HTTP transport the client uses unless WithHTTPClient replaces it: the
// environment's proxy settings, keep-alives, and a pool of idle connections per host sized for
// inFlight concurrent requests (at least MaxIdleConnsPerHost), so a burst of calls reuses
// connections instead of opening new TCP and TLS ones. Callers that wrap it (metrics, tracing) pass
// the wrapped one back with WithHTTPClient.
func NewTransport(inFlight int) *http.Transport {
	perHost := max(inFlight, MaxIdleConnsPerHost)
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          2 * perHost, // Etlworks plus any redirect target
		MaxIdleConnsPerHost:   perHost,
		IdleConnTimeout:       idleConnTimeout,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}
