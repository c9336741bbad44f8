package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestDemoUsersActAsThemselves checks Credentials.Users: one key per role, each key acting as its
// user, and the role checks applied to each key with a message naming the role needed.
func TestDemoUsersActAsThemselves(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	users := h.sb.Credentials().Users
	want := []DemoUser{{Login: "alice", Role: "Administrator"}, {Login: "bob", Role: "Operator"},
		{Login: "carol", Role: "Editor"}, {Login: "victor", Role: "Viewer"}}
	if len(users) != len(want) {
		t.Fatalf("Users = %d, want %d", len(users), len(want))
	}
	keys := map[string]string{}
	for i, u := range users {
		if u.Login != want[i].Login || u.Role != want[i].Role || len(u.APIKey) != apiKeyLength || u.APIKey != h.userKey(u.Login) {
			t.Errorf("user %d = %s %s (key %d chars), want %s %s", i, u.Login, u.Role, len(u.APIKey), want[i].Login, want[i].Role)
		}
		keys[u.Login] = u.APIKey
	}
	if users[0].APIKey != h.sb.Credentials().APIKey {
		t.Error("the first user is not the demo login")
	}
	flow := h.flowID("Daily revenue rollup")
	path := fmt.Sprintf("/rest/v1/flows/%d/run", flow)
	res := h.call("POST", path, keys["victor"], nil)
	eb := wantError(t, res, http.StatusForbidden, path)
	for _, part := range []string{"victor", "Viewer", "Operator role or higher"} {
		if !strings.Contains(eb.Message, part) {
			t.Errorf("refusal %q does not name %q", eb.Message, part)
		}
	}
	res = h.call("POST", path, keys["bob"], nil)
	if res.status != http.StatusOK {
		t.Fatalf("bob's run: %d %s", res.status, res.body)
	}
	var run struct {
		AuditID int64 `json:"auditId"`
	}
	res.decode(t, &run)
	if ex := h.wait(flow, run.AuditID); ex.User != "bob" {
		t.Errorf("bob's run is recorded under %q", ex.User)
	}
}
