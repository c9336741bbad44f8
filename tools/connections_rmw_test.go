package tools

import (
	"encoding/json"
	"testing"

	"github.com/tidwall/gjson"
)

// update_connection sends back the whole connection it read: fields it does not model and the
// JSON types of properties survive, a changed property keeps its type, a masked secret is sent
// back as it came.
func TestPlanUpdateKeepsUnknownFieldsAndTypes(t *testing.T) {
	t.Parallel()
	cur := gjson.Parse(`{"id":4,"name":"crm","description":"","connectionType":"connection.db.postgres","tags":["prod"],
		"owner":{"id":7},"version":12,
		"properties":{"field.connection.template.host":"db","field.connection.template.port":5432,
			"field.connection.template.ssl":false,"field.connection.template.password":"********","x.extra":[1,2]}}`)
	desc := "CRM"
	body, changes, _, err := planUpdate(cur, UpdateConnectionInput{Description: &desc,
		Properties: map[string]string{"port": "5433", "ssl": "true", "host": "db2"}})
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	_ = json.Unmarshal(body, &got)
	_ = json.Unmarshal([]byte(`{"id":4,"name":"crm","description":"CRM","connectionType":"connection.db.postgres","tags":["prod"],
		"owner":{"id":7},"version":12,
		"properties":{"field.connection.template.host":"db2","field.connection.template.port":5433,
			"field.connection.template.ssl":true,"field.connection.template.password":"********","x.extra":[1,2]}}`), &want)
	if b1, _ := json.Marshal(got); string(b1) != mustJSON(t, want) {
		t.Errorf("body\n%s\nwant\n%s", b1, mustJSON(t, want))
	}
	if len(changes) != 4 {
		t.Errorf("changes %v", changes)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
