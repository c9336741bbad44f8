package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/csvtable"
	"github.com/etlworks/etlworks-mcp/internal/links"
	"github.com/etlworks/etlworks-mcp/internal/untrusted"
)

// Bounds of the table-rows resource: a range without to shows this many rows, and the CSV stays
// inside the read budget with room for the fence and the summary line.
const (
	tableRows  = 100
	tableBytes = bound.ResultBytes - untrusted.Overhead - 400
)

// tableRowsDef serves rows from..to of a table, view or file through the Explorer data route
// preview_data uses. That route has no offset, so a read fetches rows 1..to and shows from..to.
func tableRowsDef(d Deps) Def {
	t := mcp.NewResourceTemplate(links.TableRowsTemplate, "Table rows",
		mcp.WithTemplateDescription(fmt.Sprintf("Rows from..to (at most row %d) of a table, view or file, as CSV; a cut preview_data links here.", links.MaxTableRow)),
		mcp.WithTemplateMIMEType("text/csv"))
	return Def{Template: &t, Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		from, to, err := positiveRange(req, "row")
		if err != nil {
			return nil, err
		}
		from = max(from, 1)
		if to == 0 {
			to = from + tableRows - 1
		}
		if to > links.MaxTableRow {
			return nil, fmt.Errorf("to=%d is past row %d, the last the Explorer data route can reach (it has no offset): "+
				"use run_sql with ORDER BY and LIMIT/OFFSET to read further", to, links.MaxTableRow)
		}
		object := arg(req, "object")
		if object == "" {
			return nil, fmt.Errorf("the URI names no object: use %s", links.TableRowsTemplate)
		}
		connID, _, err := resolveRef(ctx, d.Client, client.KindConnection, arg(req, "connection"))
		if err != nil {
			return nil, err
		}
		res, _, err := d.Client.Explorer.Data(ctx, connID, &client.DataOptions{Object: object, Limit: to})
		if err != nil {
			return nil, err
		}
		return textContents(req.Params.URI, "text/csv", tableRange(res, connID, object, from, to)), nil
	}, Untrusted: "table rows", Rest: "ask for a smaller range (from, to)"}
}

// tableRange renders rows from..to (1-based) of res under a summary line that says which rows it
// shows, that they were read from the first row, and where the rest of a cut range is.
func tableRange(res *client.QueryResult, connID int64, object string, from, to int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s on connection %d: ", bound.Quote(object), connID)
	end := min(to, len(res.Rows))
	if from > end {
		fmt.Fprintf(&b, "no rows from %d: the object has %d rows.\n", from, len(res.Rows))
		return b.String()
	}
	names := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		names[i] = c.Name
	}
	var body strings.Builder
	csvtable.Header(&body, names)
	shown := csvtable.Rows(&body, res.Rows[from-1:end], tableBytes)
	if shown == 0 {
		fmt.Fprintf(&b, "row %d alone is wider than the %d KiB a read holds; select fewer columns with run_sql.\n", from, tableBytes>>10)
		return b.String()
	}
	fmt.Fprintf(&b, "rows %d-%d (the Explorer data route has no offset: read rows 1-%d, showing %d-%d)", from, from+shown-1, to, from, from+shown-1)
	switch {
	case from+shown-1 < end:
		fmt.Fprintf(&b, "; cut to stay under %d KiB, the rest of the range is at %s", tableBytes>>10, links.TableRows(connID, object, from+shown, end))
	case end < to && !res.Truncated:
		fmt.Fprintf(&b, "; the object has no more rows")
	}
	b.WriteString(".\n")
	return b.String() + body.String()
}
