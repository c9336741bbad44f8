package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
)

func TestFindByName(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		if r.URL.Query().Get("limit") != "200" {
			t.Errorf("limit = %q, want 200", r.URL.Query().Get("limit"))
		}
		w.Header().Set("X-Total-Count", "250")
		fmt.Fprint(w, "[")
		for i := offset; i < min(offset+200, 250); i++ {
			if i > offset {
				fmt.Fprint(w, ",")
			}
			fmt.Fprintf(w, `{"id":%d,"name":"Flow %d"}`, i+1, i+1)
		}
		fmt.Fprint(w, "]")
	})
	mux.HandleFunc("GET /rest/v1/flows/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id":%s,"name":"Flow %s"}`, r.PathValue("id"), r.PathValue("id"))
	})
	ctx := context.Background()
	got, err := c.Flows.FindByName(ctx, "Flow 230") // on the second page
	if err != nil || got.ID != 230 || got.Name != "Flow 230" {
		t.Fatalf("got %+v, %v", got, err)
	}
	got, err = c.Flows.FindByName(ctx, "flow 7")
	if err != nil || got.ID != 7 {
		t.Fatalf("case-insensitive match: %+v, %v", got, err)
	}
	_, err = c.Flows.FindByName(ctx, "Nope")
	var nf *NameNotFoundError
	if !errors.As(err, &nf) || nf.Kind != "flow" || len(nf.Names) != 250 {
		t.Fatalf("want NameNotFoundError listing 250 names, got %v", err)
	}
}

func TestClosest(t *testing.T) {
	names := []string{"Load orders from CSV", "Daily revenue rollup", "Sync CRM customers", "Export customers to CSV"}
	got := Closest("load orders", names, 2)
	if len(got) == 0 || got[0] != "Load orders from CSV" {
		t.Fatalf("closest = %v", got)
	}
	if got := Closest("zzzzzzzzzzzzzzzz", names, 3); len(got) != 0 {
		t.Fatalf("unrelated name got suggestions %v", got)
	}
}
