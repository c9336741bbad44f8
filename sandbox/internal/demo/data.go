// Package demo is the sandbox's demo tenant: its data (a staging folder of partner extracts, a CRM
// database and a warehouse already loaded by the flows' earlier runs), its flows with the story
// each one tells, and 14 days of run history with logs and an audit trail. Content is
// deterministic; dates are relative to the seeding day so the demo always looks current. The
// sandbox's seed writes the accounts, connections and flows into its state database and hands the
// history a Store; only sandbox and its internal packages can import this package.
package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/dataset"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/engine"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

const (
	// Tenant is the name of the demo tenant, in its audit trail and running-task entries.
	Tenant = "Acme Retail (demo)"

	WarehouseFile   = "warehouse.db"
	CRMDatabaseFile = "crm.db"
	StagingFolder   = "staging"
	OrdersRows      = 120
	CustomersRows   = 50
	// NewCustomers were added to the CRM after its password rotation broke the sync, so the
	// warehouse lacks them until the "Sync CRM customers" flow is fixed.
	NewCustomers = 3
)

// demoRand returns the deterministic generator behind all demo content.
func demoRand() *rand.Rand { return rand.New(rand.NewPCG(2026, 1129)) }

// demoCustomers builds the CRM customers; the last NewCustomers were created in the past week.
func demoCustomers(now time.Time) *dataset.Table {
	firstNames := []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sophia", "Lucas", "Mia", "Ethan",
		"Amelia", "Hiro", "Isla", "Kwame", "Priya", "Jonas", "Chloe", "Diego", "Freya", "Omar", "Nina", "Arjun",
		"Zoe", "Felix", "Leila"}
	lastNames := []string{"Smith", "Garcia", "Müller", "Chen", "Okafor", "Rossi", "Kowalski", "Tanaka", "Silva",
		"Johnson", "Nguyen", "Dubois", "Haddad", "Larsen", "Patel", "O'Brien", "Novak", "Costa", "Kim", "Brown"}
	countries := []string{"US", "US", "US", "CA", "GB", "DE", "FR", "AU", "NL", "JP"}
	segments := []string{"retail", "retail", "retail", "wholesale", "vip"}
	r := demoRand()
	ds := &dataset.Table{Columns: []string{"customer_id", "first_name", "last_name", "email", "country", "segment", "created_at"}}
	for i := range CustomersRows {
		first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		created := now.AddDate(0, 0, -(700 - i*13))
		if i >= CustomersRows-NewCustomers {
			created = now.AddDate(0, 0, -(CustomersRows - i))
		}
		email := strings.ToLower(strings.NewReplacer("'", "", "ü", "u").Replace(first + "." + last))
		ds.Rows = append(ds.Rows, []any{int64(1001 + i), first, last, fmt.Sprintf("%s%d@example.com", email, i%7),
			countries[r.IntN(len(countries))], segments[r.IntN(len(segments))], created.Format(time.DateOnly)})
	}
	return ds
}

// demoOrdersCSV renders orders.csv: OrdersRows orders over the last 30 days.
func demoOrdersCSV(now time.Time) string {
	r := demoRand()
	type order struct {
		date   string
		cust   int
		amount float64
		status string
	}
	orders := make([]order, OrdersRows)
	for i := range orders {
		status := "completed"
		switch p := r.IntN(100); {
		case p < 15:
			status = "shipped"
		case p < 25:
			status = "pending"
		case p < 31:
			status = "cancelled"
		case p < 35:
			status = "refunded"
		}
		orders[i] = order{date: now.AddDate(0, 0, -r.IntN(30)).Format(time.DateOnly), cust: 1001 + r.IntN(CustomersRows),
			amount: float64(1500+r.IntN(46500)) / 100, status: status}
	}
	slices.SortStableFunc(orders, func(a, b order) int { return strings.Compare(a.date, b.date) })
	var b strings.Builder
	b.WriteString("order_id,customer_id,order_date,amount,status\n")
	for i, o := range orders {
		fmt.Fprintf(&b, "%d,%d,%s,%.2f,%s\n", 50001+i, o.cust, o.date, o.amount, o.status)
	}
	return b.String()
}

