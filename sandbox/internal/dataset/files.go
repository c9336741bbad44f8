package dataset

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ReadFile reads a CSV (header row first) or JSON (array of objects) file. skipped counts CSV
// lines whose field count does not match the header; they are left out.
func ReadFile(path, format string) (*Table, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if format == "JSON" {
		ds, err := ParseJSON(b)
		return ds, 0, err
	}
	return ParseCSV(b)
}

// ParseCSV reads CSV with a header row; skipped counts the lines whose field count does not match
// the header, which are left out.
func ParseCSV(b []byte) (*Table, int, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return &Table{}, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	ds := &Table{Columns: header}
	skipped := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		if len(rec) != len(header) {
			skipped++
			continue
		}
		row := make([]any, len(rec))
		for i, v := range rec {
			row[i] = v
		}
		ds.Rows = append(ds.Rows, row)
	}
	return ds, skipped, nil
}

// ParseJSON reads an array of flat objects, keeping the key order of first appearance.
func ParseJSON(b []byte) (*Table, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("expected a JSON array of objects: %w", err)
	}
	ds := &Table{}
	index := map[string]int{}
	var objects []map[string]any
	for _, item := range raw {
		obj := map[string]any{}
		dec := json.NewDecoder(bytes.NewReader(item))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, errors.New("expected a JSON array of objects")
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := tok.(string)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, err
			}
			if _, ok := index[key]; !ok {
				index[key] = len(ds.Columns)
				ds.Columns = append(ds.Columns, key)
			}
			obj[key] = jsonScalar(v)
		}
		objects = append(objects, obj)
	}
	for _, obj := range objects {
		row := make([]any, len(ds.Columns))
		for k, v := range obj {
			row[index[k]] = v
		}
		ds.Rows = append(ds.Rows, row)
	}
	return ds, nil
}

// jsonScalar turns a JSON value into a dataset value; nested values stay JSON text.
func jsonScalar(v json.RawMessage) any {
	var x any
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if dec.Decode(&x) != nil {
		return string(v)
	}
	switch t := x.(type) {
	case nil:
		return nil
	case string:
		return t
	case bool:
		if t {
			return int64(1)
		}
		return int64(0)
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
	}
	return string(v)
}

// WriteFile writes a dataset as CSV or JSON through a temporary file, so readers never see half a file.
// Appending adds CSV rows without a second header, or merges into an existing JSON array.
func WriteFile(path, format string, ds *Table, appendMode bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b []byte
	var err error
	if format == "JSON" {
		b, err = encodeJSONRecords(path, ds, appendMode)
	} else {
		b, err = encodeCSV(path, ds, appendMode)
	}
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func encodeCSV(path string, ds *Table, appendMode bool) ([]byte, error) {
	var buf bytes.Buffer
	existing, err := os.ReadFile(path)
	if appendMode && err == nil && len(existing) > 0 {
		buf.Write(existing)
	} else if err := csv.NewWriter(&buf).WriteAll([][]string{ds.Columns}); err != nil {
		return nil, err
	}
	w := csv.NewWriter(&buf)
	for _, row := range ds.Rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = Text(v)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func encodeJSONRecords(path string, ds *Table, appendMode bool) ([]byte, error) {
	var items []json.RawMessage
	if existing, err := os.ReadFile(path); appendMode && err == nil {
		_ = json.Unmarshal(existing, &items) // a file that is not a JSON array is replaced
	}
	for _, row := range ds.Rows {
		var b bytes.Buffer
		b.WriteByte('{')
		for i, c := range ds.Columns {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(c)
			v, err := json.Marshal(row[i])
			if err != nil {
				return nil, err
			}
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
		items = append(items, b.Bytes())
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	return json.MarshalIndent(items, "", "  ")
}
