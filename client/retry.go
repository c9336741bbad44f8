package client

import (
	"math/rand/v2"
	"net/http"
	"time"
)

// retryPolicy decides whether and when a failed request is sent again. Only idempotent reads are
// retried, and only on statuses that say "try later": a flow run is never repeated by the client,
// because a second run has real effects.
type retryPolicy struct {
	max     int           // retries after the first attempt
	base    time.Duration // first backoff delay; doubles each attempt
	maxWait time.Duration // longest wait the client accepts, including Retry-After
}

func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// next returns the wait before retry number attempt+1, or false when the request must not be retried.
func (p retryPolicy) next(method string, err *APIError, attempt int) (time.Duration, bool) {
	if method != http.MethodGet || !retryableStatus(err.Status) || attempt >= p.max {
		return 0, false
	}
	wait := p.base << attempt
	if wait > 0 {
		wait += time.Duration(rand.Int64N(int64(wait)/4 + 1)) // jitter so clients do not retry in step
	}
	if err.RetryAfter > 0 {
		wait = err.RetryAfter
	}
	if p.maxWait > 0 && wait > p.maxWait {
		return 0, false // the server asks for longer than we will block: report instead of hanging
	}
	return wait, true
}
