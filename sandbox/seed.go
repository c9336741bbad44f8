package sandbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/dataset"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/engine"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// Settings keys and fixed names of the demo tenant.
const (
	settingSeeded = "seeded.at"
	settingJWTKey = "jwt.key"

	demoLogin  = "alice"
	demoTenant = demo.Tenant

	crmUser = "crm_reader"
	// crmStalePassword is what the "CRM database" connection stores: the password from before the
	// CRM team rotated it, which is why "Sync CRM customers" fails until someone updates it.
	crmStalePassword = "crm-demo-2025"
)

// seedOnce seeds a fresh state database: users and keys, connections, demo files and databases,
// flows and 14 days of history. A state database that was seeded before is left alone.
func seedOnce(ctx context.Context, st *store, dbs *engine.DBPool, root string, now time.Time, log *slog.Logger) error {
	if _, err := st.setting(ctx, settingSeeded); err == nil {
		return nil
	} else if !errors.Is(err, errNotFound) {
		return err
	}
	log.Info("seeding demo tenant", "dataDir", root)
	seeds := demo.FlowSeeds()
	tl := demo.NewTimeline(now, seeds)
	if err := demo.WriteFiles(root, now); err != nil {
		return fmt.Errorf("demo files: %w", err)
	}
	if err := demo.BuildDatabases(ctx, root, dbs, now, demo.RollupSQL("amount"), tl.RollupBroken); err != nil {
		return fmt.Errorf("demo databases: %w", err)
	}
	wh, err := dbs.Get(filepath.Join(root, demo.WarehouseFile))
	if err != nil {
		return err
	}
	// The seeded failures carry the error the broken SQL really raises today.
	_, rollupErr := dataset.Query(ctx, wh, demo.RollupSQL("amount_usd"))
	if rollupErr == nil {
		return errors.New("the seeded rollup SQL unexpectedly works")
	}

	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if err := seedAccounts(ctx, tx); err != nil {
		return err
	}
	conns, err := seedConnections(ctx, tx, now)
	if err != nil {
		return err
	}
	flows, err := seedFlows(ctx, tx, seeds, conns, tl.Created)
	if err != nil {
		return err
	}
	h := &demo.Historian{Timeline: tl, Conns: conns, Flows: flows, Seeds: seeds, RollupErr: runlog.SQLError(rollupErr, "extract")}
	if err := h.Write(ctx, seedTx{tx}); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?)`, settingSeeded,
		now.UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}

// seedAccounts creates the tenant, its users (random passwords and 256-character API keys), the
// JWT signing key and the CRM database's real account.
func seedAccounts(ctx context.Context, tx *sql.Tx) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?)`, settingJWTKey,
		base64.StdEncoding.EncodeToString(key)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tenants(id, name) VALUES(1, ?)`, demoTenant); err != nil {
		return err
	}
	users := []struct{ login, role string }{
		{demoLogin, "Administrator"}, {"bob", "Operator"}, {"scheduler", "Operator"}, {"carol", "Editor"}, {"victor", "Viewer"},
	}
	for _, u := range users {
		if err := insertUser(ctx, tx, user{Login: u.login, Email: u.login + "@acme-retail.example", Role: u.role,
			Password: randomString(16), APIKey: randomString(apiKeyLength), TenantID: 1}); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO db_accounts(db_file, db_user, db_password) VALUES(?, ?, ?)`,
		demo.CRMDatabaseFile, crmUser, "crm-"+randomString(12))
	return err
}

