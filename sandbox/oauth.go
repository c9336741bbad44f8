package sandbox

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
)

// OAuth helpers of pre-configured connectors (our design, tag [I]: not in Etlworks' public
// documentation): an authorize URL at the provider's real endpoint with a single-use state, and a
// callback that exchanges the code for a refresh token stored in the connection. The exchange is
// simulated: the sandbox never calls the provider, and any code is accepted except one starting with
// "invalid" (the provider's invalid_grant).

// oauthStateTTL is how long a sign-in may take between the authorize URL and the callback.
const oauthStateTTL = 10 * time.Minute

// oauthProvider is one "Sign in with …" provider: its authorize endpoint, the sandbox's client id
// there, the default scope and extra query parameters it needs for a refresh token.
type oauthProvider struct {
	title     string
	authorize string
	clientID  string
	scope     string
	extra     map[string]string
}

// oauthProviders returns the providers by id, built on first use so start-up does not pay for it.
var oauthProviders = sync.OnceValue(func() map[string]oauthProvider {
	return map[string]oauthProvider{
		"google": {title: "Google", authorize: "https://accounts.google.com/o/oauth2/v2/auth",
			clientID: "482715903364-etlworkssandbox.apps.googleusercontent.com", scope: "openid email",
			extra: map[string]string{"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"}},
		"microsoft": {title: "Microsoft", authorize: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
			clientID: "6f1c0b7e-3b0d-4c55-9a57-8e6d2c1f4a90", scope: "offline_access User.Read",
			extra: map[string]string{"response_mode": "query", "prompt": "select_account"}},
		"salesforce": {title: "Salesforce", authorize: "https://login.salesforce.com/services/oauth2/authorize",
			clientID: "3MVG9n_HvETGhr3AzEtlworksSandboxMcpClient.0123456789", scope: "api refresh_token offline_access",
			extra: map[string]string{"prompt": "login consent"}},
		"hubspot": {title: "HubSpot", authorize: "https://app.hubspot.com/oauth/authorize",
			clientID: "1f9e3c27-8b4d-4a6e-9c15-etlworks0sbx", scope: "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read"},
	}
})

// oauthScopes returns the scopes a connector type asks for, when not its provider's default; the
// map is built on first use so start-up does not pay for it.
var oauthScopes = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"connection.api.googlesheets":    "https://www.googleapis.com/auth/spreadsheets https://www.googleapis.com/auth/drive.readonly",
		"connection.api.googleanalytics": "https://www.googleapis.com/auth/analytics.readonly",
		"connection.file.googledrive":    "https://www.googleapis.com/auth/drive",
		"connection.db.bigquery":         "https://www.googleapis.com/auth/bigquery",
		"connection.file.onedrive":       "offline_access Files.ReadWrite.All",
		"connection.file.sharepoint":     "offline_access Sites.ReadWrite.All Files.ReadWrite.All",
		"connection.api.dynamics365":     "offline_access https://globaldisco.crm.dynamics.com/user_impersonation",
		"connection.api.salesforce":      "api refresh_token offline_access",
		"connection.api.hubspot":         "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read",
		"connection.http":                "",
		"connection.http.graphql":        "",
	}
})

// providerTitle is the display name of a provider id.
func providerTitle(id string) string { return cmp.Or(oauthProviders()[id].title, id) }

// authorizeURLResponse is the body of the authorize-url endpoint.
type authorizeURLResponse struct {
	URL   string `json:"url"`
	State string `json:"state"`
}

// authorizeURLHandler serves GET /v1/connections/oauth/{provider}/authorize-url?connectionId=&redirectUri=
// (Editor, as it leads to a change of the connection). redirectUri defaults to the sandbox's own
// /oauth/callback. The state is valid for oauthStateTTL, for that connection only; without
// connectionId it asks for the provider's default scope and any connection of a matching type may use it.
func (s *Sandbox) authorizeURLHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	name := strings.ToLower(r.PathValue("provider"))
	prov, ok := oauthProviders()[name]
	if !ok {
		return badRequest("Unknown OAuth provider '%s'; one of %s", r.PathValue("provider"),
			strings.Join(slices.Sorted(maps.Keys(oauthProviders())), ", "))
	}
	q := r.URL.Query()
	id, err := queryID(q, "connectionId", false)
	if err != nil {
		return err
	}
	scope := prov.scope
	if id != 0 {
		c, err := s.connectionByID(r.Context(), id)
		if err != nil {
			return err
		}
		if scope, err = oauthScope(c, name, prov); err != nil {
			return err
		}
	}
	redirect := q.Get("redirectUri")
	if redirect == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		redirect = scheme + "://" + r.Host + "/oauth/callback"
	}
	if u, err := url.Parse(redirect); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return badRequest("Parameter 'redirectUri' must be an absolute http(s) URL, not '%s'", redirect)
	}
	st := oauthState{State: randomString(32), ConnectionID: id, Provider: name, RedirectURI: redirect, User: p.Login,
		ExpiresAt: time.Now().Add(oauthStateTTL).UnixMilli()}
	if err := s.st.putOAuthState(r.Context(), st, time.Now().UnixMilli()); err != nil {
		return err
	}
	v := url.Values{"client_id": {prov.clientID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {scope}, "state": {st.State}}
	for k, val := range prov.extra {
		v.Set(k, val)
	}
	return writeJSON(w, http.StatusOK, authorizeURLResponse{URL: prov.authorize + "?" + v.Encode(), State: st.State})
}

