package csvtable

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRowsAndCells(t *testing.T) {
	var b strings.Builder
	Header(&b, []string{"id", "note"})
	rows := [][]json.RawMessage{
		{json.RawMessage(`1`), json.RawMessage(`"a, b"`)},
		{json.RawMessage(`2`), json.RawMessage(`null`)},
		{json.RawMessage(`3`), json.RawMessage(`""`)},
		{json.RawMessage(`4`), json.RawMessage(`{"k": [1, 2]}`)},
	}
	if n := Rows(&b, rows, 1<<10); n != 4 {
		t.Fatalf("wrote %d rows", n)
	}
	if want := "id,note\n1,\"a, b\"\n2,\n3,\"\"\n4,\"{\"\"k\"\":[1,2]}\"\n"; b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
	var small strings.Builder
	if n := Rows(&small, rows, 10); n != 1 || small.String() != "1,\"a, b\"\n" {
		t.Fatalf("room 10: %d rows %q", n, small.String())
	}
	if got := Cut(strings.Repeat("é", MaxCell)); len(got) > MaxCell+len("…") || !strings.HasSuffix(got, "…") {
		t.Fatalf("Cut: %d bytes", len(got))
	}
}
