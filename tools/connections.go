package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// connRef is a resolved connection.
type connRef struct {
	resolved
	Type string // connector descriptor id, e.g. connection.db.postgres
}

// get returns the connection as Etlworks sends it, fetching it only when resolving did not.
func (c connRef) get(ctx context.Context, api *client.Client) (json.RawMessage, error) {
	return c.body(ctx, api.Connections.Get)
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
	whole := n.Full && gjson.GetBytes(n.Raw, "properties").Exists() // flows' connections arrays lack them
	return connRef{resolved: found(n, whole), Type: gjson.GetBytes(n.Raw, "connectionType").String()}, nil
}

// readConnection resolves ref and returns the connection as Etlworks sends it.
func readConnection(ctx context.Context, c *client.Client, ref Ref) (connRef, json.RawMessage, error) {
	cr, err := resolveConnection(ctx, c, ref)
	if err != nil {
		return connRef{}, nil, err
	}
	raw, err := cr.get(ctx, c)
	return cr, raw, err
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
				var out any
				if out, err = onePage(in.page, func(o client.ListOptions) (json.RawMessage, *client.Response, error) {
					return d.Client.Connections.List(ctx, &client.ConnectionListOptions{ListOptions: o})
				}, view); err == nil {
					return out, nil
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
			_, raw, err := readConnection(ctx, d.Client, in.Connection)
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