// oauthScope checks that a connection signs in with the provider and returns the scope to ask for.
// Pre-configured connectors have one provider; generic HTTP and GraphQL connections take any.
func oauthScope(c connection, name string, prov oauthProvider) (string, error) {
	t, _ := connectors.Lookup(c.ConnectionType)
	generic := c.ConnectionType == "connection.http" || c.ConnectionType == "connection.http.graphql"
	if t.OAuthProvider != name && !generic {
		if t.OAuthProvider != "" {
			return "", badRequest("Connection '%s' (%s) signs in with %s, not %s", c.Name, c.ConnectionType, t.OAuthProvider, name)
		}
		return "", badRequest("Connection '%s' (%s) does not use OAuth sign-in; the types that do are listed by "+
			"GET /rest/v1/connection-types with an oauthProvider, plus connection.http and connection.http.graphql", c.Name, c.ConnectionType)
	}
	return cmp.Or(oauthScopes()[c.ConnectionType], prov.scope), nil
}

// oauthCallbackRequest is the body of the callback: what the provider sent to the redirect URI.
type oauthCallbackRequest struct {
	Code  string `json:"code"`
	State string `json:"state"`
}

// oauthCallbackHandler serves POST /v1/connections/{id}/oauth/callback (Editor): it checks the state
// (known, unexpired, issued for this connection; it is used up either way), "exchanges" the code and
// stores the refresh token, then answers with the connection (secrets masked). Audited as editConnection.
func (s *Sandbox) oauthCallbackHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.connectionFromPath, func(c connection, started time.Time) error {
		var in oauthCallbackRequest
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		switch {
		case strings.TrimSpace(in.Code) == "":
			return badRequest("Field 'code' is required: the authorization code the provider sent to the redirect URI")
		case strings.TrimSpace(in.State) == "":
			return badRequest("Field 'state' is required: the state returned with the authorize URL")
		}
		st, err := s.st.takeOAuthState(r.Context(), in.State)
		switch {
		case errors.Is(err, errNotFound):
			err = badRequest("Invalid OAuth state: it was never issued or has been used already; request a new authorize URL")
		case err != nil:
			return err
		case st.ConnectionID != 0 && st.ConnectionID != c.ID:
			err = badRequest("Invalid OAuth state: it was issued for connection %d, not %d", st.ConnectionID, c.ID)
		case time.Now().UnixMilli() >= st.ExpiresAt:
			err = badRequest("OAuth state has expired (a sign-in must finish within %s); request a new authorize URL", oauthStateTTL)
		case strings.HasPrefix(in.Code, "invalid"):
			err = badRequest("%s rejected the authorization code: invalid_grant (the code is invalid, expired or already used)",
				providerTitle(st.Provider))
		}
		if err == nil && st.ConnectionID == 0 {
			_, err = oauthScope(c, st.Provider, oauthProviders()[st.Provider])
		}
		if err == nil {
			c.Properties[connectors.PropRefreshToken] = refreshTokenFor(st.Provider)
			err = s.st.updateConnection(r.Context(), c, started.UnixMilli())
		}
		return s.audited(r, p, started, "editConnection", map[string]any{"connectionId": c.ID, "name": c.Name,
			"changed": []string{"properties." + connectors.PropRefreshToken}, "oauthProvider": st.Provider}, err,
			func() error { return s.writeConnection(w, r, c.ID) })
	})
}

// refreshTokenFor fabricates a refresh token in the provider's usual shape.
func refreshTokenFor(provider string) string {
	switch provider {
	case "google":
		return "1//0g" + randomString(98)
	case "salesforce":
		return "5Aep861" + randomString(80)
	case "hubspot":
		return fmt.Sprintf("na1-%s-%s-%s", randomString(4), randomString(4), randomString(12))
	}
	return "M.C5" + randomString(120)
}
