package sandbox

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// listenerCall sends a request to a user-defined endpoint with a raw Authorization value.
func (h *harness) listenerCall(method, path, auth, contentType, body string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func TestListeners(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var list []listener
	h.ok("GET", "/rest/v1/listeners", nil, &list)
	if len(list) != 2 {
		t.Fatalf("seeded listeners = %+v", list)
	}
	push, upload := list[0], list[1]
	if push.EndpointURL != h.srv.URL+"/rest/v1/httplistener/shopify/orders" || push.FlowID != 7 || strPtr(push.FlowName) != "Import Shopify orders" ||
		push.Properties["authType"] != "JWT" || push.Properties["method"] != "POST" || push.ListenerType != "listener.http" {
		t.Errorf("push listener = %+v", push)
	}
	if upload.Properties["authType"] != "Basic" || upload.Properties["urlPattern"] != "catalog/{partner}/upload" {
		t.Errorf("upload listener = %+v", upload)
	}

	t.Run("push with a bearer key", func(t *testing.T) {
		h := h.with(t)
		payload := `{"id": 820982911946154508, "total_price": "19.99"}`
		res := h.listenerCall("POST", "/rest/v1/httplistener/shopify/orders?store=main", "Bearer "+h.key, "application/json", payload)
		var rc execResponse
		if res.status != http.StatusOK {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		res.decode(t, &rc)
		if rc.FlowID != 7 || rc.Status != codeStarted || rc.AuditID == nil || rc.MessageUUID == nil || rc.Exception != nil {
			t.Fatalf("receipt = %+v", rc)
		}
		e := h.wait(7, *rc.AuditID)
		if strPtr(e.MessageID) != *rc.MessageUUID || e.User != "alice" {
			t.Errorf("execution = %+v", e)
		}
		var byMsg execution
		h.ok("GET", fmt.Sprintf("/rest/v1/executions/7?messageId=%s", *rc.MessageUUID), nil, &byMsg)
		if byMsg.AuditID != *rc.AuditID {
			t.Errorf("execution by message = %+v", byMsg)
		}
		if log := h.logOf(7, e.AuditID); !containsAll(log, "store=main", "total_price", "messageUuid="+*rc.MessageUUID) {
			t.Errorf("the run does not see the payload and query parameters:\n%s", log)
		}
		var msgs []message
		h.ok("GET", "/rest/v1/messages?flowId=7", nil, &msgs)
		if len(msgs) != 1 || msgs[0].ID != *rc.MessageUUID || *msgs[0].AuditID != *rc.AuditID || msgs[0].Status != e.Status ||
			msgs[0].Size != int64(len(payload)) || msgs[0].ContentType != "application/json" || *msgs[0].ListenerID != push.ID {
			t.Errorf("messages = %+v", msgs)
		}
		got := h.ok("GET", "/rest/v1/messages/"+*rc.MessageUUID+"/payload", nil, nil)
		if string(got.body) != payload || got.header.Get("Content-Type") != "application/json" {
			t.Errorf("payload = %q (%s)", got.body, got.header.Get("Content-Type"))
		}
		wantError(t, h.call("GET", "/rest/v1/messages/nope/payload", h.key, nil), http.StatusNotFound, "/rest/v1/messages/nope/payload")
	})

	t.Run("sync upload with basic auth", func(t *testing.T) {
		h := h.with(t)
		creds := h.sb.Credentials()
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(creds.Login+":"+creds.Password))
		res := h.listenerCall("PUT", "/rest/v1/httplistener/catalog/acme/upload", basic, "text/csv", "sku,name\nA1,Widget\n")
		var rc execResponse
		res.decode(t, &rc)
		if res.status != http.StatusOK || rc.Status != codeSuccess || rc.AuditID == nil || rc.FlowID != 4 {
			t.Fatalf("receipt %d = %+v", res.status, rc)
		}
		if log := h.logOf(4, *rc.AuditID); !strings.Contains(log, "partner=acme") {
			t.Errorf("the pattern variable is not a flow variable:\n%s", log)
		}
		wrong := "Basic " + base64.StdEncoding.EncodeToString([]byte(creds.Login+":nope"))
		for _, c := range []struct {
			method, path, auth string
			status             int
		}{
			{"PUT", "/rest/v1/httplistener/catalog/acme/upload", wrong, http.StatusUnauthorized},
			{"PUT", "/rest/v1/httplistener/catalog/acme/upload", "", http.StatusUnauthorized},
			{"PUT", "/rest/v1/httplistener/catalog/acme/upload", "Bearer " + h.key, http.StatusUnauthorized},
			{"POST", "/rest/v1/httplistener/catalog/acme/upload", basic, http.StatusMethodNotAllowed},
			{"POST", "/rest/v1/httplistener/shopify/orders", basic, http.StatusUnauthorized},
			{"POST", "/rest/v1/httplistener/nothing/here", "Bearer " + h.key, http.StatusNotFound},
		} {
			wantError(t, h.listenerCall(c.method, c.path, c.auth, "", ""), c.status, c.path)
		}
		if res := h.listenerCall("OPTIONS", "/rest/v1/httplistener/shopify/orders", "", "", ""); res.status != http.StatusNoContent {
			t.Errorf("CORS preflight: %d", res.status)
		}
	})

	t.Run("manage", func(t *testing.T) {
		h := h.with(t)
		var l listener
		h.ok("POST", "/rest/v1/listeners", map[string]any{"name": "Returns", "properties": map[string]string{
			"urlPattern": "/returns/{id}/", "method": "post", "authType": "jwt", "flowId": "1"}}, &l)
		if l.FlowID != 1 || l.Properties["urlPattern"] != "returns/{id}" || l.Properties["method"] != "POST" ||
			l.Properties["authType"] != "JWT" || l.Properties["flowId"] != "" || !strings.HasSuffix(l.EndpointURL, "/httplistener/returns/{id}") {
			t.Fatalf("created = %+v", l)
		}
		for _, c := range []struct {
			body any
			want string
		}{
			{map[string]any{"name": "x", "flowId": 1, "properties": map[string]string{"urlPattern": "returns/{rid}"}}, "is already used by listener"},
			{map[string]any{"name": "x", "flowId": 1, "properties": map[string]string{"urlPattern": "a b"}}, "properties.urlPattern"},
			{map[string]any{"name": "x", "properties": map[string]string{"urlPattern": "x"}}, "Field 'flowId' is required"},
			{map[string]any{"name": "x", "flowId": 1, "properties": map[string]string{"urlPattern": "x", "authType": "OAuth"}}, "properties.authType"},
			{map[string]any{"name": "returns", "flowId": 1, "properties": map[string]string{"urlPattern": "y"}}, "Field 'name'"},
		} {
			eb := wantError(t, h.call("POST", "/rest/v1/listeners", h.key, c.body), http.StatusBadRequest, "/rest/v1/listeners")
			if !strings.Contains(eb.Message, c.want) {
				t.Errorf("message %q does not contain %q", eb.Message, c.want)
			}
		}
		path := fmt.Sprintf("/rest/v1/listeners/%d", l.ID)
		h.ok("PUT", path, map[string]any{"description": "Return requests", "properties": map[string]string{"processing": "sync"}}, &l)
		if l.Description != "Return requests" || l.Properties["urlPattern"] != "returns/{id}" || l.Properties["processing"] != "sync" {
			t.Errorf("updated = %+v", l)
		}
		var del deletedArtifact
		h.ok("DELETE", path, nil, &del)
		if del.ArtifactType != "listener" || del.RecycleBinID == 0 {
			t.Errorf("delete = %+v", del)
		}
		wantError(t, h.listenerCall("POST", "/rest/v1/httplistener/returns/5", "Bearer "+h.key, "", ""), http.StatusNotFound,
			"/rest/v1/httplistener/returns/5")
		if n := len(h.auditOf("object=listener:" + fmt.Sprint(l.ID))); n != 3 {
			t.Errorf("%d audit events for the listener, want add, edit and delete", n)
		}
	})
}
