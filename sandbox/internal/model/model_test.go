package model

import (
	"maps"
	"testing"
)

// TestPublicAndKeepInternal checks that the API view of a flow drops the internal properties
// without touching the stored flow, and that a write-back without them keeps them.
func TestPublicAndKeepInternal(t *testing.T) {
	t.Parallel()
	stored := &Flow{Name: "f", Properties: map[string]string{PropOutcome: "error", "X-Standin-Records": "5", "owner": "ops"}}
	pub := stored.Public()
	if !maps.Equal(pub.Properties, map[string]string{"owner": "ops"}) {
		t.Errorf("Public properties = %v, want only owner", pub.Properties)
	}
	if len(stored.Properties) != 3 {
		t.Errorf("Public changed the stored flow: %v", stored.Properties)
	}
	updated := &Flow{Name: "f", Properties: map[string]string{"owner": "data", PropOutcome: "warning"}}
	KeepInternal(stored, updated)
	want := map[string]string{"owner": "data", PropOutcome: "warning", "X-Standin-Records": "5"}
	if !maps.Equal(updated.Properties, want) {
		t.Errorf("KeepInternal = %v, want %v (a value the client sets wins)", updated.Properties, want)
	}
}

// TestWithVars checks that run variables fill {name} tokens in objects and SQL, and that unknown
// tokens stay as written.
func TestWithVars(t *testing.T) {
	t.Parallel()
	tr := Transformation{Source: Source{Object: "orders_{day}.csv", SQL: "SELECT * FROM t WHERE d = '{day}' AND x = {missing}"},
		Destination: Destination{Object: "orders_{region}"}}
	got := tr.WithVars(map[string]string{"day": "2026-12-01", "region": "eu"})
	if got.Source.Object != "orders_2026-12-01.csv" || got.Destination.Object != "orders_eu" ||
		got.Source.SQL != "SELECT * FROM t WHERE d = '2026-12-01' AND x = {missing}" {
		t.Errorf("WithVars = %+v", got)
	}
	if tr.Source.Object != "orders_{day}.csv" {
		t.Error("WithVars changed its receiver")
	}
}

// TestMaskedParams checks that secret-looking parameter names are masked and others kept.
func TestMaskedParams(t *testing.T) {
	t.Parallel()
	got := MaskedParams(map[string]string{"db_password": "hunter2", "apiKey": "k", "day": "monday"})
	want := map[string]string{"db_password": Mask, "apiKey": Mask, "day": "monday"}
	if !maps.Equal(got, want) {
		t.Errorf("MaskedParams = %v, want %v", got, want)
	}
}
