package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Credential verdicts.
const (
	CredentialAccepted = "accepted" // Etlworks answered the check
	CredentialRefused  = "refused"  // 403: the credential is valid, but its role or policy may not list flows
	CredentialRejected = "rejected" // 401, or the sign-in was refused: the credential does not work
	CredentialUnknown  = "unknown"  // no answer (network, 5xx): nothing is known
)

// CredentialCheck is the answer of the one credential check: a one-row flow list
// (GET /v1/flows?limit=1), a documented route every role that uses this product can read.
type CredentialCheck struct {
	Verdict string
	Status  int   // HTTP status, 0 without an answer
	Login   bool  // the credential is a login and password (else an API key)
	Err     error // what went wrong, for unknown, rejected and refused verdicts
	At      time.Time
}

// CredentialError is a rejected or refused credential, as tool results and doctor show it.
type CredentialError struct{ Check *CredentialCheck }

func (e *CredentialError) Error() string {
	what := "the API key"
	if e.Check.Login {
		what = "the sign-in"
	}
	switch e.Check.Verdict {
	case CredentialRefused:
		return fmt.Sprintf("Etlworks accepted %s but refused to list flows (403): the user's role or the API-key policy does not allow it", what)
	}
	var signIn *SignInError
	switch {
	case errors.As(e.Check.Err, &signIn):
		return fmt.Sprintf("Etlworks refused the sign-in of %q (%d)", signIn.Login, signIn.Status)
	case e.Check.Status != 0:
		return fmt.Sprintf("Etlworks rejected %s (%d on GET /v1/flows?limit=1)", what, e.Check.Status)
	}
	return fmt.Sprintf("Etlworks rejected %s", what)
}

// recheckAfter is how long a rejected verdict is trusted before CredentialProblem asks again
// (an administrator may re-enable a key without this process restarting).
const recheckAfter = 30 * time.Second

// CheckCredential runs the credential check now and keeps its answer for the credential.
func (c *Client) CheckCredential(ctx context.Context) *CredentialCheck {
	cr := c.cred(ctx)
	cr.checkMu.Lock()
	defer cr.checkMu.Unlock()
	return c.checkLocked(ctx, cr)
}

func (c *Client) checkLocked(ctx context.Context, cr *credential) *CredentialCheck {
	a, _ := c.authFor(ctx)
	_, login := a.(*loginAuth)
	check := &CredentialCheck{Login: login, At: time.Now()}
	_, _, err := c.exchangeHead(ctx, &request{method: http.MethodGet, path: "v1/flows", query: url.Values{"limit": {"1"}}}, probeHead)
	var api *APIError
	var signIn *SignInError
	switch {
	case err == nil:
		check.Verdict = CredentialAccepted
		check.Status = http.StatusOK
	case errors.As(err, &signIn):
		check.Verdict, check.Status, check.Err = CredentialRejected, signIn.Status, err
	case errors.As(err, &api) && api.Status == http.StatusUnauthorized:
		check.Verdict, check.Status, check.Err = CredentialRejected, api.Status, err
	case errors.As(err, &api) && api.Status == http.StatusForbidden:
		check.Verdict, check.Status, check.Err = CredentialRefused, api.Status, err
	case errors.As(err, &api):
		check.Verdict, check.Status, check.Err = CredentialUnknown, api.Status, err
	default:
		check.Verdict, check.Err = CredentialUnknown, err
	}
	if ctx.Err() == nil {
		cr.check = check
	}
	return check
}

// LastCredentialCheck returns the last check's answer for the credential in ctx, or nil.
func (c *Client) LastCredentialCheck(ctx context.Context) *CredentialCheck {
	cr := c.cred(ctx)
	cr.checkMu.Lock()
	defer cr.checkMu.Unlock()
	return cr.check
}

// CredentialProblem returns a *CredentialError when the credential check found the credential
// rejected, and nil otherwise. It never starts the first check (main does, in the background,
// at start): it waits for a check in flight and re-checks a rejection older than recheckAfter.
func (c *Client) CredentialProblem(ctx context.Context) error {
	cr := c.cred(ctx)
	cr.checkMu.Lock()
	defer cr.checkMu.Unlock()
	check := cr.check
	if check == nil || check.Verdict != CredentialRejected {
		return nil
	}
	if time.Since(check.At) > recheckAfter {
		if check = c.checkLocked(ctx, cr); check.Verdict != CredentialRejected {
			return nil
		}
	}
	return &CredentialError{Check: check}
}

// StartChecks runs the credential check and then the capability probe in the background, once
// per credential, without delaying the caller (initialize is never held up by them).
func (c *Client) StartChecks(ctx context.Context) {
	cr := c.cred(ctx)
	cr.checkMu.Lock() // held until the check has run, so the first tool call waits for it
	started := false
	cr.probeOnce.Do(func() {
		started = true
		go func() {
			defer close(cr.probed)
			ctx := context.WithoutCancel(ctx)
			check := c.checkLocked(ctx, cr)
			cr.checkMu.Unlock()
			if check.Verdict != CredentialRejected {
				c.probeGroups(ctx, cr)
			}
		}()
	})
	if !started {
		cr.checkMu.Unlock()
	}
}
