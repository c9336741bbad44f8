// Package docs writes the sandbox's flow documentation: plain-English Markdown generated from a
// flow's definition (what it reads, from where, what it writes, how, and with which SQL), and the
// HTML the documentation page renders from that Markdown. It reads the model only, so the HTTP
// handlers decide what to load; only sandbox and its internal packages can import it.
package docs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
	"github.com/etlworks/etlworks-mcp/internal/prose"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// Flow renders a flow's Markdown documentation. children holds the steps of a nested workflow.
func Flow(f *model.Flow, conns map[int64]model.Connection, children map[int64]*model.Flow) string {
	var b strings.Builder
	label, _ := model.FlowTypeLabel(f.FlowType)
	fmt.Fprintf(&b, "# %s\n\n", f.Name)
	if f.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", f.Description)
	}
	b.WriteString("| Property | Value |\n|---|---|\n")
	fmt.Fprintf(&b, "| Type | %s (`%s`) |\n", label, f.FlowType)
	if f.Suspended {
		b.WriteString("| Status | Suspended: runs are refused until the flow is resumed |\n")
	} else {
		b.WriteString("| Status | Active |\n")
	}
	if len(f.Tags) > 0 {
		fmt.Fprintf(&b, "| Tags | %s |\n", strings.Join(f.Tags, ", "))
	}
	b.WriteString("\n## Summary\n\n")
	b.WriteString(flowSummary(f, conns, children) + "\n")
	if f.FlowType == "nested-workflow" {
		b.WriteString("\n## Steps\n\n")
		for i, step := range f.NestedFlows {
			child, ok := children[step.FlowID]
			if !ok {
				fmt.Fprintf(&b, "%d. **%s** (flow %d, no longer exists)\n", i+1, step.Name, step.FlowID)
				continue
			}
			childLabel, _ := model.FlowTypeLabel(child.FlowType)
			fmt.Fprintf(&b, "%d. **%s** (flow %d, %s): %s\n", i+1, child.Name, child.ID, strings.ToLower(childLabel),
				flowSummary(child, conns, nil))
		}
		b.WriteString("\nThe steps run one after another. If a step fails, the workflow stops and reports an error; " +
			"a suspended step is skipped with a warning.\n")
	} else {
		b.WriteString("\n## Transformations\n")
		for i, tr := range f.Transformations {
			writeTransformationDoc(&b, i, tr, f.Mappings, conns)
		}
	}
	writeParametersDoc(&b, f)
	writeConnectionsDoc(&b, f, conns)
	writePropertiesDoc(&b, f)
	return b.String()
}

// ConnectionKind describes a connection type in words.
func ConnectionKind(t string) string {
	switch t {
	case model.TypeSQLite:
		return "SQLite database"
	case model.TypeLocalFile:
		return "local folder"
	case "connection.db.postgres":
		return "PostgreSQL database"
	case "connection.s3":
		return "Amazon S3 bucket"
	case "connection.ftp":
		return "FTP server"
	}
	if connectors.IsAPI(t) {
		return "HTTP API"
	}
	return t
}

// flowSummary is one paragraph saying what the flow does.
func flowSummary(f *model.Flow, conns map[int64]model.Connection, children map[int64]*model.Flow) string {
	if f.FlowType == "nested-workflow" {
		names := make([]string, 0, len(f.NestedFlows))
		for _, step := range f.NestedFlows {
			names = append(names, "**"+step.Name+"**")
		}
		return fmt.Sprintf("This workflow runs %d flows in order: %s.", len(names), prose.List(names))
	}
	var parts []string
	for _, tr := range f.Transformations {
		if tr.Enabled {
			parts = append(parts, transformationSentence(tr, conns))
		}
	}
	if len(parts) == 0 {
		return "All transformations of this flow are disabled, so a run does nothing."
	}
	return "This flow " + prose.List(parts) + "."
}

// transformationSentence says what one transformation does, without a leading subject.
func transformationSentence(tr model.Transformation, conns map[int64]model.Connection) string {
	src, dst := conns[tr.Source.ConnectionID], conns[tr.Destination.ConnectionID]
	from := describeSource(tr, src)
	if tr.Destination.ConnectionID == 0 {
		return fmt.Sprintf("runs SQL against the %s **%s** (%s)", ConnectionKind(src.ConnectionType), src.Name, sqlPlain(tr.Source.SQL))
	}
	to := describeDestination(tr, dst)
	how := "adds the records to what is already there"
	if tr.Mode == "replace" {
		how = "replaces the previous content on every run"
		if dst.ConnectionType == model.TypeSQLite || strings.HasPrefix(dst.ConnectionType, "connection.db.") {
			how = "drops and re-creates the table on every run, so it always holds exactly the latest data"
		}
	}
	if connectors.IsAPI(dst.ConnectionType) {
		how = "sends each record to the API"
	}
	return fmt.Sprintf("reads %s and writes it to %s; it %s", from, to, how)
}

