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

// connRef is a resolved connection.
type connRef struct {
	ID   int64
	Name string
	Type string          // connector descriptor id, e.g. connection.db.postgres
	raw  json.RawMessage // the connection, when resolving already fetched it
}

// get returns the connection as Etlworks sends it, fetching it only when resolving did not.
func (c connRef) get(ctx context.Context, api *client.Client) (json.RawMessage, error) {
	if c.raw != nil {
		return c.raw, nil
	}
	raw, _, err := api.Connections.Get(ctx, c.ID)
	return raw, err
}

func (c connRef) String() string { return fmt.Sprintf("connection %d %q", c.ID, c.Name) }

// resolveConnection turns an id or exact name into a connection, like resolveFlow does for flows.
// On an instance with no connection list route a name is found through the flows' connections
// arrays, which carry only id, name and type: the connection itself is read when needed.
func resolveConnection(ctx context.Context, c *client.Client, ref Ref) (connRef, error) {
	n, err := resolve(ctx, c, client.KindConnection, ref)
	if err != nil {
		return connRef{}, err
	}
	cr := connRef{ID: n.ID, Name: n.Name, Type: gjson.GetBytes(n.Raw, "connectionType").String()}
	if n.Full && gjson.GetBytes(n.Raw, "properties").Exists() {
		cr.raw = n.Raw
	}
	return cr, nil
}

// propPrefix is the common prefix of Etlworks connection property keys. Results show keys without
// it, and inputs accept either spelling.
const propPrefix = "field.connection.template."

func shortKey(k string) string { return strings.TrimPrefix(k, propPrefix) }

func fullKey(k string) string {
	if strings.Contains(k, ".") {
		return k
	}
	return propPrefix + k
}

// maskProperty returns what a result may show of one property: secrets always masked, even when
// Etlworks returned them in clear, and credentials embedded in other values redacted.
func maskProperty(key, value string) string {
	if value == "" {
		return ""
	}
	if isSecretKey(key) || value == client.MaskedSecret {
		return client.MaskedSecret
	}
	return clip(redact(value), 300)
}

