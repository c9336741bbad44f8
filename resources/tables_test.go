package resources

import (
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/csvtable"
	"github.com/etlworks/etlworks-mcp/internal/links"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// TestTableRowsRange reads rows from..to of a table through the template, the address
// preview_data links to for the rows it cut: the same CSV the tool writes, fenced as data.
func TestTableRowsRange(t *testing.T) {
	e := newEnv(t, 10*time.Millisecond)
	res, _, err := e.api.Explorer.Data(t.Context(), 1, &client.DataOptions{Object: "orders", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := e.mustRead(links.TableRows(1, "orders", 6, 10), "rows 6-10 (the Explorer data route has no offset", "order_id,", "Untrusted data from Etlworks (table rows)")
	for i, row := range res.Rows {
		if line := csvtable.Row(row); strings.Contains(got, line) != (i >= 5) {
			t.Errorf("row %d (%q) shown: %v, want %v:\n%s", i+1, line, !(i >= 5), i >= 5, got)
		}
	}
	e.mustRead("etlworks://connections/Warehouse/objects/products/rows?from=20", "rows 20-24", "the object has no more rows")
	e.mustRead("etlworks://connections/Warehouse/objects/products/rows?from=30", "no rows from 30: the object has 24 rows")
	e.mustRead("etlworks://connections/"+"Staging%20files/objects/"+"orders.csv/rows?to=3", "rows 1-3", "order_id,customer_id")
	for uri, want := range map[string]string{
		"etlworks://connections/1/objects/orders/rows?from=0":      `from="0" is not a row number`,
		"etlworks://connections/1/objects/orders/rows?from=9&to=3": "from=9 is after to=3",
		"etlworks://connections/1/objects/orders/rows?to=1001":     "past row 1000",
		"etlworks://connections/Nope/objects/orders/rows":          `connection "Nope" not found`,
		"etlworks://connections/1/objects/nope/rows":               "not found",
	} {
		if _, err := e.read(uri); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("read %s: error %v, want %q", uri, err, want)
		}
	}
	if got := e.complete(links.TableRowsTemplate, "object", "ord", map[string]string{"connection": "Warehouse"}); len(got) == 0 || got[0] != "orders" {
		t.Fatalf("object completion: %v", got)
	}
	if got := e.complete(links.TableRowsTemplate, "object", "", nil); len(got) != 0 {
		t.Fatalf("object completion without a connection: %v", got)
	}
}

// TestTableRowsWithoutExplorer: on the documented profile, which has no Explorer routes, the
// resource answers what the tools answer: no REST route, and where the UI has it.
func TestTableRowsWithoutExplorer(t *testing.T) {
	e := newEnvOn(t, sandbox.Options{RunStep: 10 * time.Millisecond, Profile: sandbox.ProfileDocumented})
	_, err := e.read(links.TableRows(1, "orders", 1, 5))
	if err == nil || !strings.Contains(err.Error(), "no REST route for browsing objects, previewing data and running SQL") ||
		!strings.Contains(err.Error(), "in the Etlworks UI: Explorer") {
		t.Fatalf("read without the Explorer: %v", err)
	}
}