func describeSource(tr model.Transformation, c model.Connection) string {
	where := fmt.Sprintf("the %s **%s**", ConnectionKind(c.ConnectionType), c.Name)
	switch {
	case tr.Source.SQL != "":
		return fmt.Sprintf("the result of an SQL query on %s", where)
	case connectors.IsAPI(c.ConnectionType):
		return fmt.Sprintf("the endpoint `%s` of %s", tr.Source.Object, where)
	case connectors.IsFileStorage(c.ConnectionType):
		return fmt.Sprintf("the %s file `%s` from %s", model.FileFormat(tr.Source.Format, tr.Source.Object), tr.Source.Object, where)
	}
	return fmt.Sprintf("the table `%s` of %s", tr.Source.Object, where)
}

func describeDestination(tr model.Transformation, c model.Connection) string {
	where := fmt.Sprintf("the %s **%s**", ConnectionKind(c.ConnectionType), c.Name)
	switch {
	case connectors.IsAPI(c.ConnectionType):
		return fmt.Sprintf("the endpoint `%s` of %s", tr.Destination.Object, where)
	case connectors.IsFileStorage(c.ConnectionType):
		return fmt.Sprintf("the %s file `%s` in %s", model.FileFormat(tr.Destination.Format, tr.Destination.Object), tr.Destination.Object, where)
	}
	return fmt.Sprintf("the table `%s` in %s", tr.Destination.Object, where)
}

func writeTransformationDoc(b *strings.Builder, i int, tr model.Transformation, mappings []model.Mapping, conns map[int64]model.Connection) {
	src, dst := conns[tr.Source.ConnectionID], conns[tr.Destination.ConnectionID]
	fmt.Fprintf(b, "\n### %d. %s\n\n", i+1, tr.Name)
	if !tr.Enabled {
		b.WriteString("- **Disabled:** this transformation is skipped when the flow runs.\n")
	}
	if tr.Destination.ConnectionID == 0 {
		fmt.Fprintf(b, "- **Runs on:** the %s **%s**\n", ConnectionKind(src.ConnectionType), src.Name)
	} else {
		fmt.Fprintf(b, "- **Reads:** %s\n", describeSource(tr, src))
		fmt.Fprintf(b, "- **Writes:** %s\n", describeDestination(tr, dst))
		mode := "append: new records are added to the existing data"
		if tr.Mode == "replace" {
			mode = "replace: the destination is emptied and rebuilt on every run"
		}
		fmt.Fprintf(b, "- **Mode:** %s\n", mode)
	}
	var maps []string
	for _, m := range mappings {
		if m.Transformation == tr.Name {
			maps = append(maps, fmt.Sprintf("`%s` → `%s`", m.Source, m.Destination))
		}
	}
	if len(maps) > 0 {
		fmt.Fprintf(b, "- **Column mappings:** %s (other columns keep their names)\n", strings.Join(maps, ", "))
	} else if tr.Destination.ConnectionID != 0 {
		b.WriteString("- **Column mappings:** none; columns keep their source names\n")
	}
	if tr.Source.SQL != "" {
		fmt.Fprintf(b, "- **SQL:** %s\n\n```sql\n%s\n```\n", sqlPlain(tr.Source.SQL), strings.TrimSpace(tr.Source.SQL))
	}
}

var varToken = lazyre.New(`\{([A-Za-z_][A-Za-z0-9_.-]*)\}`)

func writeParametersDoc(b *strings.Builder, f *model.Flow) {
	var vars []string
	for _, tr := range f.Transformations {
		for _, s := range []string{tr.Source.Object, tr.Source.SQL, tr.Destination.Object} {
			for _, m := range varToken.FindAllStringSubmatch(s, -1) {
				if !slices.Contains(vars, m[1]) {
					vars = append(vars, m[1])
				}
			}
		}
	}
	b.WriteString("\n## Parameters\n\n")
	if len(vars) == 0 {
		b.WriteString("This flow uses no variables; it needs no run parameters.\n")
		return
	}
	example := make([]string, len(vars))
	for i, v := range vars {
		vars[i], example[i] = "`{"+v+"}`", fmt.Sprintf("%q: \"…\"", v)
	}
	fmt.Fprintf(b, "This flow uses the variables %s. Pass them as run parameters, for example `{%s}`; "+
		"a variable that is not passed stays in the text as written.\n", prose.List(vars), strings.Join(example, ", "))
}

func writeConnectionsDoc(b *strings.Builder, f *model.Flow, conns map[int64]model.Connection) {
	if len(f.Transformations) == 0 {
		return
	}
	b.WriteString("\n## Connections\n\n| Connection | Kind | Used as |\n|---|---|---|\n")
	for _, ref := range f.Connections {
		var roles []string
		for _, tr := range f.Transformations {
			if tr.Source.ConnectionID == ref.ID && !slices.Contains(roles, "source") {
				roles = append(roles, "source")
			}
			if tr.Destination.ConnectionID == ref.ID && !slices.Contains(roles, "destination") {
				roles = append(roles, "destination")
			}
		}
		fmt.Fprintf(b, "| %s | %s (`%s`) | %s |\n", ref.Name, ConnectionKind(ref.ConnectionType), ref.ConnectionType, strings.Join(roles, ", "))
	}
}

func writePropertiesDoc(b *strings.Builder, f *model.Flow) {
	var keys []string
	for k := range f.Properties {
		if !model.IsInternalProp(k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	slices.Sort(keys)
	b.WriteString("\n## Flow properties\n\n")
	for _, k := range keys {
		fmt.Fprintf(b, "- `%s` = `%s`\n", k, model.MaskedValue(k, f.Properties[k]))
	}
}
