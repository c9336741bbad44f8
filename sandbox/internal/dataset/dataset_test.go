package dataset

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// TestFileRoundTrip checks that what WriteFile writes, ReadFile reads back unchanged, in both
// formats, and that appending adds rows without a second header.
func TestFileRoundTrip(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"CSV", "JSON"} {
		path := filepath.Join(t.TempDir(), "orders")
		ds := &Table{Columns: []string{"id", "status"}, Rows: [][]any{{"1", "paid"}, {"2", "refunded"}}}
		if err := WriteFile(path, format, ds, false); err != nil {
			t.Fatalf("%s write: %v", format, err)
		}
		if err := WriteFile(path, format, &Table{Columns: ds.Columns, Rows: [][]any{{"3", "paid"}}}, true); err != nil {
			t.Fatalf("%s append: %v", format, err)
		}
		got, skipped, err := ReadFile(path, format)
		if err != nil || skipped != 0 {
			t.Fatalf("%s read: %v (skipped %d)", format, err, skipped)
		}
		want := [][]any{{"1", "paid"}, {"2", "refunded"}, {"3", "paid"}}
		if !slices.Equal(got.Columns, ds.Columns) || !reflect.DeepEqual(got.Rows, want) {
			t.Errorf("%s read back %v %v, want %v %v", format, got.Columns, got.Rows, ds.Columns, want)
		}
	}
}

// TestParseCSVSkipsMalformedLines checks that lines with the wrong field count are counted and
// left out, and the others kept.
func TestParseCSVSkipsMalformedLines(t *testing.T) {
	t.Parallel()
	ds, skipped, err := ParseCSV([]byte("id,name\n1,Ann\n2\n3,Bo,extra\n4,Cy\n"))
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 2 || !reflect.DeepEqual(ds.Rows, [][]any{{"1", "Ann"}, {"4", "Cy"}}) {
		t.Errorf("skipped %d, rows %v; want 2 skipped and rows 1 and 4", skipped, ds.Rows)
	}
}

// TestBatches checks that progress hears every batch and the last partial one, and nothing for
// an empty load.
func TestBatches(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		total int
		want  []int
	}{{0, nil}, {3, []int{3}}, {batchSize, []int{batchSize}}, {2*batchSize + 20, []int{batchSize, 2 * batchSize, 2*batchSize + 20}}} {
		var got []int
		if err := Batches(c.total, func(done int) error { got = append(got, done); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Batches(%d) reported %v, want %v", c.total, got, c.want)
		}
	}
}
