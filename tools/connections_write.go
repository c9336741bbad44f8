package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// CreateConnectionInput describes a new connection.
type CreateConnectionInput struct {
	Name        string            `json:"name" jsonschema:"required,description=Unique name"`
	Type        string            `json:"type" jsonschema:"required,description=Connector type from list_connector_types"`
	Properties  map[string]string `json:"properties,omitempty" jsonschema:"description=Settings by key (host\\, user\\, password…)"`
	Description string            `json:"description,omitempty" jsonschema:"description=What it connects to"`
	Tags        []string          `json:"tags,omitempty" jsonschema:"description=Tags"`
	DryRun      bool              `json:"dry_run,omitempty" jsonschema:"description=Preview only"`
}

func (in *CreateConnectionInput) validate() error {
	if strings.TrimSpace(in.Name) == "" {
		return badInput(`"name" must not be blank`)
	}
	return checkProperties(in.Properties)
}

// checkProperties refuses keys and values that cannot be what the caller meant.
func checkProperties(props map[string]string) error {
	for k, v := range props {
		if strings.TrimSpace(k) == "" {
			return badInput(`"properties" has an empty key`)
		}
		if v == client.MaskedSecret {
			return badInput(`"properties.%s" is the mask %q, not a value; leave the key out to keep the stored secret`, shortKey(k), client.MaskedSecret)
		}
	}
	return nil
}

func fullKeys(props map[string]string) map[string]string {
	out := make(map[string]string, len(props))
	for k, v := range props {
		out[fullKey(k)] = v
	}
	return out
}

func createConnectionTool(d Deps) Def {
	return newTool(d, spec[CreateConnectionInput]{
		name:        "create_connection",
		title:       "Create connection",
		description: "Create a connection of a connector type; test_connection then checks it.",
		toolset:     "connections",
		effect:      writes,
		handle: func(ctx context.Context, in CreateConnectionInput) (any, error) {
			body := &client.ConnectionRequest{
				Name: strings.TrimSpace(in.Name), Description: in.Description, ConnectionType: in.Type,
				Properties: fullKeys(in.Properties), Tags: in.Tags,
			}
			if in.DryRun {
				return previewConnection(ctx, d.Client, body), nil
			}
			raw, _, err := d.Client.Connections.Create(ctx, body)
			return createdAnswer(raw, err, viewConnection, func(v connView) toolCall { return hint("test_connection", "", "connection", v.ID) })
		},
	})
}

// connectionDryRun shows the connection create_connection would send, secret values masked, with
// what could be checked without creating it: that the name is free and, where the instance lists
// connector types, that the type exists and which of its required properties are missing.
func previewConnection(ctx context.Context, c *client.Client, body *client.ConnectionRequest) connectionDryRun {
	props := make(map[string]string, len(body.Properties))
	for k, v := range body.Properties {
		props[shortKey(k)] = maskProperty(shortKey(k), v)
	}
	would := connectionWould{Name: body.Name, ConnectionType: body.ConnectionType, Properties: props,
		Description: clip(body.Description, 200), Tags: body.Tags}
	checks, problems := []string{}, []string{}
	var nf *client.NameNotFoundError
	switch n, err := c.Connections.FindByName(ctx, body.Name); {
	case errors.As(err, &nf):
		checks = append(checks, "name is free")
	case err == nil && n != nil:
		problems = append(problems, fmt.Sprintf("connection %d already has the name %q", n.ID, n.Name))
	default:
		checks = append(checks, "name not checked: "+clip(err.Error(), 200))
	}
	checks, problems = checkConnectorType(ctx, c, body, checks, problems)
	out := connectionDryRun{DryRun: true, WouldSend: would, Checks: checks,
		Next: "call create_connection again without dry_run to create it; test_connection then checks it"}
	if len(problems) > 0 {
		out.Problems = problems
		out.Next = "fix the problems; nothing was created"
	}
	return out
}

// checkConnectorType looks the type up in the instance's connector catalogue, when it has one,
// and names the required properties the request leaves out.
func checkConnectorType(ctx context.Context, c *client.Client, body *client.ConnectionRequest, checks, problems []string) ([]string, []string) {
	raw, _, err := c.Connections.Types(ctx, &client.ConnectionTypeListOptions{Name: body.ConnectionType})
	if err != nil {
		return append(checks, "type not checked: this instance lists no connector types"), problems
	}
	var typ gjson.Result
	gjson.ParseBytes(raw).ForEach(func(_, t gjson.Result) bool {
		if strings.EqualFold(t.Get("type").String(), body.ConnectionType) {
			typ = t
			return false
		}
		return true
	})
	if !typ.Exists() {
		return checks, append(problems, fmt.Sprintf("unknown connector type %q; list_connector_types shows them", clip(body.ConnectionType, 100)))
	}
	checks = append(checks, fmt.Sprintf("type %s (%s) exists", typ.Get("type").String(), typ.Get("name").String()))
	var missing []string
	typ.Get("properties").ForEach(func(_, p gjson.Result) bool {
		key := p.Get("key").String()
		if p.Get("required").Bool() && body.Properties[fullKey(key)] == "" && body.Properties[key] == "" {
			missing = append(missing, shortKey(key))
		}
		return true
	})
	if len(missing) > 0 {
		problems = append(problems, "required properties missing: "+strings.Join(missing, ", "))
	}
	return checks, problems
}

