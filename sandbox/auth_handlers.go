package sandbox

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"time"
)

// tokenResponse is the body of the token-auth endpoints.
type tokenResponse struct {
	Token string `json:"token"`
}

// issueToken serves POST /v1/token-auth/issue and its newer spelling POST /v1/token-auth.
func (s *Sandbox) issueToken(w http.ResponseWriter, r *http.Request, _ *principal) error {
	var body struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if body.Login == "" || body.Password == "" {
		return badRequest("Fields 'login' and 'password' are required")
	}
	u, err := s.st.userByLogin(r.Context(), body.Login)
	if err != nil && !errors.Is(err, errNotFound) {
		return err
	}
	if u == nil || subtle.ConstantTimeCompare([]byte(u.Password), []byte(body.Password)) != 1 {
		return apiErrorf(http.StatusUnauthorized, "Invalid login or password")
	}
	return s.writeToken(w, u)
}

// refreshToken serves POST /v1/token-auth/refresh: a still-valid JWT buys a new one.
func (s *Sandbox) refreshToken(w http.ResponseWriter, _ *http.Request, p *principal) error {
	if !p.viaJWT {
		return badRequest("Token refresh needs a JWT; API keys do not expire")
	}
	return s.writeToken(w, p.user)
}

func (s *Sandbox) writeToken(w http.ResponseWriter, u *user) error {
	tok, err := signJWT(s.jwtKey, u, time.Now(), s.opts.TokenTTL)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tokenResponse{Token: tok})
}

// meResponse is the body of GET /v1/users/me (our design, tag [I]: not in Etlworks' public documentation).
type meResponse struct {
	ID         int64  `json:"id"`
	Login      string `json:"login"`
	Email      string `json:"email"`
	Role       string `json:"role"`
	TenantID   int64  `json:"tenantId"`
	TenantName string `json:"tenantName"`
}

// me serves GET /v1/users/me.
func (s *Sandbox) me(w http.ResponseWriter, _ *http.Request, p *principal) error {
	return writeJSON(w, http.StatusOK, meResponse{ID: p.ID, Login: p.Login, Email: p.Email, Role: p.Role,
		TenantID: p.TenantID, TenantName: p.TenantName})
}