// demoProductsJSON renders products.json, the catalog feed.
func demoProductsJSON() string {
	r := demoRand()
	items := []struct{ name, category string }{
		{"Merino Crew Sweater", "apparel"}, {"Linen Button-Down Shirt", "apparel"}, {"Selvedge Denim Jeans", "apparel"},
		{"Waxed Canvas Jacket", "apparel"}, {"Organic Cotton Tee", "apparel"}, {"Trail Running Shoes", "footwear"},
		{"Leather Chelsea Boots", "footwear"}, {"Canvas Sneakers", "footwear"}, {"Wool Hiking Socks (3-pack)", "accessories"},
		{"Leather Belt", "accessories"}, {"Cashmere Beanie", "accessories"}, {"Canvas Tote Bag", "bags"},
		{"Roll-Top Backpack", "bags"}, {"Weekender Duffel", "bags"}, {"Stoneware Mug Set", "home"},
		{"Linen Throw Blanket", "home"}, {"Cast Iron Skillet", "home"}, {"Pour-Over Coffee Kit", "home"},
		{"Bamboo Cutting Board", "home"}, {"Insulated Water Bottle", "outdoor"}, {"Camp Hammock", "outdoor"},
		{"Packable Rain Shell", "outdoor"}, {"Headlamp 400lm", "outdoor"}, {"Gift Card", "gift"},
	}
	var b strings.Builder
	b.WriteString("[\n")
	for i, it := range items {
		sep := ","
		if i == len(items)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, `  {"sku": "SKU-%d", "name": %q, "category": %q, "price": %.2f, "in_stock": %d}%s`+"\n",
			1001+i, it.name, it.category, float64(900+r.IntN(24000))/100, r.IntN(240), sep)
	}
	b.WriteString("]\n")
	return b.String()
}

// demoReturnsCSV renders returns.csv, an extract no flow reads yet (something to explore).
func demoReturnsCSV(now time.Time) string {
	r := demoRand()
	reasons := []string{"wrong size", "damaged in transit", "not as described", "changed mind"}
	var b strings.Builder
	b.WriteString("order_id,reason,refund_amount,returned_on\n")
	for i := range 12 {
		fmt.Fprintf(&b, "%d,%s,%.2f,%s\n", 50001+r.IntN(OrdersRows), reasons[r.IntN(len(reasons))],
			float64(1500+r.IntN(20000))/100, now.AddDate(0, 0, -i*2).Format(time.DateOnly))
	}
	return b.String()
}

// WriteFiles creates the staging folder content.
func WriteFiles(root string, now time.Time) error {
	dir := filepath.Join(root, StagingFolder)
	if err := os.MkdirAll(filepath.Join(dir, "exports"), 0o755); err != nil {
		return err
	}
	files := map[string]string{
		"orders.csv":    demoOrdersCSV(now),
		"products.json": demoProductsJSON(),
		"returns.csv":   demoReturnsCSV(now),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// BuildDatabases creates crm.db and loads warehouse.db with what the flows' past runs left
// there: orders, products, the customers synced before the CRM password rotation, the revenue
// rollup as of its last good run and a Shopify import.
func BuildDatabases(ctx context.Context, root string, dbs *engine.DBPool, now time.Time, rollupFixedSQL string, rollupUntil time.Time) error {
	crm, err := dbs.Get(filepath.Join(root, CRMDatabaseFile))
	if err != nil {
		return err
	}
	customers := demoCustomers(now)
	if err := loadTable(ctx, crm, "customers", customers); err != nil {
		return fmt.Errorf("crm customers: %w", err)
	}
	wh, err := dbs.Get(filepath.Join(root, WarehouseFile))
	if err != nil {
		return err
	}
	orders, _, err := dataset.ParseCSV([]byte(demoOrdersCSV(now)))
	if err != nil {
		return err
	}
	products, err := dataset.ParseJSON([]byte(demoProductsJSON()))
	if err != nil {
		return err
	}
	synced := &dataset.Table{Columns: slices.Clone(customers.Columns), Rows: customers.Rows[:CustomersRows-NewCustomers]}
	synced.Rename("created_at", "customer_since")
	for table, ds := range map[string]*dataset.Table{"orders": orders, "products": products, "customers": synced,
		"shopify_orders": engine.SyntheticRecords(model.Connection{ConnectionType: "connection.http"}, 37, 1)} {
		if err := loadTable(ctx, wh, table, ds); err != nil {
			return fmt.Errorf("warehouse %s: %w", table, err)
		}
	}
	rollup, err := dataset.Query(ctx, wh, rollupFixedSQL)
	if err != nil {
		return fmt.Errorf("warehouse daily_revenue: %w", err)
	}
	cutoff := rollupUntil.Format(time.DateOnly)
	rollup.Rows = slices.DeleteFunc(rollup.Rows, func(row []any) bool { return dataset.Text(row[0]) >= cutoff })
	return loadTable(ctx, wh, "daily_revenue", rollup)
}

// loadTable replaces a table with a dataset, the way a replace-mode transformation does.
func loadTable(ctx context.Context, db *sql.DB, table string, ds *dataset.Table) error {
	if _, err := dataset.PrepareTable(ctx, db, table, "replace", ds); err != nil {
		return err
	}
	return dataset.InsertRows(ctx, db, table, ds, nil)
}
