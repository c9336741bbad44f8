package client

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestExplorerService_Objects(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/explorer/2/objects", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAPIHeaders(t, r)
		testFormValues(t, r, values{"type": "table", "pattern": "ord*"})
		w.Header().Set("X-Total-Count", "1")
		fmt.Fprint(w, `[{"name":"orders","type":"table","schema":"main"}]`)
	})
	raw, resp, err := client.Explorer.Objects(t.Context(), 2, &ObjectListOptions{Type: "table", Pattern: "ord*"})
	if err != nil {
		t.Fatal(err)
	}
	testJSONEqual(t, "objects", raw, `[{"name":"orders","type":"table","schema":"main"}]`)
	if resp.Total != 1 {
		t.Errorf("Total = %d", resp.Total)
	}
}

func TestExplorerService_Columns(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/explorer/2/objects/{name}/columns", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		fmt.Fprintf(w, `[{"name":%q,"type":"TEXT","nullable":true,"size":null}]`, r.PathValue("name"))
	})
	for _, object := range []string{"orders", "exports/revenue report.csv", "a?b#c%d"} {
		raw, _, err := client.Explorer.Columns(t.Context(), 2, object)
		if err != nil {
			t.Fatalf("%s: %v", object, err)
		}
		want, _ := json.Marshal(object)
		testJSONEqual(t, object, raw, `[{"name":`+string(want)+`,"type":"TEXT","nullable":true,"size":null}]`)
	}
	if _, _, err := client.Explorer.Columns(t.Context(), 2, ""); err == nil {
		t.Error("an empty object must fail before sending")
	}
}

func TestExplorerService_Data(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/explorer/1/data", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testFormValues(t, r, values{"object": "orders", "limit": "5", "formatId": "3"})
		fmt.Fprint(w, `{"columns":[{"name":"id","type":"INTEGER"},{"name":"note","type":"TEXT"}],
			"rows":[[9007199254740993,"a"],[2,null]],"rowCount":120,"truncated":true,"durationMs":4}`)
	})
	got, _, err := client.Explorer.Data(t.Context(), 1, &DataOptions{Object: "orders", Limit: 5, FormatID: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Columns) != 2 || got.Columns[1] != (QueryColumn{Name: "note", Type: "TEXT"}) {
		t.Errorf("columns %+v", got.Columns)
	}
	if string(got.Rows[0][0]) != "9007199254740993" || string(got.Rows[1][1]) != "null" {
		t.Errorf("cells must stay raw: %s %s", got.Rows[0][0], got.Rows[1][1])
	}
	if !got.Truncated || got.RowCount != 120 || got.DurationMs != 4 {
		t.Errorf("got %+v", got)
	}
	if _, _, err := client.Explorer.Data(t.Context(), 1, &DataOptions{}); err == nil {
		t.Error("no object must fail before sending")
	}
}

func TestExplorerService_SQL(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/explorer/1/sql", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testHeader(t, r, "Content-Type", "application/json")
		b, _ := io.ReadAll(r.Body)
		switch {
		case strings.Contains(string(b), "boom"):
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":400,"error":"Bad Request","message":"no such column: boom"}`)
		case strings.Contains(string(b), "allowWrites"):
			testJSONEqualBytes(t, b, `{"sql":"DELETE FROM t","allowWrites":true}`)
			fmt.Fprint(w, `{"columns":[],"rows":[],"rowCount":0,"truncated":false,"durationMs":1,"rowsAffected":3}`)
		default:
			testJSONEqualBytes(t, b, `{"sql":"SELECT 1 AS n","maxRows":100}`)
			fmt.Fprint(w, `{"columns":[{"name":"n","type":"INTEGER"}],"rows":[[1]],"rowCount":1,"truncated":false,"durationMs":1}`)
		}
	})
	got, _, err := client.Explorer.SQL(t.Context(), 1, &SQLRequest{SQL: "SELECT 1 AS n", MaxRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 1 || string(got.Rows[0][0]) != "1" || got.RowCount != 1 {
		t.Errorf("got %+v", got)
	}
	got, _, err = client.Explorer.SQL(t.Context(), 1, &SQLRequest{SQL: "DELETE FROM t", AllowWrites: true})
	if err != nil || got.RowsAffected == nil || *got.RowsAffected != 3 {
		t.Fatalf("write: %+v %v", got, err)
	}
	_, _, err = client.Explorer.SQL(t.Context(), 1, &SQLRequest{SQL: "SELECT boom"})
	if e := apiErrorOf(t, err); e.Status != 400 || e.Message != "no such column: boom" {
		t.Errorf("error %+v", e)
	}
	if _, _, err := client.Explorer.SQL(t.Context(), 1, &SQLRequest{SQL: "  "}); err == nil {
		t.Error("empty SQL must fail before sending")
	}
}

func TestExplorerService_Upload(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/explorer/2/upload", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testHeader(t, r, "Authorization", "Bearer "+testKey)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatalf("not multipart: %v (Content-Type %q)", err, r.Header.Get("Content-Type"))
		}
		if got := r.FormValue("path"); got != "incoming" {
			t.Errorf("path %q", got)
		}
		f, h, err := r.FormFile("file")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f)
		if h.Filename != "x.csv" || string(b) != "a,b\n1,2\n" {
			t.Errorf("file %q %q", h.Filename, b)
		}
		fmt.Fprint(w, `{"path":"incoming/x.csv","size":8,"uploaded":1764000000000,"replaced":true}`)
	})
	got, _, err := client.Explorer.Upload(t.Context(), 2, "x.csv", strings.NewReader("a,b\n1,2\n"), &UploadOptions{Path: "incoming"})
	if err != nil {
		t.Fatal(err)
	}
	if *got != (Uploaded{Path: "incoming/x.csv", Size: 8, Uploaded: 1764000000000, Replaced: true}) {
		t.Errorf("got %+v", got)
	}
	if _, _, err := client.Explorer.Upload(t.Context(), 2, "", strings.NewReader(""), nil); err == nil {
		t.Error("an empty name must fail before sending")
	}
}

func TestExplorerService_Files(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/explorer/2/files", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testFormValues(t, r, values{"path": "exports"})
		fmt.Fprint(w, `[{"name":"revenue_report.csv","size":10}]`)
	})
	raw, _, err := client.Explorer.Files(t.Context(), 2, "exports")
	if err != nil {
		t.Fatal(err)
	}
	testJSONEqual(t, "files", raw, `[{"name":"revenue_report.csv","size":10}]`)
}

func testJSONEqualBytes(t *testing.T, got []byte, want string) {
	t.Helper()
	testJSONEqual(t, "body", got, want)
}
