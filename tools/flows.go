package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// ListFlowsInput filters and pages list_flows.
type ListFlowsInput struct {
	Query string `json:"query,omitempty" jsonschema:"description=Name contains"`
	Tag   string `json:"tag,omitempty" jsonschema:"description=Has this tag"`
	Type  string `json:"type,omitempty" jsonschema:"description=Only this flowType"`
	page
}

// flowRow is one compact list_flows row.
type flowRow struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Type    string   `json:"type,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	LastRun string   `json:"last_run,omitempty"` // "error at 2026-11-29T02:00:00Z"
}

func listFlowsTool(d Deps) Def {
	return newTool(d, spec[ListFlowsInput]{
		name:        "list_flows",
		title:       "List flows",
		description: "List flows: id, name, type, tags, last run.",
		toolset:     "flows",
		effect:      reads,
		handle: func(ctx context.Context, in ListFlowsInput) (any, error) {
			opts := &client.FlowListOptions{Name: strings.TrimSpace(in.Query), Tag: strings.TrimSpace(in.Tag), FlowType: strings.TrimSpace(in.Type)}
			keep := func(f gjson.Result) bool {
				return containsFold(f.Get("name").String(), opts.Name) && hasTag(f, opts.Tag) &&
					(opts.FlowType == "" || strings.EqualFold(f.Get("flowType").String(), opts.FlowType))
			}
			view := func(f gjson.Result) flowRow {
				return flowRow{ID: f.Get("id").Int(), Name: f.Get("name").String(), Type: f.Get("flowType").String(),
					Tags: strs(f.Get("tags")), LastRun: lastRun(f)}
			}
			return listed(in.page, *opts != (client.FlowListOptions{}), func(lo client.ListOptions) (json.RawMessage, *client.Response, error) {
				return d.Client.Flows.List(ctx, &client.FlowListOptions{ListOptions: lo})
			}, func(visit func(json.RawMessage) bool) (client.Scan, error) {
				return d.Client.Flows.Scan(ctx, opts, visit)
			}, keep, view)
		},
	})
}

// lastRun summarizes a flow's last run from the list row, when the server reports it.
func lastRun(f gjson.Result) string {
	status := f.Get("lastRunStatus").String()
	if status == "" {
		return ""
	}
	if at := isoTime(f.Get("lastRunAt").Int()); at != "" {
		return status + " at " + at
	}
	return status
}

// FlowInput names one flow.
type FlowInput struct {
	Flow Ref `json:"flow" jsonschema:"required,description=Id or exact name"`
}

// GetFlowInput names one flow and how to show it.
type GetFlowInput struct {
	Flow  Ref  `json:"flow" jsonschema:"required,description=Id or exact name"`
	Paths bool `json:"paths,omitempty" jsonschema:"description=List settable paths instead"`
}

func getFlowTool(d Deps) Def {
	return newTool(d, spec[GetFlowInput]{
		name:        "get_flow",
		title:       "Get flow",
		description: "A flow's steps, SQL, connections and what starts it.",
		toolset:     "flows",
		effect:      reads,
		handle: func(ctx context.Context, in GetFlowInput) (any, error) {
			f, raw, err := readFlow(ctx, d.Client, in.Flow)
			if err != nil {
				return nil, err
			}
			if in.Paths {
				doc, err := decodeDefinition(raw)
				if err != nil {
					return nil, fmt.Errorf("read flow %d: %w", f.ID, err)
				}
				out := flowPaths{ID: f.ID, Name: f.Name}
				var total int
				out.Paths, total = definitionPaths(doc)
				out.Next = pathsNext(f.ID, out.Paths)
				if total > len(out.Paths) {
					out.More = fmt.Sprintf("%d more paths not shown", total-len(out.Paths))
				}
				return out, nil
			}
			s := summarizeFlow(gjson.ParseBytes(raw))
			s.StartedBy = triggersOf(ctx, d.Client, f.ID)
			return s, nil
		},
	})
}

// flowSummary is the compact view of a flow definition.
type flowSummary struct {
	ID              int64             `json:"id"`
	Name            string            `json:"name"`
	Description     string            `json:"description,omitempty"`
	Type            string            `json:"type,omitempty"`
	Tags            []string          `json:"tags,omitempty"`
	Suspended       bool              `json:"suspended,omitempty"`
	Connections     []connRow         `json:"connections,omitempty"`
	Transformations []stepSummary     `json:"transformations,omitempty"`
	NestedFlows     []string          `json:"nested_flows,omitempty"`
	Properties      map[string]string `json:"properties,omitempty"`
	LastRun         string            `json:"last_run,omitempty"`
	StartedBy       *flowTriggers     `json:"started_by,omitempty"`
}

type connRow struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

type stepSummary struct {
	Name        string `json:"name,omitempty"`
	Source      string `json:"source,omitempty"`
	SQL         string `json:"sql,omitempty"`
	Destination string `json:"destination,omitempty"`
	Mode        string `json:"mode,omitempty"`
	Disabled    bool   `json:"disabled,omitempty"`
}

// maxSQL bounds SQL shown in a summary; get_flow is for orientation, not a dump.
const maxSQL = 1500

func summarizeFlow(f gjson.Result) flowSummary {
	s := flowSummary{
		ID: f.Get("id").Int(), Name: f.Get("name").String(), Description: clip(redact(f.Get("description").String()), 500),
		Type: f.Get("flowType").String(), Tags: strs(f.Get("tags")), Suspended: f.Get("suspended").Bool(),
		LastRun: lastRun(f),
	}
	for _, c := range f.Get("connections").Array() {
		s.Connections = append(s.Connections, connRow{ID: c.Get("id").Int(), Name: c.Get("name").String(), Type: c.Get("connectionType").String()})
	}
	for _, t := range f.Get("transformations").Array() {
		step := stepSummary{
			Name:        t.Get("name").String(),
			Source:      endpoint(t.Get("source")),
			SQL:         clip(redact(strings.TrimSpace(t.Get("source.sql").String())), maxSQL),
			Destination: endpoint(t.Get("destination")),
			Mode:        t.Get("mode").String(),
			Disabled:    t.Get("enabled").Exists() && !t.Get("enabled").Bool(),
		}
		if step.SQL == "" {
			step.SQL = clip(redact(strings.TrimSpace(t.Get("sql").String())), maxSQL)
		}
		s.Transformations = append(s.Transformations, step)
	}
	for _, n := range f.Get("nestedFlows").Array() {
		s.NestedFlows = append(s.NestedFlows, fmt.Sprintf("%s (id %d)", n.Get("name").String(), n.Get("flowId").Int()))
	}
	f.Get("properties").ForEach(func(k, v gjson.Result) bool {
		if s.Properties == nil {
			s.Properties = map[string]string{}
		}
		if isSecretKey(k.String()) {
			s.Properties[k.String()] = client.MaskedSecret
		} else {
			s.Properties[k.String()] = clip(redact(v.String()), 200)
		}
		return len(s.Properties) < 30
	})
	return s
}

// writeTriggers adds what starts the flow to explain_flow's "at a glance" section.
func writeTriggers(b *strings.Builder, t *flowTriggers) {
	if t == nil {
		return
	}
	for _, l := range t.Schedules {
		fmt.Fprintf(b, "- Scheduled: %s\n", l)
	}
	for _, l := range t.Workflows {
		fmt.Fprintf(b, "- Run by workflow %s\n", l)
	}
	for _, l := range t.Listeners {
		fmt.Fprintf(b, "- Run by listener %s\n", l)
	}
	for _, l := range t.Unchecked {
		fmt.Fprintf(b, "- Triggers: %s\n", l)
	}
	if t.None != "" {
		fmt.Fprintf(b, "- Started by: %s\n", t.None)
	}
}

// endpoint renders a transformation's source or destination as "Connection: object".
func endpoint(e gjson.Result) string {
	if !e.Exists() {
		return ""
	}
	conn := e.Get("connection").String()
	if conn == "" && e.Get("connectionId").Exists() {
		conn = fmt.Sprintf("connection %d", e.Get("connectionId").Int())
	}
	obj := e.Get("object").String()
	if f := e.Get("format").String(); f != "" && obj != "" {
		obj += " (" + f + ")"
	}
	switch {
	case conn != "" && obj != "":
		return conn + ": " + obj
	case conn != "":
		return conn
	}
	return obj
}

func explainFlowTool(d Deps) Def {
	return newTool(d, spec[FlowInput]{
		name:        "explain_flow",
		title:       "Explain flow",
		description: "What a flow does and what starts it, in plain English.",
		toolset:     "flows",
		effect:      reads,
		handle: func(ctx context.Context, in FlowInput) (any, error) {
			f, err := resolveFlow(ctx, d.Client, in.Flow)
			if err != nil {
				return nil, err
			}
			doc, _, err := d.Client.Flows.Documentation(ctx, f.ID)
			if err != nil {
				return nil, err
			}
			raw, err := f.definition(ctx, d.Client)
			if err != nil {
				return nil, err
			}
			s := summarizeFlow(gjson.ParseBytes(raw))
			s.StartedBy = triggersOf(ctx, d.Client, f.ID)
			// Redacted whole first, so a secret the documentation shows twice (once with its key,
			// once without) is hidden both times.
			return text{body: explanation(d.Redactor.Text(doc.Documentation), s), what: "flow documentation",
				rest: "get_flow shows the definition"}, nil
		},
	})
}

// maxDoc bounds the documentation text returned by explain_flow.
const maxDoc = 8000

// explanation joins the platform's Markdown with a short "at a glance" section built from the
// definition, so the answer holds even when the documentation is thin.
func explanation(markdown string, s flowSummary) string {
	var b strings.Builder
	doc := strings.TrimSpace(markdown)
	if !strings.HasPrefix(doc, "# ") {
		fmt.Fprintf(&b, "# %s\n\n", s.Name)
	}
	if doc != "" {
		b.WriteString(clip(redact(doc), maxDoc))
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "## At a glance\n- Flow id: %d\n", s.ID)
	if s.Type != "" {
		fmt.Fprintf(&b, "- Type: %s\n", s.Type)
	}
	for i, t := range s.Transformations {
		line := fmt.Sprintf("- Step %d", i+1)
		if t.Source != "" {
			line += ": reads " + t.Source
		}
		if t.Destination != "" {
			line += ", writes " + t.Destination
		}
		if t.Mode != "" {
			line += " (" + t.Mode + ")"
		}
		if t.Disabled {
			line += " [disabled]"
		}
		b.WriteString(line + "\n")
	}
	for _, n := range s.NestedFlows {
		fmt.Fprintf(&b, "- Runs flow %s\n", n)
	}
	if len(s.Connections) > 0 {
		names := make([]string, len(s.Connections))
		for i, c := range s.Connections {
			names[i] = c.Name
		}
		fmt.Fprintf(&b, "- Connections: %s\n", strings.Join(names, ", "))
	}
	if s.LastRun != "" {
		fmt.Fprintf(&b, "- Last run: %s\n", s.LastRun)
	}
	if s.Suspended {
		b.WriteString("- Suspended: runs are refused until it is resumed\n")
	}
	writeTriggers(&b, s.StartedBy)
	return b.String()
}
