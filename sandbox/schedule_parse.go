package sandbox

import (
	"errors"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/cron"
)

// parseSchedule validates a schedule expression; an invalid one is a 400 naming the bad field and
// value.
func parseSchedule(expr string) (cron.Spec, error) {
	spec, err := cron.Parse(expr)
	var se *cron.Error
	if errors.As(err, &se) {
		return nil, badRequest("%s", se.Error())
	}
	return spec, err
}
