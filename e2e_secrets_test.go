package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/sandbox"
)

// plant collects distinct secrets, each a fresh random value, and the texts that carry them.
type plant struct {
	values []string
}

// secret returns a new secret of the given alphabet: "" for letters, digits and '-'.
func (p *plant) secret(tag string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	v := tag + hex.EncodeToString(b) + "Q7"
	p.values = append(p.values, v)
	return v
}

// upper returns a new secret of n upper-case letters and digits (AWS key ids).
func (p *plant) upper(n int) string {
	const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = abc[int(b[i])%len(abc)]
	}
	return string(b)
}

func (p *plant) add(v string) string { p.values = append(p.values, v); return v }

// secretKeyNames are property names that hold credentials, in the spellings real connectors and
// flows use.
var secretKeyNames = []string{"password", "Password", "PASSWORD", "db_password", "dbPassword", "passwd", "pwd", "db_pwd", "DB-PWD",
	"passphrase", "ssh_passphrase", "sshPassphrase", "secret", "client_secret", "clientSecret", "client secret", "token", "access_token",
	"refreshToken", "refresh_token", "api_key", "apiKey", "API-KEY", "x-api-key", "access_key", "aws_access_key",
	"aws_secret_access_key", "AccessKey", "private_key", "privateKey", "connection_string", "connectionString", "cookie",
	"Cookie", "key", "db_key", "sshKey", "sig", "sas", "sas_token", "credential", "credentials", "authorization",
	"Authorization", "pass", "db_pass", "basic_auth", "signature", "session_id", "encryptionKey"}

