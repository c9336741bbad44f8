package sandbox

import "time"

// flowSeed is a demo flow plus what its seeded history looks like.
type flowSeed struct {
	flow     flow
	schedule string   // schedule name shown as eventName of scheduled runs
	times    []string // "HH:MM" of each daily scheduled run
	records  [2]int   // records of a successful run: min, max
	columns  int      // columns of the destination table (for the "re-created" log line)
	breaks   string   // incident after which every run fails with the flow's real error: "rollup" | "crm"
	retired  bool     // suspended; runs stop when it was suspended
	params   func(day time.Time) map[string]string
}

// rollupSQL is the SQL of "Daily revenue rollup". The seeded flow reads amount_usd, a column the
// orders table does not have (it is amount), so it fails until someone fixes the SQL.
func rollupSQL(amountColumn string) string {
	return "SELECT order_date AS day,\n       COUNT(*) AS orders,\n       ROUND(SUM(" + amountColumn + "), 2) AS revenue\n" +
		"FROM orders\nWHERE status IN ('completed', 'shipped')\nGROUP BY order_date\nORDER BY order_date"
}

// statisticsSQL is the maintenance script of "Refresh warehouse statistics".
const statisticsSQL = `CREATE INDEX IF NOT EXISTS idx_orders_customer ON orders(customer_id);
CREATE INDEX IF NOT EXISTS idx_orders_date ON orders(order_date);
DELETE FROM orders WHERE status = 'test';
ANALYZE;`

// step builds a transformation between named connections; seedFlows fills in the ids.
func step(name, src, srcObject, format, sql, dst, dstObject, mode string) transformation {
	return transformation{Name: name, Mode: mode, Enabled: true,
		Source:      source{Connection: src, Object: srcObject, Format: format, SQL: sql},
		Destination: destination{Connection: dst, Object: dstObject}}
}

