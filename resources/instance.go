package resources

import (
	"context"
	"encoding/json"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// instanceView is what etlworks://instance shows: where the server points, who it is, how the
// instance is, and which optional capabilities it has (client.Capability: routes a real instance may lack).
type instanceView struct {
	URL          string                `json:"url"`
	Credential   string                `json:"access"` // the credential check: accepted, refused, rejected or unknown (a key named like "credential" would be masked)
	User         *userView             `json:"user,omitempty"`
	UserNote     string                `json:"user_note,omitempty"`
	Health       *client.HealthSummary `json:"health,omitempty"`
	HealthNote   string                `json:"health_note,omitempty"`
	Capabilities []capabilityView      `json:"capabilities"`
}

type userView struct {
	Login string `json:"login,omitempty"`
	Role  string `json:"role,omitempty"`
}

type capabilityView struct {
	Name      string `json:"name"`
	Operation string `json:"operation"`
	State     string `json:"state"` // unknown, present, forbidden or absent
	Where     string `json:"where_in_ui,omitempty"`
}

func instance(d Deps) Def {
	r := jsonResource("instance", "Etlworks instance",
		"The Etlworks instance this server uses: URL, user and role when known, health, and which optional REST capabilities it has.")
	return Def{Resource: r, Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return jsonContents(req.Params.URI, describeInstance(ctx, d.Client))
	}}
}

// describeInstance gathers the view; each part that cannot be read says why instead of failing
// the whole resource.
func describeInstance(ctx context.Context, c *client.Client) instanceView {
	v := instanceView{URL: c.BaseURL(), Credential: client.CredentialUnknown, Capabilities: []capabilityView{}}
	if check := c.LastCredentialCheck(ctx); check != nil {
		v.Credential = check.Verdict
	}
	if raw, _, err := c.Users.Me(ctx); err == nil {
		var me struct {
			Login string `json:"login"`
			Role  string `json:"role"`
		}
		if json.Unmarshal(raw, &me) == nil && (me.Login != "" || me.Role != "") {
			v.User = &userView{Login: me.Login, Role: me.Role}
		}
	} else {
		v.UserNote = "user and role unknown: " + secrets.Redact(err.Error())
	}
	if h, err := c.System.HealthSummary(ctx); err == nil {
		v.Health = h
	} else {
		v.HealthNote = "GET /health did not answer: " + secrets.Redact(err.Error())
	}
	states := c.CapabilityStates(ctx)
	for _, info := range client.Capabilities() {
		cv := capabilityView{Name: string(info.Name), Operation: info.Operation, State: states[info.Name].String()}
		if st := states[info.Name]; st == client.CapAbsent || st == client.CapForbidden {
			cv.Where = info.Where
		}
		v.Capabilities = append(v.Capabilities, cv)
	}
	return v
}
