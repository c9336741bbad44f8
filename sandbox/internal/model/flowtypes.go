package model

import "encoding/json"

// FlowTypeLabel returns the plain-English label of a known flow type, and false for an unknown one.
func FlowTypeLabel(t string) (string, bool) {
	switch t {
	case "file-to-database":
		return "File to database", true
	case "database-to-database":
		return "Database to database", true
	case "database-to-file":
		return "Database to file", true
	case "file-to-file":
		return "File to file", true
	case "api-to-database":
		return "API to database", true
	case "database-to-api":
		return "Database to API", true
	case "api-to-file":
		return "API to file", true
	case "execute-sql":
		return "Execute SQL", true
	case "nested-workflow":
		return "Nested workflow", true
	}
	return "", false
}

// KnownFlowTypes is the list validation errors quote.
const KnownFlowTypes = "file-to-database, database-to-database, database-to-file, file-to-file, api-to-database, " +
	"database-to-api, api-to-file, execute-sql, nested-workflow"

// UnmarshalJSON defaults Enabled to true, so a client that omits it gets a transformation that runs.
func (t *Transformation) UnmarshalJSON(b []byte) error {
	type plain Transformation
	p := plain{Enabled: true}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*t = Transformation(p)
	return nil
}
