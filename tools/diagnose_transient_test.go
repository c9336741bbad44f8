package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/client"
)

// The causes a failure's text is filed under: throttling, 429/503, read timeouts and resets are
// transient; a host that cannot be reached is connectivity.
func TestClassifyTransient(t *testing.T) {
	for _, c := range []struct{ text, category, kind string }{
		{"S3Exception: Please reduce your request rate. (Service: S3, Status Code: 503, Error Code: SlowDown)", "transient", "throttling"},
		{"HTTP 429 Too Many Requests returned by https://x.myshopify.com: Exceeded 2 calls per second", "transient", "throttling"},
		{"ThrottlingException: Rate exceeded", "transient", "throttling"},
		{"HTTP 503 Service Unavailable returned by https://api.example.com", "transient", "service unavailable"},
		{"java.net.SocketTimeoutException: Read timed out", "transient", "timeout"},
		{"java.net.SocketException: Connection reset", "transient", "connection reset"},
		{"[SQLITE_BUSY] The database file is locked (database is locked)", "transient", "busy database"},
		{"Connection timed out (Connection timed out) connecting to ftp.acme-legacy.example:21", "connectivity", ""},
		{"java.net.ConnectException: Connection refused", "connectivity", ""},
		{"Access Denied (Service: S3, Status Code: 403)", "credentials", ""},
		{"no such column: amount_usd", "SQL", ""},
	} {
		got := "unknown"
		for _, p := range causePatterns {
			if p.re.MatchString(c.text) {
				got = p.category
				break
			}
		}
		if got != c.category || (c.kind != "" && transientKind(c.text) != c.kind) {
			t.Errorf("%q: %s (%s), want %s (%s)", c.text, got, transientKind(c.text), c.category, c.kind)
		}
	}
}

