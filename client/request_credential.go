package client

import (
	"container/list"
	"context"
	"errors"
	"strings"
	"time"
)

// requestCredentialKey is the context key of a credential a request brings with it.
type requestCredentialKey struct{}

// WithRequestAPIKey returns a context whose Etlworks requests authenticate with key instead of
// the client's own credential. It is how one Client serves many callers, each acting as their own
// Etlworks user (a shared HTTP server forwarding each caller's key): capability states, credential
// checks and every other per-credential cache are kept apart by a hash of the key.
func WithRequestAPIKey(ctx context.Context, key string) context.Context {
	if strings.TrimSpace(key) == "" {
		return ctx
	}
	return context.WithValue(ctx, requestCredentialKey{}, newAPIKeyAuth(key))
}

// CarryCredential returns dst carrying the request credential of src, if it has one, so work done
// later on a caller's behalf (polling a run a session subscribed to) uses that caller's key.
func CarryCredential(dst, src context.Context) context.Context {
	if a, ok := src.Value(requestCredentialKey{}).(authenticator); ok {
		return context.WithValue(dst, requestCredentialKey{}, a)
	}
	return dst
}

// ErrNoCredential is the error of a request that carries no credential to a client that has none
// of its own (WithPerRequestKeys).
var ErrNoCredential = errors.New("client: this request carries no Etlworks API key, and this server has none of its own: " +
	"send Authorization: Bearer <your Etlworks API key>")

// WithPerRequestKeys lets New build a client without a credential of its own: every request then
// authenticates with the key its context carries (WithRequestAPIKey), and one without fails with
// ErrNoCredential. Servers that act as each caller use it, so no request can fall back to an
// operator's identity.
func WithPerRequestKeys() Option {
	return func(c *Client) error {
		c.perRequest = true
		return nil
	}
}

// authFor returns the credential a request made with ctx uses: the one it carries, else the
// client's own.
func (c *Client) authFor(ctx context.Context) (authenticator, error) {
	if a, ok := ctx.Value(requestCredentialKey{}).(authenticator); ok {
		return a, nil
	}
	if c.auth != nil {
		return c.auth, nil
	}
	return nil, ErrNoCredential
}

// CredentialID returns a short hash naming the credential a request made with ctx uses ("" when
// it has none): callers key their own per-credential state by it (confirmations, limits of calls
// in flight) and may log it, since it cannot be turned back into the key.
func (c *Client) CredentialID(ctx context.Context) string {
	a, err := c.authFor(ctx)
	if err != nil {
		return ""
	}
	return a.id()
}

// maxCredentials bounds how many credentials the client remembers what it learned for; the least
// recently used is forgotten first (it is learned again on its next use), so callers sending many
// keys cannot grow the process without limit.
const maxCredentials = 1024

// verdictTTL is how long VerifyCredential trusts a verdict before asking Etlworks again, so a key
// revoked in Etlworks stops working within a minute without every request paying a check.
const verdictTTL = time.Minute

// credentials is the bounded, least-recently-used set of per-credential state, keyed by a hash
// of the credential. The caller holds Client.capMu.
type credentials struct {
	byKey map[string]*list.Element // of *credEntry
	order *list.List               // front = most recently used
}

type credEntry struct {
	key string
	cr  *credential
}

// get returns the state of the credential hashed to key, creating it (and forgetting the least
// recently used one beyond maxCredentials) when it is new.
func (s *credentials) get(key string) *credential {
	if s.byKey == nil {
		s.byKey, s.order = map[string]*list.Element{}, list.New()
	}
	if el, ok := s.byKey[key]; ok {
		s.order.MoveToFront(el)
		return el.Value.(*credEntry).cr
	}
	cr := &credential{states: map[Capability]CapState{}, probed: make(chan struct{})}
	s.byKey[key] = s.order.PushFront(&credEntry{key: key, cr: cr})
	for s.order.Len() > maxCredentials {
		old := s.order.Back()
		s.order.Remove(old)
		delete(s.byKey, old.Value.(*credEntry).key)
	}
	return cr
}

// VerifyCredential answers whether the credential in ctx works, with the one credential check
// (GET /v1/flows?limit=1), asking Etlworks at most once per verdictTTL per credential (an answer
// that told nothing, CredentialUnknown, is not kept for that long). An accepted or refused
// key is registered with the redactor, so it is hidden wherever it might appear, and its
// capability probe starts in the background, once. A request without a credential gets a
// rejected verdict carrying ErrNoCredential.
func (c *Client) VerifyCredential(ctx context.Context) *CredentialCheck {
	a, err := c.authFor(ctx)
	if err != nil {
		return &CredentialCheck{Verdict: CredentialRejected, Err: err, At: time.Now()}
	}
	cr := c.cred(ctx)
	cr.checkMu.Lock()
	check, fresh := cr.check, false
	if check == nil || check.Verdict == CredentialUnknown || time.Since(check.At) >= verdictTTL {
		check, fresh = c.checkLocked(ctx, cr), true
	}
	cr.checkMu.Unlock()
	if check.Verdict == CredentialAccepted || check.Verdict == CredentialRefused {
		if k, ok := a.(*apiKeyAuth); ok && fresh {
			c.redactor.Add(k.key)
		}
		cr.probeOnce.Do(func() {
			go func() {
				defer close(cr.probed)
				c.probeGroups(context.WithoutCancel(ctx), cr)
			}()
		})
	}
	return check
}
