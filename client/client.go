// Package client is a typed REST client for the Etlworks API (https://etlworks.com/dev/api/).
//
// It follows go-github's shape: one Client with a service per API area (Flows, Executions, Users,
// System, Connections, Explorer, Schedules, Webhooks, Listeners, Audit, RecycleBin), ctx first on
// every method, and an *APIError for every non-2xx answer. Reads that tools project with gjson come
// back as json.RawMessage, so the client never has to model Etlworks' full schemas; payloads the program reasons about (runs, executions) are typed. The package never
// imports mcp-go: it is usable by any Go program.
package client

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// DefaultTimeout bounds one HTTP exchange when the caller sets no timeout of its own.
const DefaultTimeout = 30 * time.Second

// maxErrorBody caps how much of an error response is read, so a misbehaving server cannot make the
// client buffer megabytes of HTML.
const maxErrorBody = 1 << 20

// Client talks to one Etlworks instance. It is safe for concurrent use.
type Client struct {
	base       *url.URL // the .../rest base, always ending in "/"
	root       *url.URL // the server root, for endpoints outside /rest (GET /health)
	http       *http.Client
	auth       authenticator
	userAgent  string
	log        *slog.Logger
	timeout    time.Duration
	retry      retryPolicy
	maxLogSize int64
	maxBody    int64             // bytes of a JSON answer the client reads before giving up
	redactor   *secrets.Redactor // learns the credentials this client holds or obtains; nil = none
	index      indexConfig       // name indexes: TTL and size (name_index.go)

	perRequest bool // no credential of its own: each request brings one (WithPerRequestKeys)

	capMu       sync.Mutex  // guards creds and capWatchers
	creds       credentials // what was learned per credential, bounded (capabilities.go)
	capWatchers []func(Capability, CapState)

	// Flows manages flows: list, get, documentation, run, stop.
	Flows *FlowsService
	// Executions reads run status, run history and run logs.
	Executions *ExecutionsService
	// Users answers who the credentials belong to.
	Users *UsersService
	// System reads instance health.
	System *SystemService
	// Connections manages connections, the connector catalogue and OAuth sign-in.
	Connections *ConnectionsService
	// Explorer browses a connection's objects, previews data, runs SQL and uploads files.
	Explorer *ExplorerService
	// Schedules, Webhooks, Listeners, Audit and RecycleBin manage automation and its history.
	Schedules  *SchedulesService
	Webhooks   *WebhooksService
	Listeners  *ListenersService
	Audit      *AuditService
	RecycleBin *RecycleBinService
}

type service struct{ client *Client }

// Option configures a Client.
type Option func(*Client) error

// WithAPIKey authenticates every request with an Etlworks API key (Authorization: Bearer <key>).
func WithAPIKey(key string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(key) == "" {
			return errors.New("client: API key is empty")
		}
		c.auth = newAPIKeyAuth(key)
		return nil
	}
}

// WithLogin authenticates by signing in with a login and password; the JWT it gets is re-issued
// once whenever the server answers 401, because its lifetime differs between Etlworks versions.
func WithLogin(login, password string) Option {
	return func(c *Client) error {
		if login == "" || password == "" {
			return errors.New("client: login and password are both required")
		}
		c.auth = &loginAuth{login: login, password: password, client: c, hash: credentialKey("login\x00" + login + "\x00" + password)}
		return nil
	}
}

// WithRedactor registers the client's credentials (the API key, the password, each JWT it obtains
// and the secrets it sends in a connection) with r, so that they are redacted from every result and
// log line of the process.
func WithRedactor(r *secrets.Redactor) Option {
	return func(c *Client) error {
		c.redactor = r
		return nil
	}
}

// WithHTTPClient replaces the underlying *http.Client (for custom TLS, proxies or tests).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("client: nil http.Client")
		}
		c.http = hc
		return nil
	}
}

// WithTimeout bounds each HTTP exchange (a retried request gets the budget per attempt).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("client: timeout must be positive, got %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent, so Etlworks operators can tell this product's traffic apart.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		c.userAgent = ua
		return nil
	}
}