// The evidence keeps the exception and each "Caused by:" as one line, never a frame, and says a
// repeated message once with its count.
func TestFirstErrorWithoutFrames(t *testing.T) {
	log := []string{
		"2026-12-01 05:00:01.100 INFO  Reading CSV file 'orders.csv'",
		"2026-12-01 05:00:02.200 INFO  Writing CSV file 'archive/orders.csv' to 'S3 archive'",
		"2026-12-01 05:00:03.300 ERROR Upload failed: Please reduce your request rate.",
		"2026-12-01 05:00:04.300 ERROR Upload failed: Please reduce your request rate.",
		"2026-12-01 05:00:05.300 ERROR Upload failed: Please reduce your request rate.",
		"com.toolsverse.etl.exception.EtlException: Upload failed: Please reduce your request rate.",
		"\tat com.toolsverse.etl.connector.s3.S3Connector.put(S3Connector.java:241)",
		"\tat com.toolsverse.etl.core.engine.EtlProcess.execute(EtlProcess.java:653)",
		"Caused by: software.amazon.awssdk.services.s3.model.S3Exception: Slow Down (Status Code: 503)",
		"\tat software.amazon.awssdk.core.internal.http.CombinedResponseHandler.handle(CombinedResponseHandler.java:125)",
		"\t... 12 more",
		"2026-12-01 05:00:06.000 INFO  Flow finished with status ERROR. Records processed: 0. Duration: 5.0 s",
	}
	got := firstErrorInContext(log)
	want := []string{
		"1: 2026-12-01 05:00:01.100 INFO  Reading CSV file 'orders.csv'",
		"2: 2026-12-01 05:00:02.200 INFO  Writing CSV file 'archive/orders.csv' to 'S3 archive'",
		"3: 2026-12-01 05:00:03.300 ERROR Upload failed: Please reduce your request rate. (×4)",
		"9: Caused by: software.amazon.awssdk.services.s3.model.S3Exception: Slow Down (Status Code: 503)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("evidence:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// diagnoseEnv is what the transient-failure test needs of either test harness.
type diagnoseEnv struct {
	api  *client.Client
	call func(name string, args map[string]any) (string, bool)
}

// TestDiagnoseTransientS3 files S3's "503 Slow Down" under transient with retry advice, and says
// whether the run after it succeeded, on both sandbox profiles.
func TestDiagnoseTransientS3(t *testing.T) {
	for _, profile := range []string{"extended", "documented"} {
		t.Run(profile, func(t *testing.T) {
			var de diagnoseEnv
			if profile == "extended" {
				e := newEnv(t)
				de = diagnoseEnv{api: e.api, call: e.call}
			} else {
				e := newDocumentedEnv(t)
				de = diagnoseEnv{api: e.api, call: func(name string, args map[string]any) (string, bool) { return e.call(t, name, args) }}
			}
			checkTransientS3(t, de)
		})
	}
}

func checkTransientS3(t *testing.T, de diagnoseEnv) {
	ctx := context.Background()
	body, _ := json.Marshal(map[string]any{"name": "Archive returns to S3", "flowType": "file-to-file",
		"properties": map[string]string{"x-standin-outcome": "error",
			"x-standin-error": "Slow Down: Please reduce your request rate. (Service: S3, Status Code: 503, Error Code: SlowDown, Request ID: 4N8Q2X)"},
		"transformations": []any{map[string]any{"name": "orders.csv -> S3", "enabled": true, "mode": "replace",
			"source":      map[string]any{"connection": "Staging files", "object": "orders.csv", "format": "CSV"},
			"destination": map[string]any{"connection": "S3 archive", "object": "archive/returns.csv"}}}})
	raw, _, err := de.api.Flows.Create(ctx, body)
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal(raw, &created)
	run := func() int64 {
		text, isErr := de.call("run_flow", map[string]any{"flow": created.ID, "wait": true})
		var r struct {
			RunID int64 `json:"run_id"`
		}
		if err := json.Unmarshal([]byte(text), &r); err != nil || r.RunID == 0 {
			t.Fatalf("run_flow: %v %s", isErr, text)
		}
		return r.RunID
	}
	failed := run()
	var dg diagnosis
	diag := func(runID int64) string {
		text, isErr := de.call("diagnose_run", map[string]any{"flow": created.ID, "run_id": runID})
		if isErr {
			t.Fatalf("diagnose_run: %s", text)
		}
		dg = diagnosis{}
		decode(t, text, &dg)
		return text
	}
	text := diag(failed)
	if dg.Cause == nil || dg.Cause.Category != "transient" || !strings.HasPrefix(dg.Cause.Summary, "throttling") {
		t.Fatalf("want a transient cause: %s", text)
	}
	evidence := strings.Join(append(dg.FirstError, dg.Cause.Evidence...), "\n")
	mustContain(t, evidence, "Please reduce your request rate", "(×2)")
	if strings.Contains(evidence, "\tat ") || strings.Contains(evidence, ".java:") || dg.Instance != nil {
		t.Errorf("frames in the evidence, or an S3 503 taken for an outage of the instance: %s", text)
	}
	if dg.NextRun != "no run has started since this one" || !strings.Contains(dg.Next, fmt.Sprintf(`{"tool":"run_flow","arguments":{"flow":%d,"wait":true}}`, created.ID)) {
		t.Errorf("retry advice with no later run: %q / %q", dg.NextRun, dg.Next)
	}

	fix, _ := json.Marshal(map[string]any{"name": "Archive returns to S3", "flowType": "file-to-file",
		"properties": map[string]string{"x-standin-outcome": "success"}, "transformations": []any{map[string]any{"name": "orders.csv -> S3",
			"enabled": true, "mode": "replace", "source": map[string]any{"connection": "Staging files", "object": "orders.csv", "format": "CSV"},
			"destination": map[string]any{"connection": "S3 archive", "object": "archive/returns.csv"}}}})
	if _, _, err := de.api.Flows.Update(ctx, created.ID, fix); err != nil {
		t.Fatal(err)
	}
	healed := run()
	text = diag(failed)
	if !strings.HasPrefix(dg.NextRun, fmt.Sprintf("the next run %d (", healed)) || !strings.Contains(dg.NextRun, "succeeded with") ||
		!strings.HasPrefix(dg.Next, "nothing to fix") {
		t.Errorf("the run after it succeeded: %s", text)
	}
}
