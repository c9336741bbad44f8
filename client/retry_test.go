package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestRetry_getOnRetryableStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, WithRetries(3, time.Millisecond))
			var calls atomic.Int32
			mux.HandleFunc("/rest/v1/flows/8", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				testAPIHeaders(t, r)
				if calls.Add(1) <= 2 {
					w.Header().Set("Retry-After", "0") // "now": the client's own backoff applies
					w.WriteHeader(status)
					return
				}
				fmt.Fprint(w, `{"id":8}`)
			})
			raw, resp, err := client.Flows.Get(t.Context(), 8)
			if err != nil {
				t.Fatalf("error after retries: %v", err)
			}
			testJSONEqual(t, "flow", raw, `{"id":8}`)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d, want the final 200", resp.StatusCode)
			}
			if n := calls.Load(); n != 3 {
				t.Errorf("server called %d times, want 3", n)
			}
		})
	}
}

func TestRetry_upToMax(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithRetries(2, time.Millisecond))
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/executions", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"status":503,"error":"Service Unavailable","message":"maintenance"}`)
	})
	rows, _, err := client.Executions.List(t.Context(), nil)
	if e := apiErrorOf(t, err); e.Status != http.StatusServiceUnavailable || e.Message != "maintenance" {
		t.Errorf("error %+v, want the last 503", e)
	}
	if rows != nil {
		t.Errorf("rows = %v, want nil on error", rows)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("server called %d times, want 3 (1 + 2 retries)", n)
	}
}

func TestRetry_notOnOtherStatuses(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusInternalServerError} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, WithRetries(3, time.Millisecond))
			var calls atomic.Int32
			mux.HandleFunc("/rest/v1/flows/8", func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(status)
			})
			_, _, err := client.Flows.Get(t.Context(), 8)
			if !IsStatus(err, status) {
				t.Errorf("error %v, want status %d", err, status)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("server called %d times, want 1", n)
			}
		})
	}
}

func TestRetry_neverForPost(t *testing.T) {
	t.Parallel()
	calls := map[string]func(c *Client, ctx context.Context) error{
		"Run": func(c *Client, ctx context.Context) error {
			_, _, err := c.Flows.Run(ctx, 8, nil, nil)
			return err
		},
		"RunByName": func(c *Client, ctx context.Context) error {
			_, _, err := c.Flows.RunByName(ctx, "flow-8", nil, nil)
			return err
		},
		"Stop": func(c *Client, ctx context.Context) error {
			_, _, err := c.Flows.Stop(ctx, 8, 0)
			return err
		},
	}
	for name, call := range calls {
		for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadGateway} {
			t.Run(fmt.Sprintf("%s/%d", name, status), func(t *testing.T) {
				t.Parallel()
				client, mux, _ := setup(t, WithRetries(3, time.Millisecond))
				var n atomic.Int32
				handler := func(w http.ResponseWriter, r *http.Request) {
					testMethod(t, r, http.MethodPost)
					n.Add(1)
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(status)
				}
				mux.HandleFunc("/rest/v1/flows/8/run", handler)
				mux.HandleFunc("/rest/v1/flows/8/stop", handler)
				mux.HandleFunc("/rest/v1/flows/flow-name/flow-8/run", handler)
				if err := call(client, t.Context()); !IsStatus(err, status) {
					t.Errorf("error %v, want status %d", err, status)
				}
				if got := n.Load(); got != 1 {
					t.Errorf("server called %d times, want 1: a run has effects and is never repeated", got)
				}
			})
		}
	}
}

func TestRetry_retryAfterBeyondMaxWait(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithRetries(3, time.Millisecond))
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	start := time.Now()
	_, _, err := client.Flows.List(t.Context(), nil)
	if e := apiErrorOf(t, err); e.Status != http.StatusTooManyRequests || e.RetryAfter != time.Hour {
		t.Errorf("error %+v, want 429 with RetryAfter 1h", e)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("server called %d times, want 1", n)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %s: the client waited for a Retry-After beyond its limit", d)
	}
}

