package client

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxQueryRowBytes bounds the rows of one QueryResult as they are read: rows past it are read and
// dropped, and the result is marked Truncated, so a query returning huge values cannot make the
// client hold them all. It is far above what a tool shows (a table result stays under 256 KiB).
const maxQueryRowBytes = 8 << 20

// decodeFrom reads a QueryResult from dec row by row, keeping rows until they add up to
// maxQueryRowBytes of JSON. Fields may come in any order.
func (q *QueryResult) decodeFrom(dec *json.Decoder) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	kept := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		switch strings.ToLower(key) {
		case "rows":
			err = q.decodeRows(dec, &kept)
		case "columns":
			err = dec.Decode(&q.Columns)
		case "rowcount":
			err = dec.Decode(&q.RowCount)
		case "truncated":
			var t bool
			err = dec.Decode(&t)
			q.Truncated = q.Truncated || t
		case "durationms":
			err = dec.Decode(&q.DurationMs)
		case "rowsaffected":
			err = dec.Decode(&q.RowsAffected)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.Token() // the closing brace
	return err
}

// decodeRows reads the rows array (or null), keeping rows while they fit the byte budget.
func (q *QueryResult) decodeRows(dec *json.Decoder, kept *int) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("query result: \"rows\" must be an array, got %v", tok)
	}
	for dec.More() {
		var row []json.RawMessage
		if err := dec.Decode(&row); err != nil {
			return err
		}
		size := 0
		for _, cell := range row {
			size += len(cell) + 1
		}
		if *kept+size > maxQueryRowBytes {
			q.Truncated = true // read on, so fields after the rows still arrive, but keep nothing more
			continue
		}
		*kept += size
		q.Rows = append(q.Rows, row)
	}
	_, err = dec.Token() // the closing bracket
	return err
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %s, got %v", want, tok)
	}
	return nil
}
