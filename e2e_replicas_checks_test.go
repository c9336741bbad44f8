package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// checkRunsAudited reads the Etlworks audit trail (as the Administrator) and checks every run a
// client started is there as a runFlow event under the user whose key started it, and that no
// flow a Viewer tried to run was run at all, by anyone's key.
func checkRunsAudited(t *testing.T, etlworksURL, adminKey string, since time.Time, users []loadUser, results []loadResult) {
	t.Helper()
	byRun := map[int64]string{}
	for offset := 0; ; {
		var page []struct {
			User    string `json:"ur"`
			Payload struct {
				AuditID  int64  `json:"auditId"`
				FlowName string `json:"flowName"`
			} `json:"payload"`
		}
		auditGet(t, etlworksURL, adminKey, fmt.Sprintf("method=runFlow&from=%d&limit=200&offset=%d", since.UnixMilli(), offset), &page)
		for _, ev := range page {
			byRun[ev.Payload.AuditID] = ev.User
			for _, u := range users {
				if u.viewer && (ev.User == u.name || ev.Payload.FlowName == u.flow) {
					t.Errorf("run %d of %q by %s: the Viewer %s's run was carried out", ev.Payload.AuditID, ev.Payload.FlowName, ev.User, u.name)
				}
			}
		}
		if len(page) < 200 {
			break
		}
		offset += len(page)
	}
	for _, u := range users {
		if !u.viewer {
			continue
		}
		// Nothing the Viewer asked for happened, under any name: no event of the Viewer's and no
		// delete of the Viewer's flow is in the audit trail.
		var events []struct {
			Method string `json:"md"`
		}
		auditGet(t, etlworksURL, adminKey, fmt.Sprintf("user=%s&from=%d&limit=200", u.name, since.UnixMilli()), &events)
		for _, ev := range events {
			t.Errorf("the Viewer %s's %s is in the audit trail", u.name, ev.Method)
		}
		var deletes []struct {
			Name *string `json:"objectName"`
		}
		auditGet(t, etlworksURL, adminKey, fmt.Sprintf("method=deleteFlow&from=%d&limit=200", since.UnixMilli()), &deletes)
		for _, ev := range deletes {
			if ev.Name != nil && *ev.Name == u.flow {
				t.Errorf("the flow %q the Viewer %s tried to delete was deleted", u.flow, u.name)
			}
		}
	}
	runs := 0
	for i, r := range results {
		for _, id := range r.runs {
			runs++
			if who, ok := byRun[id]; !ok {
				t.Errorf("run %d of %s is not in the audit trail", id, users[i].name)
			} else if who != users[i].name {
				t.Errorf("run %d started with %s's key is in the audit trail under %q", id, users[i].name, who)
			}
		}
	}
	if runs == 0 {
		t.Error("no run was started")
	}
	if len(byRun) != runs {
		t.Errorf("the audit trail has %d runs since the test began, the clients started %d", len(byRun), runs)
	}
}

// confirmAcrossReplicas asks one replica for confirmations and answers them on others, each
// replica addressed directly: a delete (bound to the flow's state) goes through on a second
// replica and cannot be replayed on a third; an SQL write (no state to bind to) is bound to the
// replica that issued it and refused elsewhere.
func confirmAcrossReplicas(t *testing.T, replicas []*replica, key string) {
	t.Helper()
	ctx := t.Context()
	sessions := make([]*mcpSession, len(replicas))
	for i, r := range replicas {
		s, err := dialMCP(ctx, r.URL, key, false)
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { s.c.Close() })
		sessions[i] = s
	}
	token := func(s *mcpSession, tool string, args map[string]any) string {
		t.Helper()
		text, err := s.ok(ctx, tool, args)
		if err != nil {
			t.Fatal(err)
		}
		var ask struct {
			Status string `json:"status"`
			Token  string `json:"confirm_token"`
		}
		if json.Unmarshal([]byte(text), &ask) != nil || ask.Status != "confirmation_required" || ask.Token == "" {
			t.Fatalf("%s must ask for confirmation first: %s", tool, text)
		}
		return ask.Token
	}
	del := map[string]any{"flow": "Legacy FTP order import"}
	delToken := token(sessions[0], "delete_flow", del)
	if out, err := sessions[1].ok(ctx, "delete_flow", plus(del, delToken)); err != nil || !strings.Contains(out, `"deleted"`) {
		t.Fatalf("a delete confirmed on another replica: %v %s", err, out)
	}
	if _, isErr, err := sessions[2].call(ctx, "delete_flow", plus(del, delToken)); err != nil || !isErr {
		t.Errorf("a used delete token replayed on a third replica: %v (error result %v)", err, isErr)
	}
	if _, err := sessions[2].ok(ctx, "restore_deleted", map[string]any{"item": "Legacy FTP order import"}); err != nil {
		t.Fatal(err)
	}

	sql := map[string]any{"connection": "Warehouse", "sql": "DELETE FROM orders"}
	sqlToken := token(sessions[0], "run_sql", sql)
	text, isErr, err := sessions[1].call(ctx, "run_sql", plus(sql, sqlToken))
	if err != nil || !isErr || !strings.Contains(text, "another server instance") {
		t.Errorf("an SQL-write token on another replica: %v %v %s", err, isErr, text)
	}
}

// checkUnauthorized: through the balancer, a request without a key gets 401 with a Bearer
// challenge, whichever replica answers.
func checkUnauthorized(t *testing.T, url string) {
	t.Helper()
	for range 3 {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("a request without a key: %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
}

// auditGet reads one page of the Etlworks audit trail with query as the Administrator.
func auditGet(t *testing.T, etlworksURL, adminKey, query string, out any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, etlworksURL+"/v1/audit?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("audit trail ?%s: %s", query, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("audit trail ?%s: %v", query, err)
	}
}
