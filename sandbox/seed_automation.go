package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
)

// settingAutomationSeeded marks a state database whose schedules and listeners were seeded; it is
// separate from settingSeeded so data directories seeded before schedules existed get them too.
const settingAutomationSeeded = "seeded.automation"

// seedAutomationOnce creates the demo schedules and listeners. Schedule i+1 runs seeded flow i+1
// with the name the seeded history shows as eventName, so past scheduled runs link to it.
func seedAutomationOnce(ctx context.Context, st *store, log *slog.Logger) error {
	if _, err := st.setting(ctx, settingAutomationSeeded); err == nil {
		return nil
	} else if !errors.Is(err, errNotFound) {
		return err
	}
	log.Info("seeding schedules and listeners")
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	now := time.Now().UnixMilli()
	flowID := func(name string) (int64, bool, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM flows WHERE name = ?`, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		return id, err == nil, err
	}
	for i, sd := range demo.FlowSeeds() {
		id, ok, err := flowID(sd.Flow.Name)
		if err != nil {
			return err
		}
		if !ok {
			continue // deleted from a data directory seeded before schedules existed
		}
		sc := demoSchedule(sd)
		sc.ID, sc.FlowID = int64(i+1), id
		if _, err := insertSchedule(ctx, tx, sc, now); err != nil {
			return fmt.Errorf("schedule %q: %w", sc.Name, err)
		}
	}
	for _, l := range demoListeners() {
		id, ok, err := flowID(l.flowName)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		l.FlowID = id
		if _, err := insertListener(ctx, tx, &l.listener, now); err != nil {
			return fmt.Errorf("listener %q: %w", l.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?)`, settingAutomationSeeded,
		time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}

// demoSchedule builds the schedule of a seeded flow from its daily run times.
func demoSchedule(sd demo.FlowSeed) *schedule {
	sc := &schedule{Name: sd.Schedule, Enabled: !sd.Retired, Schedule: cronOfTimes(sd.Times), EmailFailure: true,
		Emails: "data-team@acme-retail.example", Tags: []string{}, Parameters: map[string]string{}}
	when := "every day at " + sd.Times[0]
	if len(sd.Times) > 1 {
		when = fmt.Sprintf("%d times a day (%s)", len(sd.Times), strings.Join(sd.Times, ", "))
	}
	sc.Description = fmt.Sprintf("Runs '%s' %s.", sd.Flow.Name, when)
	switch sd.Flow.Name {
	case "Daily revenue rollup", "Export revenue report":
		sc.Emails = "finance-data@acme-retail.example data-team@acme-retail.example"
	case "Sync CRM customers":
		sc.Retries, sc.DelayBetweenRetries = 2, 10
	case "Import Shopify orders":
		sc.Retries, sc.DelayBetweenRetries, sc.Tags = 1, 5, []string{"shopify"}
	case "Nightly warehouse refresh":
		sc.ExpectedTime, sc.EmailSuccess = 30, true
	case "Archive order files to S3":
		sc.Parameters["runDate"] = "{today}"
	case "Legacy FTP order import":
		sc.Description += " Paused with the flow after repeated FTP connection timeouts."
	}
	return sc
}

// cronOfTimes turns "HH:MM" run times into a Quartz expression: one time is daily at that time;
// times with one minute and evenly spaced hours become an hour step ("0 10 0/6 * * ?").
func cronOfTimes(times []string) string {
	hours := make([]int, len(times))
	minute := -1
	for i, t := range times {
		var h, m int
		fmt.Sscanf(t, "%d:%d", &h, &m)
		hours[i] = h
		if minute >= 0 && m != minute {
			return fmt.Sprintf("0 %d %d * * ?", m, h) // mixed minutes do not occur in the seed
		}
		minute = m
	}
	if len(hours) == 1 {
		return fmt.Sprintf("0 %d %d * * ?", minute, hours[0])
	}
	step := hours[1] - hours[0]
	for i := 1; i < len(hours); i++ {
		if hours[i]-hours[i-1] != step {
			parts := make([]string, len(hours))
			for j, h := range hours {
				parts[j] = fmt.Sprint(h)
			}
			return fmt.Sprintf("0 %d %s * * ?", minute, strings.Join(parts, ","))
		}
	}
	return fmt.Sprintf("0 %d %d/%d * * ?", minute, hours[0], step)
}

// demoListener is a seeded listener and the name of its flow.
type demoListener struct {
	listener
	flowName string
}

// demoListeners are the seeded HTTP listeners: a push endpoint with JWT and an upload with Basic.
func demoListeners() []demoListener {
	return []demoListener{
		{flowName: "Import Shopify orders", listener: listener{ID: 1, Name: "Shopify order webhook", ListenerType: httpListenerType,
			Description: "Shopify calls this endpoint when an order is created; each call imports the latest orders.",
			Tags:        []string{"shopify"},
			Properties: map[string]string{propURLPattern: "shopify/orders", propMethod: "POST", propAuthType: "JWT",
				propAuthLocation: "header", propProcessing: "async"}}},
		{flowName: "Load product catalog", listener: listener{ID: 2, Name: "Partner catalog upload", ListenerType: httpListenerType,
			Description: "Suppliers PUT their catalog feed here (Basic auth); each upload reloads the product catalog.",
			Tags:        []string{"catalog"},
			Properties: map[string]string{propURLPattern: "catalog/{partner}/upload", propMethod: "PUT", propAuthType: "Basic",
				propAuthLocation: "header", propProcessing: "sync"}}},
	}
}
