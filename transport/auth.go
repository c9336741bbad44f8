package transport

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// Realm is the realm of the WWW-Authenticate challenge /mcp answers a request without a good
// credential with.
const Realm = "etlworks-mcp"

// ErrCannotVerify marks a BearerAuth.Check failure that says nothing about the credential (the
// service that judges it did not answer): the request gets 503, not 401, so a client keeps its key.
var ErrCannotVerify = errors.New("the credential cannot be checked right now; try again shortly")

// BearerAuth guards /mcp: every request must carry Authorization: Bearer <credential>, which
// Check judges. A request without one, or with one Check refuses, gets 401 with a
// WWW-Authenticate: Bearer challenge and a JSON body saying what to send; /healthz stays open.
type BearerAuth struct {
	// Check judges one request's credential. It returns the context the request goes on with (for
	// instance one carrying the credential, so the calls it makes act as its owner), or an error:
	// one wrapping ErrCannotVerify answers 503, any other 401 with the error's text, which must
	// not repeat the credential.
	Check func(ctx context.Context, credential string) (context.Context, error)
	// Want names what to send, as the 401 body says it: "your Etlworks API key".
	Want string
}

// TokenAuth accepts exactly token, compared in constant time (of its hash, so not even its
// length shows in the timing); the request context is left as it is.
func TokenAuth(token string) *BearerAuth {
	want := sha256.Sum256([]byte(token))
	return &BearerAuth{
		Want: "the server's access token (ETLWORKS_MCP_TOKEN)",
		Check: func(ctx context.Context, credential string) (context.Context, error) {
			got := sha256.Sum256([]byte(credential))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				return ctx, errors.New("the bearer token is not this server's access token")
			}
			return ctx, nil
		},
	}
}

// bearer returns the credential of an Authorization: Bearer header, or "".
func bearer(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(v) < 7 || !strings.EqualFold(v[:7], "bearer ") {
		return ""
	}
	return strings.TrimSpace(v[7:])
}

// guard applies auth to every request but CORS preflights (browsers send those without
// credentials). It logs refusals at debug level without the credential.
func (a *BearerAuth) guard(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		cred := bearer(r)
		if cred == "" {
			log.DebugContext(r.Context(), "refused a request without a credential", "remote", r.RemoteAddr)
			challenge(w, `Bearer realm="`+Realm+`"`, "this server needs a credential: send Authorization: Bearer <"+a.Want+">")
			return
		}
		ctx, err := a.Check(r.Context(), cred)
		switch {
		case errors.Is(err, ErrCannotVerify):
			log.WarnContext(r.Context(), "could not check a credential", "remote", r.RemoteAddr, "err", err)
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, codeInternalError, err.Error())
			return
		case err != nil:
			log.DebugContext(r.Context(), "refused a credential", "remote", r.RemoteAddr, "err", err)
			challenge(w, `Bearer realm="`+Realm+`", error="invalid_token"`, err.Error()+"; send Authorization: Bearer <"+a.Want+">")
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// challenge answers 401 with a WWW-Authenticate header and a JSON-RPC error body.
func challenge(w http.ResponseWriter, header, message string) {
	w.Header().Set("WWW-Authenticate", header)
	writeError(w, http.StatusUnauthorized, codeInvalidRequest, message)
}
