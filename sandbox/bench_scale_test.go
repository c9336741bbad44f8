package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkGetFlowByID measures the sandbox's own GET /v1/flows/{id} of the last flow at 12 (the
// demo tenant) and 10,000 flows, over loopback HTTP:
//
//	go test -run '^$' -bench GetFlowByID -benchtime 2s ./sandbox
func BenchmarkGetFlowByID(b *testing.B) {
	for _, n := range []int{12, 10000} {
		b.Run(fmt.Sprintf("flows=%d", n), func(b *testing.B) {
			sb, err := New(Options{RunStep: testStep, SeedFlows: n - 12})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(sb.Handler())
			b.Cleanup(func() {
				srv.Close()
				_ = sb.Close()
			})
			req, err := http.NewRequest("GET", fmt.Sprintf("%s/rest/v1/flows/%d", srv.URL, n), nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+sb.Credentials().APIKey)
			hc := srv.Client()
			for b.Loop() {
				res, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("GET flow %d: %d", n, res.StatusCode)
				}
			}
		})
	}
}