// demoFlowSeeds lists the demo flows in id order (1..12).
func demoFlowSeeds() []flowSeed {
	none := map[string]string{}
	return []flowSeed{
		{flow: flow{Name: "Load orders from CSV", FlowType: "file-to-database", Tags: []string{"orders", "daily", "warehouse"},
			Description: "Loads the daily orders extract (orders.csv) that the e-commerce platform drops into the staging folder into the warehouse table orders. The table is rebuilt on every run.",
			Properties:  none, Transformations: []transformation{
				step("orders.csv -> orders", "Staging files", "orders.csv", "CSV", "", "Warehouse", "orders", "replace")}},
			schedule: "Daily at 01:30", times: []string{"01:30"}, records: [2]int{96, 131}, columns: 5},
		{flow: flow{Name: "Daily revenue rollup", FlowType: "database-to-database", Tags: []string{"finance", "daily", "warehouse"},
			Description: "Aggregates completed and shipped orders into one row per day (order count and revenue) in the warehouse table daily_revenue, which the finance dashboard reads.",
			Properties:  none, Transformations: []transformation{
				step("orders -> daily_revenue", "Warehouse", "orders", "", rollupSQL("amount_usd"), "Warehouse", "daily_revenue", "replace")}},
			schedule: "Daily at 02:00", times: []string{"02:00"}, records: [2]int{24, 30}, columns: 3, breaks: "rollup"},
		{flow: flow{Name: "Sync CRM customers", FlowType: "database-to-database", Tags: []string{"crm", "customers", "daily"},
			Description: "Copies the customer master from the CRM database into the warehouse table customers, so orders can be joined to customer attributes.",
			Properties:  none, Transformations: []transformation{
				step("customers -> customers", "CRM database", "customers", "", "", "Warehouse", "customers", "replace")},
			Mappings: []mapping{{Transformation: "customers -> customers", Source: "created_at", Destination: "customer_since"}}},
			schedule: "Daily at 00:45", times: []string{"00:45"}, records: [2]int{44, 47}, columns: 7, breaks: "crm"},
		{flow: flow{Name: "Load product catalog", FlowType: "file-to-database", Tags: []string{"catalog", "warehouse"},
			Description: "Loads the product catalog feed (products.json) into the warehouse table products.",
			Properties:  none, Transformations: []transformation{
				step("products.json -> products", "Staging files", "products.json", "JSON", "", "Warehouse", "products", "replace")}},
			schedule: "Daily at 01:40", times: []string{"01:40"}, records: [2]int{24, 24}, columns: 5},
		{flow: flow{Name: "Export revenue report", FlowType: "database-to-file", Tags: []string{"finance", "reporting"},
			Description: "Writes the daily revenue table to exports/revenue_report.csv in the staging folder, where finance picks it up each morning.",
			Properties:  none, Transformations: []transformation{
				step("daily_revenue -> revenue_report.csv", "Warehouse", "daily_revenue", "",
					"SELECT day, orders, revenue FROM daily_revenue ORDER BY day", "Staging files", "exports/revenue_report.csv", "replace")}},
			schedule: "Daily at 06:00", times: []string{"06:00"}, records: [2]int{22, 30}},
		{flow: flow{Name: "Refresh warehouse statistics", FlowType: "execute-sql", Tags: []string{"maintenance", "warehouse"},
			Description: "Maintenance: re-creates the indexes the reports rely on, removes test orders and refreshes the query planner statistics.",
			Properties:  none, Transformations: []transformation{
				step("Rebuild indexes and statistics", "Warehouse", "", "", statisticsSQL, "", "", "")}},
			schedule: "Daily at 03:00", times: []string{"03:00"}, records: [2]int{0, 2}},
		{flow: flow{Name: "Import Shopify orders", FlowType: "api-to-database", Tags: []string{"shopify", "ecommerce"},
			Description: "Pulls recent orders from the Shopify Admin API into the warehouse table shopify_orders.",
			Properties: map[string]string{propOutcome: "warning", propRecords: "37",
				propWarning: "3 orders were skipped: the customer email is missing"},
			Transformations: []transformation{
				step("orders.json -> shopify_orders", "Shopify API", "/orders.json?status=any", "JSON", "", "Warehouse", "shopify_orders", "replace")}},
			schedule: "Every 6 hours", times: []string{"00:10", "06:10", "12:10", "18:10"}, records: [2]int{30, 45}, columns: 7},
		{flow: flow{Name: "Push inventory to Shopify", FlowType: "database-to-api", Tags: []string{"shopify", "inventory"},
			Description: "Sends current stock levels from the warehouse products table to the Shopify inventory API.",
			Properties:  none, Transformations: []transformation{
				step("products -> inventory_levels", "Warehouse", "products", "", "SELECT sku, in_stock AS available FROM products",
					"Shopify API", "/inventory_levels/set.json", "append")}},
			schedule: "Daily at 07:00", times: []string{"07:00"}, records: [2]int{24, 24}},
		{flow: flow{Name: "Publish sales to Reporting Postgres", FlowType: "database-to-database", Tags: []string{"reporting", "orders"},
			Description: "Publishes non-cancelled orders from the warehouse to the reporting database used by the BI dashboards.",
			Properties:  none, Transformations: []transformation{
				step("orders -> public.orders", "Warehouse", "orders", "",
					"SELECT order_id, customer_id, order_date, amount, status FROM orders WHERE status <> 'cancelled'",
					"Reporting Postgres", "public.orders", "replace")}},
			schedule: "Daily at 04:00", times: []string{"04:00"}, records: [2]int{100, 118}},
		{flow: flow{Name: "Archive order files to S3", FlowType: "file-to-file", Tags: []string{"archive", "orders"},
			Description: "Copies the orders extract to the S3 archive bucket, in a folder per run date (parameter runDate).",
			Properties:  none, Transformations: []transformation{
				step("orders.csv -> S3 archive", "Staging files", "orders.csv", "CSV", "", "S3 archive", "archive/{runDate}/orders.csv", "replace")}},
			schedule: "Daily at 05:00", times: []string{"05:00"}, records: [2]int{96, 131},
			params: func(day time.Time) map[string]string { return map[string]string{"runDate": day.Format(time.DateOnly)} }},
		{flow: flow{Name: "Nightly warehouse refresh", FlowType: "nested-workflow", Tags: []string{"warehouse", "nightly"},
			Description: "Runs the nightly warehouse refresh in order: load orders, load the product catalog, roll up daily revenue, then export the revenue report. A failed step stops the workflow.",
			Properties:  none, NestedFlows: []nestedFlow{{Name: "Load orders from CSV", Order: 1}, {Name: "Load product catalog", Order: 2},
				{Name: "Daily revenue rollup", Order: 3}, {Name: "Export revenue report", Order: 4}}},
			schedule: "Daily at 02:30", times: []string{"02:30"}, breaks: "rollup"},
		{flow: flow{Name: "Legacy FTP order import", FlowType: "file-to-database", Tags: []string{"legacy", "orders"}, Suspended: true,
			Description: "Imports order files from the FTP server of the retired order system. Suspended after repeated connection timeouts; kept until the server is decommissioned.",
			Properties: map[string]string{propOutcome: "error", propRecords: "12",
				propError: "Connection timed out (Connection timed out) connecting to ftp.acme-legacy.example:21"},
			Transformations: []transformation{
				step("orders_*.csv -> legacy_orders", "Legacy FTP", "/outbound/orders_*.csv", "CSV", "", "Warehouse", "legacy_orders", "append")}},
			schedule: "Daily at 00:15", times: []string{"00:15"}, records: [2]int{5, 18}, columns: 5, retired: true},
	}
}
