package demo

import (
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// FlowSeed is a demo flow plus what its seeded history looks like.
type FlowSeed struct {
	Flow     model.Flow
	Schedule string   // schedule name shown as eventName of scheduled runs
	Times    []string // "HH:MM" of each daily scheduled run
	records  [2]int   // records of a successful run: min, max
	columns  int      // columns of the destination table (for the "re-created" log line)
	breaks   string   // incident after which every run fails with the flow's real error: "rollup" | "crm"
	Retired  bool     // suspended; runs stop when it was suspended
	params   func(day time.Time) map[string]string
}

// RollupSQL is the SQL of "Daily revenue rollup". The seeded flow reads amount_usd, a column the
// orders table does not have (it is amount), so it fails until someone fixes the SQL.
func RollupSQL(amountColumn string) string {
	return "SELECT order_date AS day,\n       COUNT(*) AS orders,\n       ROUND(SUM(" + amountColumn + "), 2) AS revenue\n" +
		"FROM orders\nWHERE status IN ('completed', 'shipped')\nGROUP BY order_date\nORDER BY order_date"
}

// statisticsSQL is the maintenance script of "Refresh warehouse statistics".
const statisticsSQL = `CREATE INDEX IF NOT EXISTS idx_orders_customer ON orders(customer_id);
CREATE INDEX IF NOT EXISTS idx_orders_date ON orders(order_date);
DELETE FROM orders WHERE status = 'test';
ANALYZE;`

// Step builds a transformation between named connections, for the demo flows and the scale seed
// (sandbox --seed-flows); the sandbox's seed fills in the ids.
func Step(name, src, srcObject, format, sql, dst, dstObject, mode string) model.Transformation {
	return model.Transformation{Name: name, Mode: mode, Enabled: true,
		Source:      model.Source{Connection: src, Object: srcObject, Format: format, SQL: sql},
		Destination: model.Destination{Connection: dst, Object: dstObject}}
}

// FlowSeeds lists the demo flows in id order (1..12).
func FlowSeeds() []FlowSeed {
	none := map[string]string{}
	return []FlowSeed{
		{Flow: model.Flow{Name: "Load orders from CSV", FlowType: "file-to-database", Tags: []string{"orders", "daily", "warehouse"},
			Description: "Loads the daily orders extract (orders.csv) that the e-commerce platform drops into the staging folder into the warehouse table orders. The table is rebuilt on every run.",
			Properties:  none, Transformations: []model.Transformation{
				Step("orders.csv -> orders", "Staging files", "orders.csv", "CSV", "", "Warehouse", "orders", "replace")}},
			Schedule: "Daily at 01:30", Times: []string{"01:30"}, records: [2]int{96, 131}, columns: 5},
		{Flow: model.Flow{Name: "Daily revenue rollup", FlowType: "database-to-database", Tags: []string{"finance", "daily", "warehouse"},
			Description: "Aggregates completed and shipped orders into one row per day (order count and revenue) in the warehouse table daily_revenue, which the finance dashboard reads.",
			Properties:  none, Transformations: []model.Transformation{
				Step("orders -> daily_revenue", "Warehouse", "orders", "", RollupSQL("amount_usd"), "Warehouse", "daily_revenue", "replace")}},
			Schedule: "Daily at 02:00", Times: []string{"02:00"}, records: [2]int{24, 30}, columns: 3, breaks: "rollup"},
		{Flow: model.Flow{Name: "Sync CRM customers", FlowType: "database-to-database", Tags: []string{"crm", "customers", "daily"},
			Description: "Copies the customer master from the CRM database into the warehouse table customers, so orders can be joined to customer attributes.",
			Properties:  none, Transformations: []model.Transformation{
				Step("customers -> customers", "CRM database", "customers", "", "", "Warehouse", "customers", "replace")},
			Mappings: []model.Mapping{{Transformation: "customers -> customers", Source: "created_at", Destination: "customer_since"}}},
			Schedule: "Daily at 00:45", Times: []string{"00:45"}, records: [2]int{44, 47}, columns: 7, breaks: "crm"},
		{Flow: model.Flow{Name: "Load product catalog", FlowType: "file-to-database", Tags: []string{"catalog", "warehouse"},
			Description: "Loads the product catalog feed (products.json) into the warehouse table products.",
			Properties:  none, Transformations: []model.Transformation{
				Step("products.json -> products", "Staging files", "products.json", "JSON", "", "Warehouse", "products", "replace")}},
			Schedule: "Daily at 01:40", Times: []string{"01:40"}, records: [2]int{24, 24}, columns: 5},
		{Flow: model.Flow{Name: "Export revenue report", FlowType: "database-to-file", Tags: []string{"finance", "reporting"},
			Description: "Writes the daily revenue table to exports/revenue_report.csv in the staging folder, where finance picks it up each morning.",
			Properties:  none, Transformations: []model.Transformation{
				Step("daily_revenue -> revenue_report.csv", "Warehouse", "daily_revenue", "",
					"SELECT day, orders, revenue FROM daily_revenue ORDER BY day", "Staging files", "exports/revenue_report.csv", "replace")}},
			Schedule: "Daily at 06:00", Times: []string{"06:00"}, records: [2]int{22, 30}},
		{Flow: model.Flow{Name: "Refresh warehouse statistics", FlowType: "execute-sql", Tags: []string{"maintenance", "warehouse"},
			Description: "Maintenance: re-creates the indexes the reports rely on, removes test orders and refreshes the query planner statistics.",
			Properties:  none, Transformations: []model.Transformation{
				Step("Rebuild indexes and statistics", "Warehouse", "", "", statisticsSQL, "", "", "")}},
			Schedule: "Daily at 03:00", Times: []string{"03:00"}, records: [2]int{0, 2}},
		{Flow: model.Flow{Name: "Import Shopify orders", FlowType: "api-to-database", Tags: []string{"shopify", "ecommerce"},
			Description: "Pulls recent orders from the Shopify Admin API into the warehouse table shopify_orders.",
			Properties: map[string]string{model.PropOutcome: "warning", model.PropRecords: "37",
				model.PropWarning: "3 orders were skipped: the customer email is missing"},
			Transformations: []model.Transformation{
				Step("orders.json -> shopify_orders", "Shopify API", "/orders.json?status=any", "JSON", "", "Warehouse", "shopify_orders", "replace")}},
			Schedule: "Every 6 hours", Times: []string{"00:10", "06:10", "12:10", "18:10"}, records: [2]int{30, 45}, columns: 7},
		{Flow: model.Flow{Name: "Push inventory to Shopify", FlowType: "database-to-api", Tags: []string{"shopify", "inventory"},
			Description: "Sends current stock levels from the warehouse products table to the Shopify inventory API.",
			Properties:  none, Transformations: []model.Transformation{
				Step("products -> inventory_levels", "Warehouse", "products", "", "SELECT sku, in_stock AS available FROM products",
					"Shopify API", "/inventory_levels/set.json", "append")}},
			Schedule: "Daily at 07:00", Times: []string{"07:00"}, records: [2]int{24, 24}},
		{Flow: model.Flow{Name: "Publish sales to Reporting Postgres", FlowType: "database-to-database", Tags: []string{"reporting", "orders"},
			Description: "Publishes non-cancelled orders from the warehouse to the reporting database used by the BI dashboards.",
			Properties:  none, Transformations: []model.Transformation{
				Step("orders -> public.orders", "Warehouse", "orders", "",
					"SELECT order_id, customer_id, order_date, amount, status FROM orders WHERE status <> 'cancelled'",
					"Reporting Postgres", "public.orders", "replace")}},
			Schedule: "Daily at 04:00", Times: []string{"04:00"}, records: [2]int{100, 118}},
		{Flow: model.Flow{Name: "Archive order files to S3", FlowType: "file-to-file", Tags: []string{"archive", "orders"},
			Description: "Copies the orders extract to the S3 archive bucket, in a folder per run date (parameter runDate).",
			Properties:  none, Transformations: []model.Transformation{
				Step("orders.csv -> S3 archive", "Staging files", "orders.csv", "CSV", "", "S3 archive", "archive/{runDate}/orders.csv", "replace")}},
			Schedule: "Daily at 05:00", Times: []string{"05:00"}, records: [2]int{96, 131},
			params: func(day time.Time) map[string]string { return map[string]string{"runDate": day.Format(time.DateOnly)} }},
		{Flow: model.Flow{Name: "Nightly warehouse refresh", FlowType: "nested-workflow", Tags: []string{"warehouse", "nightly"},
			Description: "Runs the nightly warehouse refresh in order: load orders, load the product catalog, roll up daily revenue, then export the revenue report. A failed step stops the workflow.",
			Properties:  none, NestedFlows: []model.NestedFlow{{Name: "Load orders from CSV", Order: 1}, {Name: "Load product catalog", Order: 2},
				{Name: "Daily revenue rollup", Order: 3}, {Name: "Export revenue report", Order: 4}}},
			Schedule: "Daily at 02:30", Times: []string{"02:30"}, breaks: "rollup"},
		{Flow: model.Flow{Name: "Legacy FTP order import", FlowType: "file-to-database", Tags: []string{"legacy", "orders"}, Suspended: true,
			Description: "Imports order files from the FTP server of the retired order system. Suspended after repeated connection timeouts; kept until the server is decommissioned.",
			Properties: map[string]string{model.PropOutcome: "error", model.PropRecords: "12",
				model.PropError: "Connection timed out (Connection timed out) connecting to ftp.acme-legacy.example:21"},
			Transformations: []model.Transformation{
				Step("orders_*.csv -> legacy_orders", "Legacy FTP", "/outbound/orders_*.csv", "CSV", "", "Warehouse", "legacy_orders", "append")}},
			Schedule: "Daily at 00:15", Times: []string{"00:15"}, records: [2]int{5, 18}, columns: 5, Retired: true},
	}
}
