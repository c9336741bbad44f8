package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// role is a minimum permission level. Ranks follow etlworks-api.md §1.6: Viewer < Operator <
// Editor < Administrator; an API User may call no built-in endpoint beyond whoami.
type role int

const (
	roleNone     role = iota // no credential needed
	roleAny                  // any valid credential
	roleViewer               // read flows
	roleOperator             // run, stop, status, logs
	roleEditor               // manage flows
	roleAdmin                // audit trail
)

// name is the Etlworks role that grants r, for messages.
func (r role) name() string {
	switch r {
	case roleViewer:
		return "Viewer"
	case roleOperator:
		return "Operator"
	case roleEditor:
		return "Editor"
	case roleAdmin:
		return "Administrator"
	}
	return "API User"
}

// rankOf maps an Etlworks role name to the level it grants; unknown roles grant nothing.
func rankOf(name string) role {
	switch name {
	case "Viewer":
		return roleViewer
	case "Operator":
		return roleOperator
	case "Editor":
		return roleEditor
	case "Administrator", "Super Admin":
		return roleAdmin
	case "API User":
		return roleAny
	}
	return roleNone
}

// principal is the authenticated caller of a request.
type principal struct {
	*user
	viaJWT bool
}

// jwtClaims are the stand-in JWT claims (etlworks-api.md §2.1 [I]); clients treat the token as opaque.
type jwtClaims struct {
	Sub      string `json:"sub"`
	TenantID int64  `json:"tenantId"`
	Role     string `json:"role"`
	Iat      int64  `json:"iat"`
	Exp      int64  `json:"exp"`
}

// jwtHeader is base64url(`{"alg":"HS256","typ":"JWT"}`), the only header the sandbox issues or accepts.
const jwtHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

// signJWT issues an HS256 token for u valid for ttl (at least one second, as exp has second precision).
func signJWT(key []byte, u *user, now time.Time, ttl time.Duration) (string, error) {
	secs := max(int64((ttl+time.Second-1)/time.Second), 1)
	c := jwtClaims{Sub: u.Login, TenantID: u.TenantID, Role: u.Role, Iat: now.Unix(), Exp: now.Unix() + secs}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	unsigned := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return unsigned + "." + jwtSignature(key, unsigned), nil
}

func jwtSignature(key []byte, unsigned string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(unsigned))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

var (
	errTokenInvalid = errors.New("invalid token")
	errTokenExpired = errors.New("token expired")
)

// parseJWT verifies a token's signature and expiry and returns its claims.
func parseJWT(key []byte, token string, now time.Time) (jwtClaims, error) {
	var c jwtClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return c, errTokenInvalid
	}
	if !hmac.Equal([]byte(jwtSignature(key, parts[0]+"."+parts[1])), []byte(parts[2])) {
		return c, errTokenInvalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &c) != nil || c.Sub == "" {
		return c, errTokenInvalid
	}
	if now.Unix() >= c.Exp {
		return c, errTokenExpired
	}
	return c, nil
}

// apiKeyLength is the documented API key size: a "256-character alphanumeric string" (D-AI).
const apiKeyLength = 256

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString returns n characters drawn uniformly from alphanumeric using crypto/rand.
func randomString(n int) string {
	out := make([]byte, n)
	for i := range out {
		out[i] = alphanumeric[randIndex(len(alphanumeric))]
	}
	return string(out)
}

func randIndex(n int) int {
	var b [1]byte
	limit := 256 - 256%n // rejection sampling keeps the draw uniform
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic("crypto/rand failed: " + err.Error()) // rand.Read never fails on supported platforms
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// credential extracts the bearer credential from the Authorization header or, failing that, the
// documented query form ?Authorization=Bearer%20<token>.
func credential(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if v == "" {
		v = r.URL.Query().Get("Authorization")
	}
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		v = strings.TrimSpace(v[7:])
	}
	return v
}

// authorize authenticates a request and checks that the caller's role reaches min.
func (s *Sandbox) authorize(r *http.Request, min role) (*principal, error) {
	if min == roleNone {
		return nil, nil
	}
	tok := credential(r)
	if tok == "" {
		return nil, apiErrorf(http.StatusUnauthorized, "Full authentication is required to access this resource")
	}
	p, err := s.authenticate(r.Context(), tok)
	if err != nil {
		return nil, err
	}
	if rankOf(p.Role) < min {
		return nil, apiErrorf(http.StatusForbidden, "User '%s' with role %s is not allowed to %s %s: it needs the %s role or higher",
			p.Login, p.Role, r.Method, r.URL.Path, min.name())
	}
	return p, nil
}

// authenticate resolves a JWT (it has dots) or an API key to its user.
func (s *Sandbox) authenticate(ctx context.Context, tok string) (*principal, error) {
	now := time.Now()
	if strings.Contains(tok, ".") {
		c, err := parseJWT(s.jwtKey, tok, now)
		switch {
		case errors.Is(err, errTokenExpired):
			return nil, apiErrorf(http.StatusUnauthorized, "Token expired; issue a new one or refresh it before it expires")
		case err != nil:
			return nil, apiErrorf(http.StatusUnauthorized, "Invalid token")
		}
		u, err := s.st.userByLogin(ctx, c.Sub)
		if errors.Is(err, errNotFound) {
			return nil, apiErrorf(http.StatusUnauthorized, "Invalid token: user no longer exists")
		}
		if err != nil {
			return nil, err
		}
		return &principal{user: u, viaJWT: true}, nil
	}
	u, err := s.st.userByAPIKey(ctx, tok, now.UnixMilli())
	if errors.Is(err, errNotFound) {
		return nil, apiErrorf(http.StatusUnauthorized, "Invalid API key or token")
	}
	if err != nil {
		return nil, err
	}
	return &principal{user: u}, nil
}
