package sandbox

import (
	"context"
	"strings"
)

// maxNameLength is the longest name a flow, connection or schedule may have.
const maxNameLength = 255

// checkName trims *name and applies the rule flows, connections and schedules share: a name is
// required, at most maxNameLength characters, and unique case-insensitively among the rows of
// table (selfID, the object being edited, excepted). what names the kind of object in the 400.
func (st *store) checkName(ctx context.Context, table, what string, name *string, selfID int64) error {
	*name = strings.TrimSpace(*name)
	switch {
	case *name == "":
		return badRequest("Field 'name' is required")
	case len(*name) > maxNameLength:
		return badRequest("Field 'name' must be at most %d characters", maxNameLength)
	}
	if taken, err := st.nameTakenIn(ctx, table, *name, selfID); err != nil {
		return err
	} else if taken {
		return badRequest("Field 'name': a %s named '%s' already exists", what, *name)
	}
	return nil
}

// uniqueName turns a name uniqueness violation (two writers racing past checkName) into the same
// 400 checkName gives; what names the kind of object.
func uniqueName(err error, what, name string) error {
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return badRequest("Field 'name': a %s named '%s' already exists", what, name)
	}
	return err
}
