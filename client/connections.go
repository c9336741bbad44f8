package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// ConnectionsService manages connections (/v1/connections): the stored endpoints (databases, file
// stores, APIs) that flows read and write, the catalogue of connector types, and the OAuth
// helpers of "Sign in with …" connectors.
type ConnectionsService service

// ConnectionListOptions filters GET /v1/connections. The filters are the sandbox's documented
// design; an Etlworks instance that ignores them returns everything.
type ConnectionListOptions struct {
	Name           string `query:"name"` // substring of the name
	Tag            string `query:"tag"`
	ConnectionType string `query:"connectionType"` // a connector descriptor id such as connection.db.postgres
	ListOptions
}

// List returns one page of connections as the raw JSON array; Response.Total holds X-Total-Count.
// Etlworks masks secret properties in the rows.
func (s *ConnectionsService) List(ctx context.Context, opts *ConnectionListOptions) (json.RawMessage, *Response, error) {
	return s.client.getList(ctx, "v1/connections", queryOf(opts))
}

// Get returns one connection as raw JSON. Secret properties should come back masked, but callers
// that show them must mask them anyway: not every Etlworks version is known to.
func (s *ConnectionsService) Get(ctx context.Context, id int64) (json.RawMessage, *Response, error) {
	return s.client.doRaw(ctx, &request{method: http.MethodGet, path: "v1/connections/" + itoa(id)})
}

// ConnectionRequest is the body of Create and Update. Update replaces the connection, so send
// every property; a secret left at the masked value a GET returned ("********") keeps its stored
// value.
type ConnectionRequest struct {
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	ConnectionType string            `json:"connectionType"`
	Properties     map[string]string `json:"properties"`
	Tags           []string          `json:"tags"`
}

// Create adds a connection and returns it as raw JSON (with its new id). It is never retried.
func (s *ConnectionsService) Create(ctx context.Context, body *ConnectionRequest) (json.RawMessage, *Response, error) {
	return s.write(ctx, http.MethodPost, "v1/connections", body)
}

// Update replaces connection id with body (PUT /v1/connections/{id}) and returns it as raw JSON.
// body is the whole connection as Get returned it, changed with SetFields: a typed struct would
// drop the fields it does not model and turn non-string properties into strings. Secret property
// values in it are kept out of any error.
func (s *ConnectionsService) Update(ctx context.Context, id int64, body json.RawMessage) (json.RawMessage, *Response, error) {
	path := "v1/connections/" + itoa(id)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, fmt.Errorf("client: PUT %s: no connection to send", path)
	}
	r, err := newJSONRequest(http.MethodPut, path, nil, body)
	if err != nil {
		return nil, nil, err
	}
	var obj struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(body, &obj)
	props := map[string]string{}
	for k, v := range obj.Properties {
		props[k] = looseString(v)
	}
	r.secrets = secretValues(props)
	return s.client.doRaw(ctx, r)
}

func (s *ConnectionsService) write(ctx context.Context, method, path string, body *ConnectionRequest) (json.RawMessage, *Response, error) {
	if body == nil {
		return nil, nil, fmt.Errorf("client: %s %s: no connection to send", method, path)
	}
	out := *body
	if out.Properties == nil {
		out.Properties = map[string]string{}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	r, err := newJSONRequest(method, path, nil, &out)
	if err != nil {
		return nil, nil, err
	}
	r.secrets = secretValues(out.Properties) // a server echoing the body in an error must not leak them
	s.client.redactor.Add(r.secrets...)      // nor may a later log line or result
	return s.client.doRaw(ctx, r)
}

// Delete removes connection id; Etlworks keeps it in the recycle bin, from where it can be
// restored. When the server says so, the Deletion names where it went (RecycleBinID) and the
// flows that used it (UsedByFlows); an answer without a body gives a zero Deletion.
func (s *ConnectionsService) Delete(ctx context.Context, id int64) (*Deletion, *Response, error) {
	return s.client.deleteTo(ctx, "v1/connections/"+itoa(id))
}

// ConnectionTest is the outcome of testing a connection. A connection that cannot connect is a
// successful call with Success false; Message then says why.
type ConnectionTest struct {
	Success    bool   `json:"success"`
	Message    string `json:"message"`
	DurationMs int64  `json:"durationMs"`
}

// Test asks Etlworks to connect with connection id's stored settings.
func (s *ConnectionsService) Test(ctx context.Context, id int64) (*ConnectionTest, *Response, error) {
	return decode[ConnectionTest](ctx, s.client, &request{method: http.MethodPost, path: "v1/connections/" + itoa(id) + "/test"})
}

// ConnectionTypeListOptions filters the connector catalogue. Etlworks documents no filters for it;
// a server that ignores them returns everything, so callers should filter the rows again.
type ConnectionTypeListOptions struct {
	Name     string `query:"name"`     // substring of the type id or display name
	Category string `query:"category"` // e.g. database, file, api
	ListOptions
}

// Types returns the catalogue of connector types as a raw JSON array of
// {type, name, category, properties: [{key, label, required, secret}]}.
func (s *ConnectionsService) Types(ctx context.Context, opts *ConnectionTypeListOptions) (json.RawMessage, *Response, error) {
	return s.client.getList(ctx, "v1/connection-types", queryOf(opts))
}

// OAuthURLOptions ties an authorization URL to a connection and a redirect.
type OAuthURLOptions struct {
	ConnectionID int64  `query:"connectionId"` // the connection that stores the refresh token; 0 for none
	RedirectURI  string `query:"redirectUri"`  // where the provider sends the browser back; "" for the Etlworks default
}

// OAuthURL is where a user signs in to an OAuth provider so Etlworks can store a refresh token.
type OAuthURL struct {
	URL   string `json:"url"`
	State string `json:"state"`
}

// OAuthURL returns the provider's authorization URL (provider is e.g. "google" or "salesforce").
func (s *ConnectionsService) OAuthURL(ctx context.Context, provider string, opts *OAuthURLOptions) (*OAuthURL, *Response, error) {
	if strings.TrimSpace(provider) == "" {
		return nil, nil, fmt.Errorf("client: OAuth provider is empty")
	}
	return decode[OAuthURL](ctx, s.client, &request{method: http.MethodGet, path: "v1/connections/oauth/" + url.PathEscape(provider) + "/authorize-url", query: queryOf(opts)})
}

// OAuthCallback completes a sign-in: it hands the provider's code and the state of OAuthURL to
// Etlworks, which stores the refresh token in connection id and returns the connection as raw JSON.
func (s *ConnectionsService) OAuthCallback(ctx context.Context, id int64, code, state string) (json.RawMessage, *Response, error) {
	r, err := newJSONRequest(http.MethodPost, "v1/connections/"+itoa(id)+"/oauth/callback", nil, map[string]string{"code": code, "state": state})
	if err != nil {
		return nil, nil, err
	}
	r.secrets = []string{code, state}
	return s.client.doRaw(ctx, r)
}

// secretValues returns the values of properties whose names look like credentials. Values of
// fewer than 4 characters are skipped: redacting them would garble unrelated text.
func secretValues(props map[string]string) []string {
	var out []string
	for k, v := range props {
		if len(v) >= secrets.MinValueLen && secrets.IsSecretKey(k) && v != MaskedSecret {
			out = append(out, v)
		}
	}
	return out
}

// MaskedSecret is the value Etlworks shows in place of a stored secret.
const MaskedSecret = secrets.Mask