// UpdateConnectionInput changes some fields of a connection; what it leaves out stays as it is.
type UpdateConnectionInput struct {
	Connection  Ref               `json:"connection" jsonschema:"required,description=Id or exact name"`
	Properties  map[string]string `json:"properties,omitempty" jsonschema:"description=Settings to change by key; others kept"`
	NewName     string            `json:"new_name,omitempty" jsonschema:"description=Rename to"`
	Description *string           `json:"description,omitempty" jsonschema:"description=New description"`
	Tags        []string          `json:"tags,omitempty" jsonschema:"description=Replace all tags"`
	DryRun      bool              `json:"dry_run,omitempty" jsonschema:"description=Preview only"`
}

func (in *UpdateConnectionInput) validate() error {
	if len(in.Properties) == 0 && in.NewName == "" && in.Description == nil && in.Tags == nil {
		return badInput(`nothing to change: give "properties", "new_name", "description" or "tags"`)
	}
	return checkProperties(in.Properties)
}

func updateConnectionTool(d Deps) Def {
	return newTool(d, spec[UpdateConnectionInput]{
		name:        "update_connection",
		title:       "Update connection",
		description: "Change a connection's properties, name, description or tags; dry_run previews (secrets shown only as changed).",
		toolset:     "connections",
		effect:      writesOnce,
		handle: func(ctx context.Context, in UpdateConnectionInput) (any, error) {
			c, raw, err := readConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			cur := gjson.ParseBytes(raw)
			body, changes, unchanged, err := planUpdate(cur, in)
			if err != nil {
				return nil, err
			}
			out := connectionUpdate{Connection: c.Name, ID: c.ID, Changes: changes, Unchanged: unchanged}
			switch {
			case in.DryRun:
				out.DryRun = true
				return out, nil
			case len(changes) == 0:
				out.Updated = new(false)
				return out, nil
			}
			if _, _, err := d.Client.Connections.Update(ctx, c.ID, body); err != nil {
				return nil, err
			}
			next := hint("test_connection", "", "connection", c.ID)
			out.Updated, out.Next = new(true), &next
			return out, nil
		},
	})
}

// planUpdate builds the whole connection to send, a read-modify-write of the raw JSON read by GET
// /v1/connections/{id} (Etlworks edits a connection by PUT of the whole object): fields it does not
// model and the types of the properties it does not change are kept as they came, and masked secrets go
// back as they came, which Etlworks reads as "keep". It describes each change; secret values never
// appear in it.
func planUpdate(cur gjson.Result, in UpdateConnectionInput) (json.RawMessage, map[string]string, []string, error) {
	fields := map[string]any{}
	changes := map[string]string{}
	var unchanged []string
	field := func(name, from, to string) bool {
		if from == to {
			unchanged = append(unchanged, name)
			return false
		}
		changes[name] = fmt.Sprintf("%q -> %q", clip(from, 200), clip(to, 200))
		return true
	}
	if in.NewName != "" && field("name", cur.Get("name").String(), in.NewName) {
		fields["name"] = in.NewName
	}
	if in.Description != nil && field("description", cur.Get("description").String(), *in.Description) {
		fields["description"] = *in.Description
	}
	if in.Tags != nil && field("tags", strings.Join(strs(cur.Get("tags")), ","), strings.Join(in.Tags, ",")) {
		fields["tags"] = in.Tags
	}
	props := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(in.Properties)) {
		key, to := fullKey(k), in.Properties[k]
		old := cur.Get("properties").Get(gjson.Escape(key))
		from, exists := old.String(), old.Exists()
		name := shortKey(key)
		switch {
		case isSecretKey(key) || from == client.MaskedSecret:
			// The stored value is masked, so it cannot be compared: a new value counts as a change
			// unless Etlworks happened to return the secret in clear and it is the same.
			if exists && from == to {
				unchanged = append(unchanged, name)
				continue
			} else if !exists || from == "" {
				changes[name] = "set (secret)"
			} else {
				changes[name] = "changed (secret)"
			}
		case !exists:
			changes[name] = fmt.Sprintf("unset -> %q", clip(maskProperty(key, to), 200))
		default:
			if !field(name, maskProperty(key, from), maskProperty(key, to)) {
				continue
			}
		}
		props[key] = typedLike(old, to)
	}
	if len(props) > 0 {
		base := json.RawMessage(cur.Get("properties").Raw)
		if !cur.Get("properties").IsObject() {
			base = json.RawMessage(`{}`)
		}
		merged, err := client.SetFields(base, props)
		if err != nil {
			return nil, nil, nil, err
		}
		fields["properties"] = merged
	}
	body, err := client.SetFields(json.RawMessage(cur.Raw), fields)
	return body, changes, unchanged, err
}