// connView is the compact, masked view of one connection.
type connView struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Type        string            `json:"type"`
	Description string            `json:"description,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
	Updated     string            `json:"updated,omitempty"`
}

func viewConnection(c gjson.Result) connView {
	v := connView{ID: c.Get("id").Int(), Name: c.Get("name").String(), Type: c.Get("connectionType").String(),
		Description: clip(c.Get("description").String(), 500), Tags: strs(c.Get("tags")), Updated: isoTime(c.Get("updatedAt").Int())}
	c.Get("properties").ForEach(func(k, val gjson.Result) bool {
		if v.Properties == nil {
			v.Properties = map[string]string{}
		}
		v.Properties[shortKey(k.String())] = maskProperty(k.String(), val.String())
		return len(v.Properties) < 60
	})
	return v
}

// ListConnectionsInput filters and pages list_connections.
type ListConnectionsInput struct {
	Query string `json:"query,omitempty" jsonschema:"description=Part of the name"`
	Type  string `json:"type,omitempty" jsonschema:"description=Connector type id"`
	Tag   string `json:"tag,omitempty" jsonschema:"description=Only with this tag"`
	page
}

func (in *ListConnectionsInput) validate() error { return in.page.validate() }

func listConnectionsTool(d Deps) Def {
	return newTool(d, spec[ListConnectionsInput]{
		name:        "list_connections",
		title:       "List connections",
		description: "List connections (databases, file stores, APIs) with type and tags, to find one's id or exact name.",
		toolset:     "connections",
		effect:      reads,
		handle: func(ctx context.Context, in ListConnectionsInput) (any, error) {
			offset, _ := in.offset()
			opts := &client.ConnectionListOptions{Name: strings.TrimSpace(in.Query), Tag: strings.TrimSpace(in.Tag), ConnectionType: strings.TrimSpace(in.Type)}
			keep := func(c gjson.Result) bool {
				return containsFold(c.Get("name").String(), opts.Name) && hasTag(c, opts.Tag) &&
					(opts.ConnectionType == "" || strings.EqualFold(c.Get("connectionType").String(), opts.ConnectionType))
			}
			view := func(c gjson.Result) connRow {
				return connRow{ID: c.Get("id").Int(), Name: c.Get("name").String(), Type: c.Get("connectionType").String()}
			}
			var res filteredResult[connRow]
			var err error
			if *opts == (client.ConnectionListOptions{}) {
				var raw json.RawMessage
				var resp *client.Response
				if raw, resp, err = d.Client.Connections.List(ctx, &client.ConnectionListOptions{ListOptions: client.ListOptions{Limit: in.limit(), Offset: offset}}); err == nil {
					rows := []connRow{}
					for _, c := range gjson.ParseBytes(raw).Array() {
						rows = append(rows, view(c))
					}
					return newListResult(rows, offset, resp.Total), nil
				}
			} else {
				res, _, err = scanned(offset, in.limit(), func(visit func(json.RawMessage) bool) (client.Scan, error) {
					return d.Client.Connections.Scan(ctx, opts, visit)
				}, keep, view)
			}
			if !client.IsRouteAbsent(err) {
				return res, err
			}
			// No public route lists connections: show the ones the flows use.
			res, _, err = scanned(offset, in.limit(), func(visit func(json.RawMessage) bool) (client.Scan, error) {
				return d.Client.Connections.FlowConnections(ctx, visit)
			}, keep, view)
			if err != nil {
				return nil, err
			}
			res.Searched = "this Etlworks instance has no connection list route: these are the connections its flows use " +
				"(the flow list's connections arrays); others are in the Etlworks UI under Connections"
			if opts.Tag != "" {
				res.Searched += "; those entries carry no tags, so a tag filter matches none"
			}
			return res, nil
		},
	})
}

// ConnectionInput names one connection.
type ConnectionInput struct {
	Connection Ref `json:"connection" jsonschema:"required,description=Id or exact name"`
}

func getConnectionTool(d Deps) Def {
	return newTool(d, spec[ConnectionInput]{
		name:        "get_connection",
		title:       "Get connection",
		description: "Show a connection's type, description, tags and properties; secrets are always masked.",
		toolset:     "connections",
		effect:      reads,
		handle: func(ctx context.Context, in ConnectionInput) (any, error) {
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			raw, err := c.get(ctx, d.Client)
			if err != nil {
				return nil, err
			}
			return viewConnection(gjson.ParseBytes(raw)), nil
		},
	})
}

func testConnectionTool(d Deps) Def {
	return newTool(d, spec[ConnectionInput]{
		name:        "test_connection",
		title:       "Test connection",
		description: "Check that Etlworks can connect with a connection's settings, or say why not.",
		toolset:     "connections",
		effect:      reads,
		handle: func(ctx context.Context, in ConnectionInput) (any, error) {
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			res, _, err := d.Client.Connections.Test(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			out := connectionTest{Connection: c.Name, ID: c.ID, OK: res.Success,
				Message: clip(redact(res.Message), 1000), DurationMs: res.DurationMs}
			if !res.Success {
				out.Next = "get_connection shows its settings; update_connection fixes one, then test again"
			}
			return out, nil
		},
	})
}

// ListConnectorTypesInput filters the connector catalogue.
type ListConnectorTypesInput struct {
	Query    string                      `json:"query,omitempty" jsonschema:"description=Part of the type id or name\\, e.g. postgres"`
	Category choice[connectorCategories] `json:"category,omitempty" jsonschema:"description=Category"`
}

// typeRow is one connector type; properties are listed when few types match.
type typeRow struct {
	Type       string   `json:"type"`
	Name       string   `json:"name"`
	Category   string   `json:"category,omitempty"`
	OAuth      string   `json:"oauth,omitempty"`
	Properties []string `json:"properties,omitempty"` // "host*" (required), "password (secret)"
}

// Connector catalogue bounds: rows shown, and how few matches get their properties listed.
const (
	maxTypeRows     = 50
	typeDetailsUpTo = 3
)

func listConnectorTypesTool(d Deps) Def {
	return newTool(d, spec[ListConnectorTypesInput]{
		name:        "list_connector_types",
		title:       "List connector types",
		description: "Find connector types for create_connection; with 3 matches or fewer, shows their properties (* = required).",
		toolset:     "connections",
		effect:      reads,
		handle: func(ctx context.Context, in ListConnectorTypesInput) (any, error) {
			raw, resp, err := d.Client.Connections.Types(ctx, &client.ConnectionTypeListOptions{Name: in.Query, Category: string(in.Category),
				ListOptions: client.ListOptions{Limit: 200}})
			if err != nil {
				return nil, err
			}
			q := strings.ToLower(in.Query)
			var matches []gjson.Result
			for _, t := range gjson.ParseBytes(raw).Array() {
				// The server may ignore the filters (Etlworks documents none), so apply them again.
				if string(in.Category) != "" && !strings.EqualFold(t.Get("category").String(), string(in.Category)) {
					continue
				}
				if q != "" && !strings.Contains(strings.ToLower(t.Get("type").String()), q) && !strings.Contains(strings.ToLower(t.Get("name").String()), q) {
					continue
				}
				matches = append(matches, t)
			}
			rows := []typeRow{}
			for _, t := range matches[:min(len(matches), maxTypeRows)] {
				row := typeRow{Type: t.Get("type").String(), Name: t.Get("name").String(), Category: t.Get("category").String(),
					OAuth: t.Get("oauthProvider").String()}
				if len(matches) <= typeDetailsUpTo {
					row.Properties = []string{}
					for _, p := range t.Get("properties").Array() {
						s := shortKey(p.Get("key").String())
						if p.Get("required").Bool() {
							s += "*"
						}
						if p.Get("secret").Bool() {
							s += " (secret)"
						}
						row.Properties = append(row.Properties, s)
					}
				}
				rows = append(rows, row)
			}
			total := len(matches)
			if resp.Total > total && in.Query == "" && in.Category == "" {
				total = resp.Total // the server filtered nothing, so its count is the catalogue's
			}
			out := typeList{Total: total, Items: rows}
			if total > maxTypeRows {
				out.Truncated = true
				out.Next = "narrow with query or category"
			} else if len(matches) > typeDetailsUpTo {
				out.Next = "query one type (e.g. its id) to see its properties"
			}
			return out, nil
		},
	})
}

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
			if err != nil {
				return nil, err
			}
			v := viewConnection(gjson.ParseBytes(raw))
			return created[connView]{Created: v, Next: hint("test_connection", "", "connection", v.ID)}, nil
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
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			raw, err := c.get(ctx, d.Client)
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
	Connection   Ref    `json:"connection" jsonschema:"required,description=Id or exact name"`
	ConfirmToken string `json:"confirm_token,omitempty" jsonschema:"description=From the first call"`
}

func deleteConnectionTool(d Deps) Def {
	return newTool(d, spec[DeleteConnectionInput]{
		name:        "delete_connection",
		title:       "Delete connection",
		description: "Delete a connection after confirmation; restore_deleted brings it back.",
		toolset:     "connections",
		effect:      destroys,
		handle: func(ctx context.Context, in DeleteConnectionInput) (any, error) {
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			action := fmt.Sprintf("Delete connection %d %q; restore_deleted can bring it back.", c.ID, c.Name)
			if users := flowsUsing(ctx, d.Client, c.ID); len(users) > 0 {
				action = fmt.Sprintf("Delete connection %d %q, used by flows %s, which fail until it is restored; restore_deleted can bring it back.",
					c.ID, c.Name, quoteList(users))
			}
			state, err := c.get(ctx, d.Client)
			if err != nil {
				return nil, err
			}
			return d.confirm.then(ctx, action, state, func() (any, error) {
				del, _, err := d.Client.Connections.Delete(ctx, c.ID)
				if err != nil {
					return nil, err
				}
				out := deletedResult("connection", c.ID, c.Name, int64(del.RecycleBinID))
				for _, u := range del.UsedByFlows {
					out.UsedByFlows = append(out.UsedByFlows, u.Name)
				}
				return out, nil
			})
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
