package docs

import (
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// TestHTML checks each construct of the Markdown subset the generator writes, and that text is
// escaped.
func TestHTML(t *testing.T) {
	t.Parallel()
	got := HTML("# Title\n\nSome **bold** and `code`.\n\n- a\n- b\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n```\nSELECT 1 < 2\n```\n")
	for _, want := range []string{"<h1>Title</h1>", "<p>Some <strong>bold</strong> and <code>code</code>.</p>",
		"<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "<tr><th>A</th><th>B</th></tr>", "<tr><td>1</td><td>2</td></tr>",
		"SELECT 1 &lt; 2</code></pre>"} {
		if !strings.Contains(got, want) {
			t.Errorf("HTML lacks %q:\n%s", want, got)
		}
	}
}

// TestFlowDocs checks that a flow's documentation says in words what it reads and writes, lists
// its variables, masks secret-looking properties and hides the internal ones.
func TestFlowDocs(t *testing.T) {
	t.Parallel()
	conns := map[int64]model.Connection{
		1: {ID: 1, Name: "Staging files", ConnectionType: model.TypeLocalFile},
		2: {ID: 2, Name: "Warehouse", ConnectionType: model.TypeSQLite},
	}
	f := &model.Flow{ID: 7, Name: "Load orders", FlowType: "file-to-database",
		Properties: map[string]string{"apiToken": "s3cr3t", model.PropOutcome: "error"},
		Transformations: []model.Transformation{{Name: "orders", Enabled: true, Mode: "append",
			Source:      model.Source{ConnectionID: 1, Object: "orders_{day}.csv"},
			Destination: model.Destination{ConnectionID: 2, Object: "orders"}}}}
	got := Flow(f, conns, nil)
	for _, want := range []string{"# Load orders", "File to database", "CSV file `orders_{day}.csv`", "**Staging files**",
		"**Warehouse**", "variables `{day}`", "`apiToken` = `********`"} {
		if !strings.Contains(got, want) {
			t.Errorf("documentation lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "s3cr3t") || strings.Contains(got, model.InternalPrefix) {
		t.Errorf("documentation shows a secret or an internal property:\n%s", got)
	}
}