// typedLike returns the new value of a property in the JSON type of the old one when it reads as
// that type ("5433" stays a number where Etlworks stored a number), else as a string.
func typedLike(old gjson.Result, to string) any {
	switch old.Type {
	case gjson.Number:
		if json.Valid([]byte(to)) && gjson.Parse(to).Type == gjson.Number {
			return json.RawMessage(to)
		}
	case gjson.True, gjson.False:
		if to == "true" || to == "false" {
			return to == "true"
		}
	}
	return to
}

// DeleteConnectionInput names the connection to delete.
type DeleteConnectionInput struct {
	Connection Ref `json:"connection" jsonschema:"required,description=Id or exact name"`
	confirmable
}

func deleteConnectionTool(d Deps) Def {
	return deleteTool(d, deleteSpec[DeleteConnectionInput]{
		name:        "delete_connection",
		title:       "Delete connection",
		description: "Delete a connection after confirmation; restore_deleted brings it back.",
		toolset:     "connections",
		kind:        "connection",
		target: func(ctx context.Context, in DeleteConnectionInput) (deleteTarget, error) {
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return deleteTarget{}, err
			}
			action := fmt.Sprintf("Delete connection %d %q; restore_deleted can bring it back.", c.ID, c.Name)
			if users := flowsUsing(ctx, d.Client, c.ID); len(users) > 0 {
				action = fmt.Sprintf("Delete connection %d %q, used by flows %s, which fail until it is restored; restore_deleted can bring it back.",
					c.ID, c.Name, quoteList(users))
			}
			state, err := c.get(ctx, d.Client)
			if err != nil {
				return deleteTarget{}, err
			}
			return deleteTarget{id: c.ID, name: c.Name, action: action, state: state,
				finish: func(del *client.Deletion, out deletion) deletion {
					for _, u := range del.UsedByFlows {
						out.UsedByFlows = append(out.UsedByFlows, u.Name)
					}
					return out
				}}, nil
		},
		remove: func(ctx context.Context, id int64) (*client.Deletion, *client.Response, error) {
			return d.Client.Connections.Delete(ctx, id)
		},
	})
}

// flowsUsing names the flows (of the first 200) that use connection id, for the confirmation
// question; nil when unknown.
func flowsUsing(ctx context.Context, c *client.Client, id int64) []string {
	raw, _, err := c.Flows.List(ctx, &client.FlowListOptions{ListOptions: client.ListOptions{Limit: 200}})
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range gjson.ParseBytes(raw).Array() {
		for _, conn := range f.Get("connections").Array() {
			if conn.Get("id").Int() == id {
				out = append(out, f.Get("name").String())
				break
			}
		}
	}
	return out
}

// OAuthURLInput asks for a sign-in link.
type OAuthURLInput struct {
	Connection Ref    `json:"connection" jsonschema:"required,description=Id or exact name"`
	Provider   string `json:"provider,omitempty" jsonschema:"description=e.g. google\\, microsoft\\, salesforce\\, hubspot (default: the connector's)"`
}

func oauthURLTool(d Deps) Def {
	return newTool(d, spec[OAuthURLInput]{
		name:        "get_oauth_url",
		title:       "Get OAuth sign-in URL",
		description: "Get the URL where the user signs in (e.g. Google) so Etlworks stores a refresh token in the connection.",
		toolset:     "connections",
		effect:      writes,
		handle: func(ctx context.Context, in OAuthURLInput) (any, error) {
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			provider := strings.ToLower(strings.TrimSpace(in.Provider))
			if provider == "" {
				if provider = connectorProvider(ctx, d.Client, c.Type); provider == "" {
					return nil, badInput(`"provider" is required: connector type %s has no default sign-in provider (e.g. google, microsoft, salesforce, hubspot)`, c.Type)
				}
			}
			u, _, err := d.Client.Connections.OAuthURL(ctx, provider, &client.OAuthURLOptions{ConnectionID: c.ID})
			if err != nil {
				return nil, err
			}
			return oauthLink{URL: u.URL, Provider: provider, Connection: c.Name,
				Next: "the user opens the URL and signs in; Etlworks then stores the token in the connection. test_connection checks it afterwards."}, nil
		},
	})
}

// connectorProvider returns the OAuth provider of a connector type, or "".
func connectorProvider(ctx context.Context, c *client.Client, typ string) string {
	raw, _, err := c.Connections.Types(ctx, &client.ConnectionTypeListOptions{Name: typ})
	if err != nil {
		return ""
	}
	for _, t := range gjson.ParseBytes(raw).Array() {
		if t.Get("type").String() == typ {
			return t.Get("oauthProvider").String()
		}
	}
	return ""
}