// TestRetry_retryAfterHonoured runs in a synctest bubble: the waits are measured on the bubble's
// clock, so the test asserts a 7 s wait without taking it.
func TestRetry_retryAfterHonoured(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var stamps []time.Time
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			stamps = append(stamps, time.Now())
			if len(stamps) == 1 {
				return fakeResponse(r, http.StatusServiceUnavailable, http.Header{"Retry-After": {"7"}}, ""), nil
			}
			return fakeResponse(r, http.StatusOK, nil, `{"ok":true}`), nil
		})}
		client, err := New("https://etl.example/rest", WithAPIKey(testKey), WithHTTPClient(hc), WithRetries(3, time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := client.Users.Me(t.Context()); err != nil {
			t.Fatal(err)
		}
		if len(stamps) != 2 {
			t.Fatalf("%d attempts, want 2", len(stamps))
		}
		if d := stamps[1].Sub(stamps[0]); d != 7*time.Second {
			t.Errorf("waited %s between attempts, want the 7s of Retry-After", d)
		}
	})
}

func TestRetry_backoffDoubles(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var stamps []time.Time
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			stamps = append(stamps, time.Now())
			return fakeResponse(r, http.StatusBadGateway, nil, ""), nil
		})}
		client, err := New("https://etl.example/rest", WithAPIKey(testKey), WithHTTPClient(hc), WithRetries(3, time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := client.Users.Me(t.Context()); !IsStatus(err, http.StatusBadGateway) {
			t.Fatalf("error %v, want 502", err)
		}
		if len(stamps) != 4 {
			t.Fatalf("%d attempts, want 4", len(stamps))
		}
		for i, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
			// jitter adds up to a quarter of the delay
			if d := stamps[i+1].Sub(stamps[i]); d < base || d > base+base/4 {
				t.Errorf("wait %d: %s, want %s plus at most 25%% jitter", i+1, d, base)
			}
		}
	})
}

func TestRetry_cancelDuringBackoff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			return fakeResponse(r, http.StatusServiceUnavailable, nil, ""), nil
		})}
		client, err := New("https://etl.example/rest", WithAPIKey(testKey), WithHTTPClient(hc), WithRetries(3, 10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel) // one second into the ten-second backoff
		start := time.Now()
		_, _, err = client.Flows.Get(ctx, 1)
		if err != context.Canceled {
			t.Errorf("error %v, want exactly context.Canceled", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("returned after %s, want 1s (at the cancellation)", d)
		}
		if calls != 1 {
			t.Errorf("%d attempts, want 1", calls)
		}
	})
}

func TestRetry_deadlineDuringBackoff(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithRetries(3, 10*time.Second))
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/flows/1", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := client.Flows.Get(ctx, 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s: the backoff ignored the deadline", d)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("server called %d times, want 1", n)
	}
}

func TestRetryPolicy_next(t *testing.T) {
	t.Parallel()
	p := retryPolicy{max: 2, base: 100 * time.Millisecond, maxWait: 30 * time.Second}
	tests := []struct {
		name    string
		method  string
		err     APIError
		attempt int
		wantOK  bool
		min     time.Duration // the wait, when wantOK, is in [min, max]
		max     time.Duration
	}{
		{"GET 503 first", http.MethodGet, APIError{Status: 503}, 0, true, 100 * time.Millisecond, 125 * time.Millisecond},
		{"GET 503 second", http.MethodGet, APIError{Status: 503}, 1, true, 200 * time.Millisecond, 250 * time.Millisecond},
		{"GET 503 over max", http.MethodGet, APIError{Status: 503}, 2, false, 0, 0},
		{"GET 429 Retry-After", http.MethodGet, APIError{Status: 429, RetryAfter: 3 * time.Second}, 0, true, 3 * time.Second, 3 * time.Second},
		{"GET 429 Retry-After too long", http.MethodGet, APIError{Status: 429, RetryAfter: time.Minute}, 0, false, 0, 0},
		{"GET 500", http.MethodGet, APIError{Status: 500}, 0, false, 0, 0},
		{"GET 401", http.MethodGet, APIError{Status: 401}, 0, false, 0, 0},
		{"POST 503", http.MethodPost, APIError{Status: 503}, 0, false, 0, 0},
		{"PUT 503", http.MethodPut, APIError{Status: 503}, 0, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wait, ok := p.next(tt.method, &tt.err, tt.attempt)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if ok && (wait < tt.min || wait > tt.max) {
				t.Errorf("wait %s, want between %s and %s", wait, tt.min, tt.max)
			}
		})
	}
}