// seedConnections creates the demo connections and returns them by name. Warehouse, Staging files
// and CRM database are real; the others are simulated endpoints with realistic properties.
func seedConnections(ctx context.Context, tx *sql.Tx, now time.Time) (map[string]connection, error) {
	list := []connection{
		{Name: "Warehouse", ConnectionType: model.TypeSQLite, Tags: []string{"warehouse"},
			Description: "Analytics warehouse (SQLite) that the reporting flows load into",
			Properties:  map[string]string{model.PropDatabase: demo.WarehouseFile}},
		{Name: "Staging files", ConnectionType: model.TypeLocalFile, Tags: []string{"staging"},
			Description: "Landing folder for partner extracts and generated reports",
			Properties:  map[string]string{model.PropFolder: demo.StagingFolder}},
		{Name: "CRM database", ConnectionType: model.TypeSQLite, Tags: []string{"crm"},
			Description: "Customer master data from the CRM (read-only account)",
			Properties:  map[string]string{model.PropDatabase: demo.CRMDatabaseFile, model.PropUser: crmUser, model.PropPassword: crmStalePassword}},
		{Name: "Reporting Postgres", ConnectionType: "connection.db.postgres", Tags: []string{"reporting"},
			Description: "PostgreSQL database behind the BI dashboards",
			Properties: map[string]string{model.PropHost: "reporting-db.acme-retail.internal", "field.connection.template.port": "5432",
				model.PropDatabase: "reporting", model.PropUser: "etl_writer", model.PropPassword: randomString(20)}},
		{Name: "Shopify API", ConnectionType: "connection.http", Tags: []string{"shopify", "api"},
			Description: "Shopify Admin REST API of the online store",
			Properties: map[string]string{model.PropURL: "https://acme-retail.myshopify.com/admin/api/2024-10",
				"field.connection.template.authType": "header", "field.connection.template.token": "shpat_" + randomString(32)}},
		{Name: "S3 archive", ConnectionType: "connection.s3", Tags: []string{"archive"},
			Description: "S3 bucket for long-term retention of source files",
			Properties: map[string]string{model.PropBucket: "acme-etl-archive", "field.connection.template.region": "us-east-1",
				"field.connection.template.accessKey": "AKIA" + randomString(16), "field.connection.template.secretKey": randomString(40)}},
		{Name: "Legacy FTP", ConnectionType: "connection.ftp", Tags: []string{"legacy"},
			Description: "FTP server of the retired order system",
			Properties: map[string]string{model.PropHost: "ftp.acme-legacy.example", "field.connection.template.port": "21",
				model.PropUser: "orders", model.PropPassword: randomString(14)}},
	}
	out := map[string]connection{}
	created := now.AddDate(0, 0, -45).UnixMilli()
	for _, c := range list {
		id, err := insertConnection(ctx, tx, c, created)
		if err != nil {
			return nil, err
		}
		c.ID, c.CreatedAt, c.UpdatedAt = id, created, created
		out[c.Name] = c
	}
	return out, nil
}

// seedFlows inserts the demo flows in order (ids 1..n) and returns them resolved, by id.
func seedFlows(ctx context.Context, tx *sql.Tx, seeds []demo.FlowSeed, conns map[string]connection, created []time.Time) (map[int64]*flow, error) {
	byName := map[string]int64{}
	out := map[int64]*flow{}
	idx := map[int64]connection{}
	for _, c := range conns {
		idx[c.ID] = c
	}
	for i := range seeds {
		f := seeds[i].Flow
		for j := range f.Transformations {
			tr := &f.Transformations[j]
			tr.Source.ConnectionID = conns[tr.Source.Connection].ID
			if tr.Destination.Connection != "" {
				tr.Destination.ConnectionID = conns[tr.Destination.Connection].ID
			}
		}
		for j := range f.NestedFlows {
			f.NestedFlows[j].FlowID = byName[f.NestedFlows[j].Name]
		}
		id, err := insertFlow(ctx, tx, &f, created[i].UnixMilli())
		if err != nil {
			return nil, fmt.Errorf("flow %q: %w", f.Name, err)
		}
		f.ID, f.CreatedAt, f.UpdatedAt = id, created[i].UnixMilli(), created[i].UnixMilli()
		byName[f.Name] = id
		resolveFlow(&f, idx, nil)
		seeds[i].Flow = f
		out[id] = &seeds[i].Flow
	}
	return out, nil
}
