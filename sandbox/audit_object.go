package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
)

// Every audit event names the object it touched (objectType, objectId, objectName: our
// design, tag [I], not in Etlworks' public documentation), so the trail can be searched by object.
// Callers of recordMutation need do nothing:
// the object is derived from the method name and payload by convention, for example
// md "editConnection" + payload {"connectionId": 3, "name": "CRM database"} → connection 3 "CRM database".
// recordObjectMutation names it explicitly where the convention does not fit.

// auditObject is the object an audit event touched; the zero value means none.
type auditObject struct {
	Type string
	ID   int64
	Name string
}

// auditNouns maps the noun that ends a method name (addFlow, pauseSchedule) to an object type.
var auditNouns = []struct{ noun, typ string }{
	{"Flow", "flow"}, {"Connection", "connection"}, {"Schedule", "schedule"},
	{"Webhook", "webhook"}, {"Listener", "listener"}, {"Format", "format"},
}

// objectTypes are the types an audit search accepts on their own (object=flow).
var objectTypes = []string{"flow", "connection", "schedule", "webhook", "listener", "format"}

// deriveObject finds an event's object: the type from the noun ending md (or, failing that, the
// first "<type>Id" key present in the payload), the id from payload["<type>Id"] or payload["id"],
// the name from payload["name"] or payload["<type>Name"].
func deriveObject(md string, payload []byte) auditObject {
	var m map[string]any
	if len(payload) == 0 || json.Unmarshal(payload, &m) != nil {
		return auditObject{}
	}
	var o auditObject
	for _, n := range auditNouns {
		if strings.HasSuffix(md, n.noun) {
			o.Type = n.typ
			break
		}
	}
	if o.Type == "" {
		for _, n := range auditNouns {
			if _, ok := m[n.typ+"Id"]; ok {
				o.Type = n.typ
				break
			}
		}
	}
	if o.Type == "" {
		return o
	}
	for _, k := range []string{o.Type + "Id", "id"} {
		if v, ok := m[k].(float64); ok && v > 0 {
			o.ID = int64(v)
			break
		}
	}
	for _, k := range []string{"name", o.Type + "Name"} {
		if v, ok := m[k].(string); ok && v != "" {
			o.Name = v
			break
		}
	}
	return o
}

// objectFilter is the parsed "object" parameter of GET /v1/audit: "flow:2", "flow:Daily revenue
// rollup", "flow", "2", or a name (case-insensitive substring).
type objectFilter struct {
	typ  string
	id   int64
	name string
}

func parseObjectFilter(v string) objectFilter {
	v = strings.TrimSpace(v)
	var of objectFilter
	if typ, rest, ok := strings.Cut(v, ":"); ok && isObjectType(typ) {
		of.typ, v = strings.ToLower(typ), strings.TrimSpace(rest)
	} else if isObjectType(v) {
		return objectFilter{typ: strings.ToLower(v)}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		of.id = n
	} else if v != "" {
		of.name = v
	}
	return of
}

func isObjectType(s string) bool {
	for _, t := range objectTypes {
		if strings.EqualFold(s, t) {
			return true
		}
	}
	return false
}

// conditions adds the filter's SQL conditions.
func (of objectFilter) conditions(add func(cond string, arg any)) {
	if of.typ != "" {
		add(`object_type = ?`, of.typ)
	}
	if of.id != 0 {
		add(`object_id = ?`, of.id)
	}
	if of.name != "" {
		add(`instr(lower(object_name), lower(?)) > 0`, of.name)
	}
}

// migrateAudit adds the object columns to an audit table that lacks them and fills them in for the
// events already there.
func migrateAudit(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('audit') WHERE name = 'object_type'`).Scan(&n); err != nil || n > 0 {
		return err
	}
	for _, stmt := range []string{
		`ALTER TABLE audit ADD COLUMN object_type TEXT`,
		`ALTER TABLE audit ADD COLUMN object_id INTEGER`,
		`ALTER TABLE audit ADD COLUMN object_name TEXT`,
		`CREATE INDEX IF NOT EXISTS audit_object ON audit(object_type, object_id)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	type row struct {
		id      int64
		md      string
		payload string
	}
	rows, err := db.QueryContext(ctx, `SELECT id, md, payload FROM audit WHERE payload IS NOT NULL`)
	if err != nil {
		return err
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.md, &r.payload); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		o := deriveObject(r.md, []byte(r.payload))
		if o.Type == "" {
			continue
		}
		if _, err := db.ExecContext(ctx, `UPDATE audit SET object_type = ?, object_id = ?, object_name = ? WHERE id = ?`,
			o.Type, nullID(o.ID), nullText(o.Name), r.id); err != nil {
			return err
		}
	}
	return nil
}

// nullID and nullText store zero values as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
