package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// MaxSeedFlows bounds Options.SeedFlows: enough for any scale test of name lookups and paging,
// small enough that seeding stays a matter of seconds and the state database of megabytes.
const MaxSeedFlows = 100_000

// settingScaleFlows records how many extra flows a state database already holds, so a persistent
// sandbox started again with the same --seed-flows adds none and a larger number adds the rest.
const settingScaleFlows = "seeded.scale_flows"

// CheckSeedFlows validates Options.SeedFlows, so a command can refuse a bad count as a usage error
// before starting anything.
func CheckSeedFlows(n int) error {
	if n < 0 || n > MaxSeedFlows {
		return fmt.Errorf("sandbox: %d extra flows requested: the number of extra flows to seed must be between 0 and %d", n, MaxSeedFlows)
	}
	return nil
}

// scaleShape is one family of extra flows: its type, tags and the transformation it runs.
type scaleShape struct {
	flowType string
	from     string // connection names of the seeded demo tenant
	to       string
	format   string // of a file source, "" for a table
	mode     string
}

// scaleShapes are the families the extra flows rotate through, over the demo's real and
// simulated connections.
var scaleShapes = []scaleShape{
	{"file-to-database", "Staging files", "Warehouse", "CSV", "replace"},
	{"database-to-database", "Warehouse", "Reporting Postgres", "", "append"},
	{"database-to-file", "Warehouse", "Staging files", "", "replace"},
	{"api-to-database", "Shopify API", "Warehouse", "JSON", "append"},
	{"file-to-file", "Staging files", "S3 archive", "CSV", "replace"},
}

var (
	scaleVerbs   = []string{"Load", "Sync", "Export", "Import", "Archive", "Refresh", "Publish", "Aggregate"}
	scaleObjects = []string{"orders", "customers", "invoices", "shipments", "products", "returns", "payments", "inventory", "leads", "tickets"}
	scaleSources = []string{"Shopify", "CRM", "S3", "SFTP", "Postgres", "Salesforce", "NetSuite", "Zendesk"}
	scaleRegions = []string{"EU", "US", "APAC", "LATAM"}
)

// seedScale adds extra flows until the database holds n of them (ids after the demo flows),
// with varied names, types and tags, every 50th suspended, and run history on every 5th: one
// to three runs in the last 14 days, every 7th of them failed with a genuine-looking error.
func seedScale(ctx context.Context, st *store, n int, now time.Time) error {
	if n == 0 {
		return nil
	}
	have := 0
	if v, err := st.setting(ctx, settingScaleFlows); err == nil {
		have, _ = strconv.Atoi(v)
	} else if !errors.Is(err, errNotFound) {
		return err
	}
	if have >= n {
		return nil
	}
	conns, err := st.connectionIndex(ctx)
	if err != nil {
		return err
	}
	byName := map[string]int64{}
	for id, c := range conns {
		byName[c.Name] = id
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	created := now.AddDate(0, 0, -30).UnixMilli()
	for i := have + 1; i <= n; i++ {
		f := scaleFlow(i, byName)
		id, err := insertFlow(ctx, tx, &f, created+int64(i))
		if err != nil {
			return fmt.Errorf("extra flow %q: %w", f.Name, err)
		}
		if i%5 == 0 {
			if err := scaleHistory(ctx, tx, id, f.Name, i, now); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO settings(key, value) VALUES(?, ?)`,
		settingScaleFlows, strconv.Itoa(n)); err != nil {
		return err
	}
	return tx.Commit()
}

// scaleFlow builds the i-th extra flow. Names are unique (the number) and read like a tenant's.
func scaleFlow(i int, conns map[string]int64) flow {
	verb := scaleVerbs[i%len(scaleVerbs)]
	object := scaleObjects[(i/len(scaleVerbs))%len(scaleObjects)]
	source := scaleSources[(i/3)%len(scaleSources)]
	region := scaleRegions[(i/7)%len(scaleRegions)]
	sh := scaleShapes[i%len(scaleShapes)]
	table := object + "_" + strings.ToLower(region)
	srcObject := table
	if sh.format != "" {
		srcObject = fmt.Sprintf("%s/%s_%05d.%s", strings.ToLower(region), object, i, strings.ToLower(sh.format))
	}
	tr := demo.Step(fmt.Sprintf("%s -> %s", srcObject, table), sh.from, srcObject, sh.format, "", sh.to, table, sh.mode)
	tr.Source.ConnectionID, tr.Destination.ConnectionID = conns[sh.from], conns[sh.to]
	return flow{
		Name:            fmt.Sprintf("%s %s from %s %s %05d", verb, object, source, region, i),
		FlowType:        sh.flowType,
		Description:     fmt.Sprintf("%s the %s %s of %s into %s (scale-test flow %d).", verb, region, object, source, sh.to, i),
		Tags:            []string{object, strings.ToLower(region), "scale-test"},
		Properties:      map[string]string{},
		Transformations: []transformation{tr},
		Suspended:       i%50 == 0,
	}
}

// scaleHistory records one to three finished runs of an extra flow, each with a log line.
func scaleHistory(ctx context.Context, ex execer, flowID int64, name string, i int, now time.Time) error {
	for r := 0; r <= i%3; r++ {
		started := now.Add(-time.Duration((i*7+r*13)%(14*24)) * time.Hour).UnixMilli()
		ended := started + int64(1000+(i%60)*250)
		e := execution{FlowID: flowID, FlowName: name, Status: model.StatusSuccess, Started: started, Ended: &ended,
			User: "scheduler", Records: int64(10 + (i*31+r)%990)}
		text := fmt.Sprintf("Flow %q finished: %d records\n", name, e.Records)
		if (i+r)%7 == 0 {
			msg := "Connection refused (Connection refused) connecting to the source"
			e.Status, e.Exception, e.Records = model.StatusError, &msg, 0
			text = fmt.Sprintf("Flow %q failed: %s\n", name, msg)
		}
		audit, err := insertExecution(ctx, ex, e, nil)
		if err != nil {
			return err
		}
		if err := appendLog(ctx, ex, audit, text); err != nil {
			return err
		}
	}
	return nil
}
