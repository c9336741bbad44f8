package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// APIError is a non-2xx answer from Etlworks. Its text never carries a credential: the path is
// sanitized and only the server's message is kept.
type APIError struct {
	Status     int           // HTTP status code
	Method     string        // HTTP method of the request
	Path       string        // request path, with credential-like query parameters redacted
	ErrorText  string        // the "error" field, e.g. "Not Found"
	Message    string        // the Etlworks message, e.g. "Flow 99 not found"
	RetryAfter time.Duration // from a Retry-After header, when present
	// Page is the start of an HTML page sent with a 4xx instead of Etlworks' JSON error (sanitized
	// and bounded), "" otherwise: a wrong base URL, a sign-in page or a proxy answered, not Etlworks.
	Page string
}

// HTMLHint is what to check when an HTML page comes back where Etlworks' JSON was expected.
const HTMLHint = "check ETLWORKS_URL, which must be the instance's REST base ending in /rest " +
	"(e.g. https://app.etlworks.com/rest) and reach Etlworks without a sign-in page or proxy in between"

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.ErrorText
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Page != "" {
		return fmt.Sprintf("etlworks: %s %s: %d: an HTML page (%q) instead of Etlworks' JSON: %s", e.Method, e.Path, e.Status, e.Page, HTMLHint)
	}
	return fmt.Sprintf("etlworks: %s %s: %d: %s", e.Method, e.Path, e.Status, msg)
}

// Is lets errors.Is(err, &APIError{Status: 404}) match by status.
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Status == e.Status
}

// IsStatus reports whether err is (or wraps) an *APIError with the given HTTP status.
func IsStatus(err error, status int) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == status
}

// IsNotFound reports whether err says the object does not exist. A missing route (an
// *AbsentError, whose 404 IsStatus still sees) is not a missing object, and neither is a 404 that
// came as an HTML page: something other than Etlworks answered (a wrong base URL), and saying
// "not found" would hide that.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound && e.Page == "" && !IsAbsent(err)
}

// errorBody is the Spring Boot error shape Etlworks uses.
type errorBody struct {
	Status  int    `json:"status"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// newAPIError reads an error answer. secrets are credentials the request carried: a server that
// echoes the request back (its URL, a header, the sign-in body) must not put them in the error.
func newAPIError(method, path string, resp *http.Response, secrets ...string) *APIError {
	e := &APIError{Status: resp.StatusCode, Method: method, Path: path, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var b errorBody
	if json.Unmarshal(raw, &b) == nil && (b.Message != "" || b.Error != "") {
		e.ErrorText, e.Message = bound.Echo(redact(b.Error, secrets)), bound.Echo(redact(b.Message, secrets))
	} else if text := strings.TrimSpace(string(raw)); strings.HasPrefix(text, "<") {
		if resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			e.Page = snippet(raw, secrets) // a 4xx page is a wrong URL or a sign-in; a 5xx one, a proxy over a down server
		}
	} else if text != "" {
		e.Message = bound.Echo(redact(text, secrets)) // redact first: a cut could keep half a token
	}
	if e.ErrorText == "" {
		e.ErrorText = http.StatusText(resp.StatusCode)
	}
	return e
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or unreadable.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// sanitizePath renders a path plus its query with credential-like values redacted.
func sanitizePath(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	clean := url.Values{}
	for k, vs := range q {
		if secrets.IsSecretKey(k) {
			clean[k] = []string{"REDACTED"}
		} else {
			clean[k] = vs
		}
	}
	return path + "?" + clean.Encode()
}

// redact replaces every non-empty secret in s.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "REDACTED")
		}
	}
	return s
}

// scrubURLError drops the URL (which may hold a query-string token) from a transport error.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func totalCount(resp *http.Response) int {
	if v := resp.Header.Get("X-Total-Count"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			return n
		}
	}
	return -1
}
