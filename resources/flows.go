package resources

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// flowRow is one flow of the flows index.
type flowRow struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Type    string   `json:"type,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	LastRun string   `json:"last_run,omitempty"`
	URI     string   `json:"uri"`
}

func flowIndex(d Deps) Def {
	return index[flowRow]{path: "flows", name: "Flows", key: "flows", tool: "list_flows", row: flowRowOf,
		description: "Index of Etlworks flows: id, name, type, tags, last run and each flow's URI.",
		list: func(ctx context.Context, o client.ListOptions) (json.RawMessage, *client.Response, error) {
			return d.Client.Flows.List(ctx, &client.FlowListOptions{ListOptions: o})
		}}.def()
}

// flowRowOf projects one flow of the list.
func flowRowOf(f gjson.Result) flowRow {
	r := flowRow{ID: f.Get("id").Int(), Name: f.Get("name").String(), Type: f.Get("flowType").String(), URI: FlowURI(f.Get("id").Int())}
	for _, t := range f.Get("tags").Array() {
		r.Tags = append(r.Tags, t.String())
	}
	if s := f.Get("lastRunStatus").String(); s != "" {
		r.LastRun = s
		if at := iso(f.Get("lastRunAt").Int()); at != "" {
			r.LastRun += " at " + at
		}
	}
	return r
}

func flowDefinition(d Deps) Def {
	return rawObject(d, client.KindFlow, "Flow definition",
		"A flow's definition (sources, destinations, SQL, connections), secrets masked. {flow} is an id or exact name.",
		"get_flow shows the definition summarized",
		func(ctx context.Context, id int64) (json.RawMessage, *client.Response, error) {
			return d.Client.Flows.Get(ctx, id)
		})
}

func flowDocumentation(d Deps) Def {
	t := mcp.NewResourceTemplate(Scheme+"flows/{flow}/documentation", "Flow documentation",
		mcp.WithTemplateDescription("Plain-English documentation of what a flow does, as Markdown."),
		mcp.WithTemplateMIMEType("text/markdown"))
	return Def{Template: &t, Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id, _, err := resolveFlow(ctx, d.Client, arg(req, "flow"))
		if err != nil {
			return nil, err
		}
		doc, _, err := d.Client.Flows.Documentation(ctx, id)
		if err != nil {
			return nil, err
		}
		text := strings.TrimSpace(doc.Documentation)
		if text == "" {
			text = fmt.Sprintf("Etlworks has no documentation for flow %d; read %s for its definition.", id, FlowURI(id))
		}
		return textContents(req.Params.URI, "text/markdown", text), nil
	}, Untrusted: "flow documentation", Rest: "explain_flow and get_flow summarize the flow"}
}