// WithLogger receives one debug line per HTTP exchange (method, sanitized path, status, duration).
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l != nil {
			c.log = l
		}
		return nil
	}
}

// WithRetries sets how many times an idempotent request is retried on 429/502/503/504 and the
// first backoff delay; the delay doubles each attempt. Zero retries turns retrying off.
func WithRetries(max int, firstDelay time.Duration) Option {
	return func(c *Client) error {
		if max < 0 || firstDelay < 0 {
			return errors.New("client: retries and delay must not be negative")
		}
		c.retry.max = max
		c.retry.base = firstDelay
		return nil
	}
}

// DefaultMaxBody is how much of one JSON answer the client reads: far more than any page Etlworks
// sends, far less than would hurt the process.
const DefaultMaxBody = 32 << 20

// New returns a client for the Etlworks API at baseURL, the ".../rest" base of the instance
// (for example https://app.etlworks.com/rest). One of WithAPIKey or WithLogin is required.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/") + "/")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("client: base URL %q must be an absolute http(s) URL with no query or fragment, such as https://app.etlworks.com/rest", baseURL)
	}
	root := *u
	root.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/rest") + "/"
	c := &Client{
		base:       u,
		root:       &root,
		http:       &http.Client{Transport: NewTransport(0)},
		userAgent:  "etlworks-mcp",
		log:        slog.New(slog.DiscardHandler),
		timeout:    DefaultTimeout,
		retry:      retryPolicy{max: 3, base: 500 * time.Millisecond, maxWait: 30 * time.Second},
		maxLogSize: 32 << 20,
		maxBody:    DefaultMaxBody,
		index:      defaultIndexConfig(),
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.auth == nil && !c.perRequest {
		return nil, errors.New("client: no credentials: use WithAPIKey, WithLogin or WithPerRequestKeys")
	}
	switch a := c.auth.(type) {
	case *apiKeyAuth:
		c.redactor.Add(a.key)
	case *loginAuth:
		c.redactor.Add(a.password)
	}
	common := &service{client: c}
	c.Flows = (*FlowsService)(common)
	c.Executions = (*ExecutionsService)(common)
	c.Users = (*UsersService)(common)
	c.System = (*SystemService)(common)
	c.Connections = (*ConnectionsService)(common)
	c.Explorer = (*ExplorerService)(common)
	c.Schedules, c.Webhooks, c.Listeners = (*SchedulesService)(common), (*WebhooksService)(common), (*ListenersService)(common)
	c.Audit, c.RecycleBin = (*AuditService)(common), (*RecycleBinService)(common)
	return c, nil
}

// BaseURL returns the .../rest base the client talks to (it carries no secret).
func (c *Client) BaseURL() string { return strings.TrimSuffix(c.base.String(), "/") }

// Response wraps the HTTP response of a call with what Etlworks tells about paging.
type Response struct {
	*http.Response
	// Total is the X-Total-Count header of a list response, or -1 when the server sent none.
	Total int
}

// request is one call, kept whole so it can be replayed after a 401 or a retryable status.
type request struct {
	method       string
	path         string // relative to the base (or the root when atRoot)
	query        url.Values
	body         []byte // JSON, nil for none
	contentType  string // of the body; "" for application/json
	atRoot       bool
	tokenInQuery bool // Etlworks documents ?Authorization=Bearer%20… for browser-style downloads
	noAuth       bool
	accept       string   // the Accept header; "" for application/json
	secrets      []string // values sent in the request (besides the token) that an error must not echo
}

// newJSONRequest builds a request whose body is v encoded as JSON (nil for no body).
func newJSONRequest(method, path string, query url.Values, v any) (*request, error) {
	r := &request{method: method, path: path, query: query}
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("client: encode %s %s body: %w", method, path, err)
		}
		r.body = b
	}
	return r, nil
}

