package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// UsersService answers questions about users (/v1/users).
type UsersService service

// Me returns the user the credentials belong to ({id, login, email, role, tenantId, tenantName}).
func (s *UsersService) Me(ctx context.Context) (json.RawMessage, *Response, error) {
	return s.client.doRaw(ctx, &request{method: http.MethodGet, path: "v1/users/me"})
}

// SystemService reads instance-level information.
type SystemService service

// Health returns GET /health (outside /rest, no credential needed).
func (s *SystemService) Health(ctx context.Context) (json.RawMessage, *Response, error) {
	return s.client.doRaw(ctx, &request{method: http.MethodGet, path: "health", atRoot: true, noAuth: true})
}
