package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// authenticator supplies the bearer credential for each request.
type authenticator interface {
	// token returns the credential to send, signing in first when needed.
	token(ctx context.Context) (string, error)
	// canRenew reports whether a 401 may be cured by getting a new credential.
	canRenew() bool
	// renew replaces the credential stale after the server rejected it; when another request
	// already replaced it, renew does nothing.
	renew(ctx context.Context, stale string) error
	// id is the hash that tells this credential from another (credentialKey of its identity),
	// computed once: every request looks up its credential's caches by it.
	id() string
}

// apiKeyAuth sends a fixed API key; a rejected key cannot be renewed.
type apiKeyAuth struct{ key, hash string }

func newAPIKeyAuth(key string) *apiKeyAuth {
	return &apiKeyAuth{key: key, hash: credentialKey("key\x00" + key)}
}

func (a *apiKeyAuth) token(context.Context) (string, error) { return a.key, nil }
func (a *apiKeyAuth) canRenew() bool                        { return false }
func (a *apiKeyAuth) renew(context.Context, string) error   { return nil }
func (a *apiKeyAuth) id() string                            { return a.hash }

// loginAuth signs in with a login and password and caches the JWT. Etlworks documents both a
// ten-minute and a 24-hour lifetime, so expiry is treated as unknown: the token is re-issued when
// the server answers 401.
type loginAuth struct {
	login, password string
	hash            string // credentialKey of the login and password
	client          *Client

	mu  sync.Mutex
	jwt string
}

func (a *loginAuth) token(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.jwt != "" {
		return a.jwt, nil
	}
	return a.issueLocked(ctx)
}

func (a *loginAuth) canRenew() bool { return true }

func (a *loginAuth) id() string { return a.hash }

func (a *loginAuth) renew(ctx context.Context, stale string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.jwt != "" && a.jwt != stale {
		return nil // a concurrent request already signed in again
	}
	a.jwt = ""
	_, err := a.issueLocked(ctx)
	return err
}

// issueLocked signs in: POST /v1/token-auth/issue (support docs), falling back to /v1/token-auth
// (developer portal) when the first path does not exist.
func (a *loginAuth) issueLocked(ctx context.Context) (string, error) {
	creds := map[string]string{"login": a.login, "password": a.password}
	var out struct {
		Token string `json:"token"`
	}
	var err error
	for _, path := range []string{"v1/token-auth/issue", "v1/token-auth"} {
		var r *request
		r, err = newJSONRequest(http.MethodPost, path, nil, creds)
		if err != nil {
			return "", err
		}
		r.noAuth = true
		r.secrets = []string{a.password}
		_, err = a.client.do(ctx, r, &out)
		if IsStatus(err, http.StatusNotFound) || IsStatus(err, http.StatusMethodNotAllowed) {
			continue
		}
		break
	}
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && (apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusForbidden) {
			return "", &SignInError{Login: a.login, Status: apiErr.Status}
		}
		return "", fmt.Errorf("client: sign in: %w", err)
	}
	if out.Token == "" {
		return "", errors.New("client: sign in: the server returned no token")
	}
	a.jwt = out.Token
	a.client.redactor.Add(a.jwt)
	return a.jwt, nil
}

// SignInError says Etlworks refused the login and password (401 or 403 from the sign-in route).
type SignInError struct {
	Login  string
	Status int
}

func (e *SignInError) Error() string {
	return fmt.Sprintf("client: sign-in as %q was refused (%d): check the username and password", e.Login, e.Status)
}