// decode sends r with c.do and returns the answer decoded into a new T (nil on an error): the
// one way a typed call's answer is read.
func decode[T any](ctx context.Context, c *Client, r *request) (*T, *Response, error) {
	out := new(T)
	resp, err := c.do(ctx, r, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// do sends r, decoding a 2xx JSON body into v (when v is non-nil). It applies auth, re-issues a JWT
// once on 401, and retries idempotent requests on 429/502/503/504. The body is decoded as it is
// read and never beyond the client's body limit (DefaultMaxBody); what is not JSON, or is empty
// or null where a GET expects JSON, is an *UnexpectedBodyError saying what came back.
func (c *Client) do(ctx context.Context, r *request, v any) (*Response, error) {
	return c.exchangeStream(ctx, r, func(endpoint string, hr *http.Response) error {
		return c.decodeBody(r, endpoint, hr, v)
	}, nil)
}

// bodySink consumes the body of a 2xx answer; endpoint is the method and sanitized path, for
// messages.
type bodySink func(endpoint string, hr *http.Response) error

// exchangeRaw performs r with auth refresh and retries and returns the body of the 2xx answer,
// at most the body limit (more is cut, with a *TruncatedError).
func (c *Client) exchangeRaw(ctx context.Context, r *request) ([]byte, *Response, error) {
	var body []byte
	resp, err := c.exchangeSink(ctx, r, c.readBody(&body))
	return body, resp, err
}

// probeHead is how much of a 2xx body the start-up checks keep: they need to know that an answer
// came and whether it is an HTML page, not its data.
const probeHead = 4 << 10

// exchangeHead performs r like exchangeRaw but reads at most n bytes of the body, so a check that
// looks only at the start of an answer never reads (and holds) a whole body limit of it; several
// run at once at start-up, each against whatever the upstream sends.
func (c *Client) exchangeHead(ctx context.Context, r *request, n int64) ([]byte, *Response, error) {
	var body []byte
	resp, err := c.exchangeSink(ctx, r, func(endpoint string, hr *http.Response) error {
		b, err := io.ReadAll(io.LimitReader(hr.Body, n))
		if err != nil {
			return fmt.Errorf("client: %s: read body: %w", endpoint, err)
		}
		body = b
		return nil
	})
	return body, resp, err
}

// readBody is a sink that keeps the body in *out, at most c.maxBody bytes: a longer one is cut
// and reported with a *TruncatedError, so callers that read raw bodies stay bounded too.
func (c *Client) readBody(out *[]byte) bodySink {
	return func(endpoint string, hr *http.Response) error {
		b, err := io.ReadAll(io.LimitReader(hr.Body, c.maxBody+1))
		if err != nil {
			return fmt.Errorf("client: %s: read body: %w", endpoint, err)
		}
		if int64(len(b)) > c.maxBody {
			*out = b[:c.maxBody]
			return &TruncatedError{Limit: c.maxBody}
		}
		*out = b
		return nil
	}
}

// TruncatedError reports that a raw body was larger than the client reads; the data returned
// with it holds the first Limit bytes.
type TruncatedError struct{ Limit int64 }

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("client: response larger than %d bytes was cut", e.Limit)
}

// exchangeSink performs r with auth refresh and retries, handing the body of the 2xx answer to
// sink (exchangeStream adds what the answer tells about the route's capability).
func (c *Client) exchangeSink(ctx context.Context, r *request, sink bodySink) (*Response, error) {
	if kinds := writtenKinds(r); kinds != nil {
		defer c.invalidateNames(ctx, kinds) // after the write, so no index built before it stays current
	}
	reauthed := false
	for attempt := 0; ; attempt++ {
		var token string
		var auth authenticator
		if !r.noAuth {
			var err error
			if auth, err = c.authFor(ctx); err != nil {
				return nil, err
			}
			if token, err = auth.token(ctx); err != nil {
				return nil, err
			}
		}
		resp, err := c.once(withRequestInfo(ctx, r, attempt), r, token, sink)
		if err == nil {
			return resp, nil
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			return resp, err
		}
		if apiErr.Status == http.StatusUnauthorized && !reauthed && !r.noAuth && auth.canRenew() {
			reauthed = true
			if rerr := auth.renew(ctx, token); rerr != nil {
				return resp, rerr
			}
			attempt--
			continue
		}
		wait, ok := c.retry.next(r.method, apiErr, attempt)
		if !ok {
			return resp, err
		}
		c.log.DebugContext(ctx, "retrying request", "method", r.method, "path", sanitizePath(r.path, nil), "status", apiErr.Status, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return resp, ctx.Err()
		case <-t.C:
		}
	}
}

// once performs a single HTTP exchange: build the URL, build the request, send it under the
// client's timeout, and hand a 2xx body to sink (anything else is an *APIError).
func (c *Client) once(parent context.Context, r *request, token string, sink bodySink) (*Response, error) {
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	defer cancel()
	u, err := c.requestURL(r, token)
	if err != nil {
		return nil, err
	}
	req, err := c.newHTTPRequest(ctx, r, u, token)
	if err != nil {
		return nil, err
	}
	path := sanitizePath(u.Path, u.Query())
	start := time.Now()
	httpResp, err := c.http.Do(req)
	if err != nil {
		return nil, c.cutShort(parent, ctx, r.method, path, "no answer", fmt.Errorf("client: %s %s: %w", r.method, path, scrubURLError(err)))
	}
	defer httpResp.Body.Close()
	resp := &Response{Response: httpResp, Total: totalCount(httpResp)}
	c.log.DebugContext(parent, "etlworks request", "method", r.method, "path", path, "status", httpResp.StatusCode, "duration", time.Since(start))
	if httpResp.StatusCode < 200 || httpResp.StatusCode > 299 {
		return resp, newAPIError(r.method, path, httpResp, append([]string{token}, r.secrets...)...)
	}
	if err := sink(r.method+" "+path, httpResp); err != nil {
		return resp, c.cutShort(parent, ctx, r.method, path, "the answer did not finish", err)
	}
	return resp, nil
}

// requestURL resolves r against the /rest base (or the server root), refusing dot segments, and
// encodes its query, with the token in it when the route wants it there.
func (c *Client) requestURL(r *request, token string) (*url.URL, error) {
	base := c.base
	if r.atRoot {
		base = c.root
	}
	for _, seg := range strings.Split(r.path, "/") {
		if seg == "." || seg == ".." {
			return nil, fmt.Errorf("client: refusing path with a dot segment: %q", r.path)
		}
	}
	u, err := base.Parse(strings.TrimPrefix(r.path, "/"))
	if err != nil {
		return nil, fmt.Errorf("client: bad path %q: %w", r.path, err)
	}
	q := url.Values{}
	for k, vs := range r.query {
		q[k] = vs
	}
	if token != "" && r.tokenInQuery {
		q.Set("Authorization", "Bearer "+token)
	}
	// Encode writes a space as "+" and a literal "+" as %2B; Etlworks documents %20 (Bearer%20…).
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u, nil
}

// newHTTPRequest builds the HTTP request for r at u: body, bearer token, Accept, Content-Type
// (both default to JSON) and User-Agent.
func (c *Client) newHTTPRequest(ctx context.Context, r *request, u *url.URL, token string) (*http.Request, error) {
	var rdr io.Reader
	if r.body != nil {
		rdr = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), rdr)
	if err != nil {
		return nil, fmt.Errorf("client: build request: %w", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", cmp.Or(r.accept, "application/json"))
	if r.body != nil {
		req.Header.Set("Content-Type", cmp.Or(r.contentType, "application/json"))
	}
	req.Header.Set("User-Agent", c.userAgent)
	return req, nil
}

// cutShort is the error of an exchange that failed before its answer was read: the caller's own
// cancellation or deadline wins over the transport's error, then the client's timeout (naming what
// did not happen in time), then err itself.
func (c *Client) cutShort(parent, ctx context.Context, method, path, what string, err error) error {
	if perr := parent.Err(); perr != nil {
		return perr
	}
	if ctx.Err() != nil {
		return fmt.Errorf("client: %s %s: %s within %s", method, path, what, c.timeout)
	}
	return err
}