// freeText returns lines that carry secrets in every common shape of free text, with variants
// of case, separators and quoting.
func (p *plant) freeText(apiKey string) []string {
	jwtBody := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"` + p.secret("jwt") + `"}`))
	jwt := p.add("eyJhbGciOiJIUzI1NiJ9." + jwtBody + "." + p.secret("Sg"))
	basic := p.add(base64.StdEncoding.EncodeToString([]byte("etl:" + p.secret("bas"))))
	akia := p.add("AKIA" + p.upper(16))
	return []string{
		"GET https://admin:" + p.secret("url") + "@api.example.com/v1/orders failed",
		"jdbc:postgresql://etl:" + p.secret("pg") + "@pg.internal:5432/warehouse",
		"Authorization: Basic " + basic,
		`"authorization": "Bearer ` + p.secret("bear") + `"`,
		"curl -H 'bearer " + p.secret("bear") + "' https://api.example.com",
		"sqlplus scott/" + p.secret("ora") + "@orcl",
		"url=jdbc:oracle:thin:scott/" + p.secret("ora") + "@//db.internal:1521/svc",
		"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=" + p.secret("az") + "+/ab==;EndpointSuffix=core.windows.net",
		"Server=sql1;Database=dw;User Id=etl;Password=" + p.secret("cs") + ";",
		"DRIVER={ODBC};UID=etl;PWD={" + p.secret("odbc") + "};",
		"Pwd = '" + p.secret("pw") + "'",
		"login pass=" + p.secret("pass") + " ok",
		"aws_secret_access_key=" + p.secret("aws") + "/K7MDENG",
		"AWS_SECRET_ACCESS_KEY: " + p.secret("aws"),
		"https://acme.blob.core.windows.net/c/f.csv?sv=2022-11-02&sig=" + p.secret("sas") + "%2F&se=2030",
		"key id " + akia + " rejected",
		"GET https://maps.example.com/api?api_key=" + p.secret("qk") + "&q=1",
		"https://api.example.com/x?token=" + p.secret("qt"),
		"Google key AIza" + p.secret("gg") + "abcdefghijklmnopqrs",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIE" + p.secret("pem") + "\n-----END RSA PRIVATE KEY-----",
		"JWT " + jwt,
		`{"password": "` + p.secret("js") + `", "client_secret":"` + p.secret("js") + `"}`,
		`PASSWORD = ` + p.secret("sp"),
		"X-Api-Key: " + p.secret("hk"),
		"Cookie: session=" + p.secret("ck"),
		"clone https://ghp_" + p.secret("gh") + "abcdefghijklmnop@github.com/acme/etl",
		"the server's own key " + apiKey + " and (" + apiKey + ")",
	}
}

// api calls the sandbox's REST API as a real client would, to plant data.
func api(t *testing.T, base, key, method, path string, body any, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// TestNoPlantedSecretLeaks plants distinct secrets under every secret-looking key and in every
// free-text shape into flows, connections and run logs of a sandbox, through its REST API, then
// calls every tool, reads every resource and gets every prompt of a server configured like one
// against a real Etlworks (ETLWORKS_URL and ETLWORKS_API_KEY) with debug logging: no result,
// notification or log line may hold a planted value, the server's API key or an x-standin-*
// property.
func TestNoPlantedSecretLeaks(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sb, err := sandbox.Start(ctx, "", sandbox.Options{RunStep: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	creds := sb.Sandbox.Credentials()
	p := &plant{}
	text := p.freeText(creds.APIKey)
	block := strings.Join(text, "\n")

	// A connection with secrets under every key name, in its URL and headers and description.
	props := map[string]string{
		"field.connection.template.url":      "https://svc:" + p.secret("cu") + "@api.example.com/v2?api_key=" + p.secret("cq") + "&limit=5",
		"field.connection.template.headers":  "Authorization: Bearer " + p.secret("ch") + "; Cookie: sid=" + p.secret("cc"),
		"field.connection.template.authType": "header",
	}
	flowProps := map[string]string{"x-standin-outcome": "warning", "x-standin-records": "3",
		"x-standin-warning": strings.ReplaceAll(block, "\n", " | ")}
	for i, k := range secretKeyNames {
		props["field.connection.template."+k] = p.secret(fmt.Sprintf("c%02d", i))
		flowProps[k] = p.secret(fmt.Sprintf("f%02d", i))
	}
	var conn struct {
		ID int64 `json:"id"`
	}
	api(t, sb.URL, creds.APIKey, "POST", "/v1/connections", map[string]any{"name": "Planted API", "connectionType": "connection.http",
		"description": block, "properties": props, "tags": []string{"planted"}}, &conn)

	step := func(dst string) map[string]any {
		return map[string]any{"name": "planted -> " + dst, "enabled": true, "mode": "replace",
			"source":      map[string]any{"connectionId": conn.ID, "object": "/orders?access_token=" + p.secret("so"), "format": "JSON"},
			"destination": map[string]any{"connection": "Warehouse", "object": dst}}
	}
	flows := map[string]map[string]any{
		"Planted warning": {"flowType": "api-to-database", "description": block, "properties": flowProps,
			"transformations": []any{step("planted_warning")}},
		"Planted error": {"flowType": "api-to-database", "description": "fails",
			"properties":      map[string]string{"x-standin-outcome": "error", "x-standin-error": strings.ReplaceAll(block, "\n", " ; ")},
			"transformations": []any{step("planted_error")}},
		"Planted SQL": {"flowType": "execute-sql", "description": "runs SQL",
			"transformations": []any{map[string]any{"name": "planted sql", "enabled": true,
				"source": map[string]any{"connection": "Warehouse", "sql": "-- " + text[0] + "\n-- " + text[9] + "\nSELECT 1"}}}},
	}
	ids := map[string]int64{}
	for name, body := range flows {
		body["name"] = name
		var f struct {
			ID int64 `json:"id"`
		}
		api(t, sb.URL, creds.APIKey, "POST", "/v1/flows", body, &f)
		ids[name] = f.ID
		var run struct {
			AuditID int64 `json:"auditId"`
		}
		api(t, sb.URL, creds.APIKey, "POST", fmt.Sprintf("/v1/flows/%d/run", f.ID), map[string]string{}, &run)
		for deadline := time.Now().Add(10 * time.Second); ; {
			var e struct {
				Status string `json:"status"`
			}
			api(t, sb.URL, creds.APIKey, "GET", fmt.Sprintf("/v1/executions/%d?auditId=%d", f.ID, run.AuditID), nil, &e)
			if e.Status != "running" && e.Status != "queued" && e.Status != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run of %s did not end", name)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// The secrets reach the API in clear, as real data would: the test would prove nothing otherwise.
	var raw bytes.Buffer
	for _, path := range []string{fmt.Sprintf("/v1/flows/%d", ids["Planted warning"]), fmt.Sprintf("/v1/connections/%d", conn.ID),
		fmt.Sprintf("/v1/executions/%d", ids["Planted warning"])} {
		var v json.RawMessage
		api(t, sb.URL, creds.APIKey, "GET", path, nil, &v)
		raw.Write(v)
	}
	for _, v := range []string{flowProps["db_pwd"], props["field.connection.template.cookie"], text[0], creds.APIKey} {
		if !strings.Contains(raw.String(), v) {
			t.Fatalf("the sandbox did not return planted value %q in clear; the sweep would prove nothing", v)
		}
	}

	// The server, configured as against a real Etlworks, with debug logs captured.
	env := map[string]string{"ETLWORKS_URL": sb.URL, "ETLWORKS_API_KEY": creds.APIKey}
	cfg, err := loadConfig([]string{"--log-level", "debug"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	app, srv, _, err := start(ctx, cfg, streams{out: io.Discard, err: logs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.close()
	c, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var seen lockedBuffer // everything the client received
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		b, _ := json.Marshal(n)
		seen.Write(b)
	})
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "sweep", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	record := func(what string, v any, err error) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(&seen, "%s: %s", what, b)
		if err != nil {
			fmt.Fprintf(&seen, " error: %v", err)
		}
		seen.WriteString("\n")
	}

	warn, fail := "Planted warning", "Planted error"
	newSecret := p.secret("model")
	calls := map[string][]map[string]any{
		"list_flows":     {{}, {"query": "Planted"}},
		"get_flow":       {{"flow": warn}, {"flow": fail}, {"flow": "Planted SQL"}},
		"explain_flow":   {{"flow": warn}, {"flow": "Planted SQL"}},
		"run_flow":       {{"flow": warn, "wait": true, "timeout_seconds": 30}, {"flow": fail, "wait": true, "timeout_seconds": 30}},
		"stop_flow":      {{"flow": warn}},
		"list_runs":      {{}, {"flow": warn}, {"status": "error"}},
		"get_run":        {{"flow": warn}, {"flow": fail}},
		"get_run_log":    {{"flow": warn}, {"flow": fail, "errors_only": true}, {"flow": warn, "grep": "WARN"}, {"flow": "Planted SQL"}},
		"diagnose_run":   {{"flow": fail}, {"flow": warn}},
		"create_flow":    {{"name": "Planted copy", "copy_from": warn, "dry_run": true}, {"name": "Planted copy", "copy_from": warn}},
		"update_flow":    {{"flow": warn, "set": map[string]any{"description": "changed", "properties.db_pwd": newSecret}, "dry_run": true}},
		"delete_flow":    {{"flow": "Planted copy"}},
		"list_schedules": {{}},
		"create_schedule": {{"flow": warn, "cron": "0 0 5 * * ?", "name": "Planted schedule", "dry_run": true,
			"params": map[string]any{"api_key": p.secret("sp"), "note": "password=" + p.secret("sn")}},
			{"flow": warn, "cron": "0 0 5 * * ?", "name": "Planted schedule",
				"params": map[string]any{"api_key": p.secret("sp"), "note": "password=" + p.secret("sn")}}},
		"update_schedule": {{"schedule": "Planted schedule", "enabled": false, "dry_run": true}},
		"delete_schedule": {{"schedule": "Planted schedule"}},
		"list_webhooks":   {{}},
		"create_webhook": {{"name": "Planted hook", "url": "http://127.0.0.1:9/hook?token=" + p.secret("wt"), "events": []string{"Flow.Failed"},
			"secret": p.secret("ws"), "dry_run": true}, {"name": "Planted hook", "url": "http://127.0.0.1:9/hook?token=" + p.secret("wt"), "events": []string{"Flow.Failed"},
			"secret": p.secret("ws")}},
		"delete_webhook":       {{"webhook": "Planted hook"}},
		"list_listeners":       {{}},
		"search_audit":         {{}, {"result": "error"}, {"object": "Planted API"}},
		"list_deleted":         {{}},
		"restore_deleted":      {{"item": "Planted copy"}},
		"list_connections":     {{}, {"query": "Planted"}},
		"get_connection":       {{"connection": "Planted API"}},
		"test_connection":      {{"connection": "Planted API"}},
		"list_connector_types": {{"query": "http"}},
		"create_connection": {{"name": "Planted new", "type": "connection.http", "dry_run": true,
			"properties": map[string]any{"url": "https://u:" + p.secret("nu") + "@h.example.com", "password": p.secret("np"), "api_key": p.secret("nk")}},
			{"name": "Planted new", "type": "connection.http",
				"properties": map[string]any{"url": "https://u:" + p.secret("nu") + "@h.example.com", "password": p.secret("np"), "api_key": p.secret("nk")}}},
		"update_connection": {{"connection": "Planted API", "properties": map[string]any{"token": p.secret("ut"), "host": "h"}, "dry_run": true}},
		"delete_connection": {{"connection": "Planted new"}},
		"get_oauth_url":     {{"connection": "Planted API", "provider": "google"}},
		"list_objects":      {{"connection": "Warehouse"}},
		"describe_object":   {{"connection": "Warehouse", "object": "planted_warning"}},
		"preview_data":      {{"connection": "Warehouse", "object": "planted_warning"}, {"connection": "Staging files", "object": "planted.csv"}},
		"run_sql":           {{"connection": "Warehouse", "sql": "SELECT * FROM planted_warning"}},
		"upload_file":       {{"connection": "Staging files", "name": "planted.csv", "content": "id,note\n1,Authorization: Bearer " + p.secret("up") + "\n"}},
	}
	order := []string{"upload_file"} // some calls read what others made
	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range list.Tools {
		if _, ok := calls[tool.Name]; !ok {
			t.Errorf("tool %s has no calls in this sweep: add plausible arguments for it", tool.Name)
		}
		if tool.Name != "upload_file" {
			order = append(order, tool.Name)
		}
	}
	tokenRe := regexp.MustCompile(`"confirm_token":"([^"]+)"`)
	for _, name := range order {
		for _, args := range calls[name] {
			req := mcp.CallToolRequest{}
			req.Params.Name, req.Params.Arguments = name, args
			req.Params.Meta = &mcp.Meta{ProgressToken: "sweep-" + name}
			res, err := c.CallTool(ctx, req)
			record(name, res, err)
			if res == nil {
				continue
			}
			b, _ := json.Marshal(res)
			if m := tokenRe.FindStringSubmatch(strings.ReplaceAll(string(b), `\"`, `"`)); m != nil {
				confirmed := map[string]any{"confirm_token": m[1]}
				for k, v := range args {
					confirmed[k] = v
				}
				req.Params.Arguments = confirmed
				res, err = c.CallTool(ctx, req)
				record(name+" confirmed", res, err)
			}
		}
	}

	// Every resource, and every template with real arguments.
	uris := []string{}
	rl, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rl.Resources {
		uris = append(uris, r.URI)
	}
	tl, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	args := map[string][]string{"flow": {fmt.Sprint(ids[warn]), fail, "Planted SQL"}, "connection": {"Planted API", fmt.Sprint(conn.ID)}, "run": {"latest"}, "object": {"orders"}}
	for _, tpl := range tl.ResourceTemplates {
		pattern := tpl.URITemplate.Raw()
		expanded := []string{pattern}
		for name, values := range args {
			var next []string
			for _, u := range expanded {
				if !strings.Contains(u, "{"+name+"}") {
					next = append(next, u)
					continue
				}
				for _, v := range values {
					next = append(next, strings.ReplaceAll(u, "{"+name+"}", strings.ReplaceAll(v, " ", "%20")))
				}
			}
			expanded = next
		}
		var ranged []string // a form-style query ({?from,to}) is read both without and with its values
		for _, u := range expanded {
			if base, ok := strings.CutSuffix(u, "{?from,to}"); ok {
				ranged = append(ranged, base, base+"?from=1&to=400")
			} else {
				ranged = append(ranged, u)
			}
		}
		expanded = ranged
		for _, u := range expanded {
			if strings.Contains(u, "{") {
				t.Errorf("template %s has a variable this sweep does not fill: %s", pattern, u)
			}
		}
		uris = append(uris, expanded...)
	}
	for _, u := range uris {
		req := mcp.ReadResourceRequest{}
		req.Params.URI = u
		res, err := c.ReadResource(ctx, req)
		record(u, res, err)
	}

	// Every prompt.
	pl, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	promptArgs := map[string]map[string]string{"diagnose_failed_run": {"flow": fail}, "explain_flow": {"flow": warn},
		"fix_pipeline": {"flow": fail}, "daily_health_check": {"since": "24h"}, "review_schedules": {}}
	for _, pr := range pl.Prompts {
		a, ok := promptArgs[pr.Name]
		if !ok {
			t.Errorf("prompt %s has no arguments in this sweep", pr.Name)
		}
		req := mcp.GetPromptRequest{}
		req.Params.Name, req.Params.Arguments = pr.Name, a
		res, err := c.GetPrompt(ctx, req)
		record(pr.Name, res, err)
	}

	// etlworks://connections/{connection} masks exactly what get_connection masks.
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = "get_connection", map[string]any{"connection": "Planted API"}
	res, err := c.CallTool(ctx, req)
	if err != nil || len(res.Content) == 0 {
		t.Fatalf("get_connection: %v", err)
	}
	var view struct {
		Properties map[string]string `json:"properties"`
	}
	if err := json.Unmarshal([]byte(res.Content[0].(mcp.TextContent).Text), &view); err != nil {
		t.Fatal(err)
	}
	rreq := mcp.ReadResourceRequest{}
	rreq.Params.URI = "etlworks://connections/Planted%20API"
	rres, err := c.ReadResource(ctx, rreq)
	if err != nil || len(rres.Contents) == 0 {
		t.Fatalf("read connection resource: %v", err)
	}
	var doc struct {
		Properties map[string]string `json:"properties"`
	}
	if err := json.Unmarshal([]byte(rres.Contents[0].(mcp.TextResourceContents).Text), &doc); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for k, v := range doc.Properties {
		short := strings.TrimPrefix(k, "field.connection.template.")
		if got, ok := view.Properties[short]; ok {
			compared++
			if (got == "********") != (v == "********") {
				t.Errorf("property %s: get_connection shows %q, the resource %q", short, got, v)
			}
		}
	}
	if compared < len(secretKeyNames) {
		t.Errorf("compared only %d properties of get_connection and the resource", compared)
	}

	out, logText := seen.String(), logs.String()
	for name, got := range map[string]string{"what the client received": out, "the server's log": logText} {
		for _, v := range append(p.values, creds.APIKey, creds.Password) {
			if strings.Contains(got, v) {
				i := strings.Index(got, v)
				t.Errorf("%s holds planted secret %q: …%s…", name, v, got[max(0, i-700):min(len(got), i+len(v)+40)])
			}
		}
		if strings.Contains(got, "x-standin") {
			t.Errorf("%s shows a sandbox-internal x-standin property", name)
		}
	}
	// The sweep saw the planted objects and their runs, and logging was on.
	for _, want := range []string{"Planted warning", "Planted API", "[REDACTED]", "********", "notifications/progress"} {
		if !strings.Contains(out, want) {
			t.Errorf("the sweep never saw %q: it proves less than it claims", want)
		}
	}
	if !strings.Contains(logText, "etlworks request") || !strings.Contains(logText, "tool done") {
		t.Errorf("debug logging captured too little to prove anything:\n%.2000s", logText)
	}
}
