package engine

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/dataset"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// simulation applies a flow's configured outcome to its simulated connectors.
type simulation struct {
	flow    *model.Flow
	touched bool // a simulated connector was used, so an error outcome has already fired
}

func (sim *simulation) outcome() string { return sim.flow.Properties[model.PropOutcome] }

func (sim *simulation) records() int {
	if n, err := strconv.Atoi(sim.flow.Properties[model.PropRecords]); err == nil && n >= 0 {
		return n
	}
	return 25
}

// extract stands in for reading from an unreachable source.
func (sim *simulation) extract(ctx context.Context, x *runState, src model.Connection, tr model.Transformation) (*dataset.Table, error) {
	sim.touched = true
	if err := x.e.pause(ctx); err != nil {
		return nil, err
	}
	if sim.outcome() == "error" {
		return nil, runlog.SimulatedFailure(src, sim.flow.Properties[model.PropError])
	}
	return SyntheticRecords(src, sim.records(), x.auditID), nil
}

// load stands in for writing to an unreachable destination.
func (sim *simulation) load(ctx context.Context, x *runState, dst model.Connection, total int, progress func(int) error) (int, error) {
	sim.touched = true
	if sim.outcome() == "error" {
		return 0, runlog.SimulatedFailure(dst, sim.flow.Properties[model.PropError])
	}
	if err := dataset.Batches(total, progress); err != nil {
		return 0, err
	}
	return total, nil
}

// finish applies a warning outcome, or an error outcome no simulated connector has raised yet.
func (sim *simulation) finish(x *runState) error {
	switch sim.outcome() {
	case "error":
		if !sim.touched {
			return runlog.EngineError("%s", cmp.Or(sim.flow.Properties[model.PropError], "Flow failed"))
		}
	case "warning":
		x.warnings++
		x.lg.Line("WARN", cmp.Or(sim.flow.Properties[model.PropWarning], "Some records were rejected by the destination"))
	}
	return nil
}

// SyntheticRecords fabricates plausible records for a simulated source, different on every run.
func SyntheticRecords(c model.Connection, n int, seed int64) *dataset.Table {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	now := time.Now()
	ds := &dataset.Table{}
	if connectors.IsAPI(c.ConnectionType) {
		ds.Columns = []string{"id", "order_number", "email", "total_price", "currency", "financial_status", "created_at"}
		for i := range n {
			ds.Rows = append(ds.Rows, []any{int64(5120000000 + r.IntN(999999)), int64(1001 + i),
				fmt.Sprintf("customer%d@example.com", r.IntN(5000)), float64(r.IntN(40000)+500) / 100, "USD",
				[]string{"paid", "paid", "paid", "pending", "refunded"}[r.IntN(5)],
				now.Add(-time.Duration(r.IntN(86400)) * time.Second).Format(time.RFC3339)})
		}
		return ds
	}
	ds.Columns = []string{"order_id", "customer_id", "order_date", "amount", "status"}
	for i := range n {
		ds.Rows = append(ds.Rows, []any{int64(90001 + i), int64(1001 + r.IntN(50)),
			now.AddDate(0, 0, -r.IntN(3)).Format(time.DateOnly), float64(r.IntN(50000)+900) / 100, "completed"})
	}
	return ds
}
