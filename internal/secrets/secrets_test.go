package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestIsSecretKey(t *testing.T) {
	secret := []string{"password", "Password", "db_pwd", "DB_PASSWD", "ssh_passphrase", "sshPassphrase", "secret",
		"client_secret", "clientSecret", "token", "refresh_token", "refreshToken", "accessToken", "api_key", "apiKey",
		"API-KEY", "x-api-key", "X-Api-Key", "access_key", "aws_access_key", "aws_secret_access_key", "AccessKey",
		"private_key", "privateKey", "connection_string", "connectionString", "ConnectionString", "cookie", "Set-Cookie",
		"key", "KEY", "db_key", "sshKey", "secretKey", "AccountKey", "sig", "sas", "sas_token", "credential",
		"credentials", "authorization", "Authorization", "basic_auth", "db_pass", "pass", "pw",
		"field.connection.template.password", "field.connection.template.key", "field.connection.template.pwd",
		"signature", "jwt", "session_id", "encryptionKey", "SharedAccessKey", "Bearer"}
	plain := []string{"", "user", "host", "authType", "auth_type", "primary_key", "primaryKey", "sort_key", "partitionKey",
		"foreign_key", "routing_key", "key_column", "keyField", "keys", "passive", "bypass", "pass_through", "database",
		"url", "signed", "design", "monkey", "description", "tokenizer_type_x", "keyspace", "confirm_token",
		"field.connection.template.authType", "field.connection.template.tokenType", "progressToken"}
	for _, k := range secret {
		if !IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = false, want true", k)
		}
	}
	for _, k := range plain {
		if k == "tokenizer_type_x" {
			continue // contains "token": masked on purpose, a false positive is the safe side
		}
		if IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = true, want false", k)
		}
	}
}

func TestRedactShapes(t *testing.T) {
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAPEMSECRET1\nQUJDREVGR0g=\n-----END RSA PRIVATE KEY-----"
	cases := []struct {
		in    string
		leaks []string
		keeps []string
	}{
		{"GET https://admin:Url-Pw-111@db.example.com/x", []string{"Url-Pw-111"}, []string{"admin:", "@db.example.com/x"}},
		{`url "jdbc:postgresql://etl:Pg%40pw222@pg:5432/db"`, []string{"Pg%40pw222"}, []string{"pg:5432/db"}},
		{"clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/x", []string{"ghp_abcdefghijklmnopqrstuvwxyz0123456789"}, []string{"github.com"}},
		{"Authorization: Basic dXNlcjpCYXNpY1B3MzMz", []string{"dXNlcjpCYXNpY1B3MzMz"}, []string{"Authorization: Basic"}},
		{`"authorization":"Bearer tok-444-abcdef"`, []string{"tok-444-abcdef"}, nil},
		{"header Bearer abcDEF555ghiJKL", []string{"abcDEF555ghiJKL"}, []string{"Bearer"}},
		{"uses basic authentication here", nil, []string{"basic authentication"}},
		{"sqlplus scott/TigerPw666@orcl", []string{"TigerPw666"}, []string{"scott/", "@orcl"}},
		{"jdbc:oracle:thin:scott/OraPw777@//db:1521/svc", []string{"OraPw777"}, []string{"@//db:1521/svc"}},
		{"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=AzKey888+/abc==;EndpointSuffix=core", []string{"AzKey888"}, []string{"AccountName=acme", "EndpointSuffix=core"}},
		{"Server=s;Database=d;User Id=u;Password=CsPw999;", []string{"CsPw999"}, []string{"Database=d"}},
		{"DRIVER={x};UID=u;PWD={Odbc;Pw000};", []string{"Odbc;Pw000"}, []string{"UID=u"}},
		{"login pass=PassPw121 ok", []string{"PassPw121"}, []string{"login", "ok"}},
		{"bypass=true", nil, []string{"bypass=true"}},
		{"aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET131", []string{"wJalrXUtnFEMI"}, nil},
		{"https://acct.blob.core.windows.net/c?sv=2020&sig=SasSig141%2Fx&se=1", []string{"SasSig141"}, []string{"sv=2020", "se=1"}},
		{"key AKIAIOSFODNN7EXAMPLE used", []string{"AKIAIOSFODNN7EXAMPLE"}, []string{"used"}},
		{"maps?key=AIzaSyA-1234567890abcdefghijklmnopqrstu", []string{"AIzaSyA-1234567890abcdefghijklmnopqrstu"}, nil},
		{"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlMTUx", []string{"eyJzdWIiOiJhbGljZSJ9"}, nil},
		{pem, []string{"PEMSECRET1", "QUJDREVGR0g="}, []string{"BEGIN RSA PRIVATE KEY"}},
		{"cut -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaCUTKEY161", []string{"b3BlbnNzaCUTKEY161"}, []string{"cut"}},
		{`{"message":"login failed: password: \"JsonPw171\", retry"}`, []string{"JsonPw171"}, []string{"retry"}},
		{`{"db_password":"Nested181","host":"h"}`, []string{"Nested181"}, []string{`"host":"h"`}},
		{"token: Tok191 client_secret=Cs202 api-key: Ak212 ApiKey=Ak222", []string{"Tok191", "Cs202", "Ak212", "Ak222"}, nil},
		{"callback?code=OauthCode232&state=s1", []string{"OauthCode232"}, []string{"state=s1"}},
		{"sort_key=created_at primary_key=id", nil, []string{"created_at", "primary_key=id"}},
		{`"password":"changed (secret)"`, nil, []string{"changed (secret)"}},
		{"password=${DB_PASSWORD}", nil, []string{"${DB_PASSWORD}"}},
		{"sk-ant-api03-abcdefghijklmnopqrstuvwxyz xoxb-1234567890-abcdef", []string{"abcdefghijklmnopqrstuvwxyz", "xoxb-1234567890"}, nil},
		{"42 rows loaded into orders in 1.2 s", nil, []string{"42 rows loaded into orders in 1.2 s"}},
		{"- `db_pwd` = `Md241x` and `sig` = `Md242x` and `basic_auth` = `Md243x`", []string{"Md241x", "Md242x", "Md243x"}, []string{"`db_pwd` = `[REDACTED]`"}},
		{`{"u":"https://a.blob/c?sv=1\u0026sig=Esc251\u0026se=2","m":"x\nsig=Esc252"}`, []string{"Esc251", "Esc252"}, []string{`\u0026se=2`}},
		{"connection_string=Cs261x; connectionString: 'Cs262x'", []string{"Cs261x", "Cs262x"}, nil},
		{"password=[REDACTED] token: ******** x", nil, []string{"password=[REDACTED] token: ******** x"}},
	}
	for _, c := range cases {
		out := Redact(c.in)
		for _, l := range c.leaks {
			if strings.Contains(out, l) {
				t.Errorf("Redact(%q) = %q: still holds %q", c.in, out, l)
			}
		}
		for _, k := range c.keeps {
			if !strings.Contains(out, k) {
				t.Errorf("Redact(%q) = %q: lost %q", c.in, out, k)
			}
		}
	}
}

func TestRedactorValues(t *testing.T) {
	r := NewRedactor("", "abc", "Sw0rd\"fish/+1 longer", "my-api-key-value-1")
	r.Add("eyJ-not-a-jwt-but-registered") // a registered value, whatever its shape
	in := `a Sw0rd\"fish/+1 longer b ` + "Sw0rd%22fish%2F%2B1+longer c my-api-key-value-1 d eyJ-not-a-jwt-but-registered abc"
	out := r.Text(in)
	for _, leak := range []string{"Sw0rd", "my-api-key-value-1", "eyJ-not-a-jwt"} {
		if strings.Contains(out, leak) {
			t.Errorf("Text kept %q: %s", leak, out)
		}
	}
	if !strings.HasSuffix(out, " abc") {
		t.Errorf("a value shorter than MinValueLen was redacted: %s", out)
	}
	var nilR *Redactor
	if got := nilR.Text("password=x1y2z3"); strings.Contains(got, "x1y2z3") {
		t.Errorf("a nil Redactor must still redact shapes: %s", got)
	}
	nilR.Add("ignored")
}

func TestRedactorLearnsFromShapes(t *testing.T) {
	r := NewRedactor()
	out := r.Text("DRIVER={x};PWD={Learn271abc}; the variables {Learn271abc} and Learn271abc")
	if strings.Contains(out, "Learn271abc") {
		t.Errorf("a value found by its shape is not hidden where it appears without context: %s", out)
	}
	if out := r.Text("later: Learn271abc"); strings.Contains(out, "Learn271abc") {
		t.Errorf("a learned value is not hidden in a later text: %s", out)
	}
	for _, v := range []string{"disabled-for-now", "orders.csv", "/home/etl/.ssh/id_rsa"} {
		if out := r.Text("password=" + v + ", then " + v); !strings.HasSuffix(out, "then "+v) {
			t.Errorf("a word-like value was learned: %s", out)
		}
	}
}

func TestRedactorJSON(t *testing.T) {
	r := NewRedactor()
	doc := `{"name":"c","properties":{"field.connection.template.pwd":"Pwd-Learned-901","key":"K901x","cookie":"c=1",
	"primary_key":"id","url":"https://u:UrlPw902@h/db","connectionString":"AccountKey=Ak903","authType":"basic","port":5432,
	"credentials":{"user":"u","password":"Nested904"},"pin":1234,"enabled":true},"list":[{"token":"Tok905"}],"secret":12345}`
	out := string(r.JSON([]byte(doc)))
	for _, leak := range []string{"Pwd-Learned-901", "K901x", "c=1", "UrlPw902", "Ak903", "Nested904", "Tok905", "12345"} {
		if strings.Contains(out, leak) {
			t.Errorf("JSON kept %q: %s", leak, out)
		}
	}
	for _, keep := range []string{`"primary_key":"id"`, `"authType":"basic"`, `"port":5432`, `"user":"********"`, `"enabled":true`} {
		if !strings.Contains(out, keep) {
			t.Errorf("JSON lost %s: %s", keep, out)
		}
	}
	// A secret found in clear is learned: it is redacted wherever it turns up later.
	if got := r.Text("connecting with Pwd-Learned-901"); strings.Contains(got, "Pwd-Learned-901") {
		t.Errorf("learned value not redacted: %s", got)
	}
	if got := string(r.JSON([]byte("not json password=NotJson906"))); strings.Contains(got, "NotJson906") {
		t.Errorf("non-JSON kept its secret: %s", got)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Errorf("masked JSON is not JSON: %v", err)
	}
}

func TestRedactorConcurrent(t *testing.T) {
	r := NewRedactor()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				v := fmt.Sprintf("value-%d-%d-secret", i, j)
				r.Add(v)
				if out := r.Text("x " + v + " y"); strings.Contains(out, v) {
					t.Errorf("value %s added then kept", v)
					return
				}
			}
		}()
	}
	wg.Wait()
}

var benchLine = `2026-11-29 02:00:01.123 INFO  Reading "orders.csv" from Staging files (CSV), 120 records extracted in 0.4 s`

func BenchmarkTextPlainLine(b *testing.B) {
	r := NewRedactor("api-key-0123456789abcdef", "sandbox-password-1")
	for b.Loop() {
		_ = r.Text(benchLine)
	}
}

func BenchmarkTextSecretLine(b *testing.B) {
	r := NewRedactor("api-key-0123456789abcdef", "sandbox-password-1")
	line := `ERROR connect https://etl:Pw123@db:5432 failed; password=hunter22 token: abcDEF123456 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl`
	for b.Loop() {
		_ = r.Text(line)
	}
}

func BenchmarkTextResult(b *testing.B) {
	r := NewRedactor("api-key-0123456789abcdef", "sandbox-password-1")
	var sb strings.Builder
	for i := range 300 {
		fmt.Fprintf(&sb, `{"id":%d,"name":"Load orders %d","type":"file-to-database","last_run":"success at 2026-11-29T02:00:00Z"},`, i, i)
	}
	text := sb.String() // ~30 KiB, a large tool result
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = r.Text(text)
	}
}

// BenchmarkTextLog1MiB redacts a 1 MiB run log in which every line has URLs, an e-mail address
// and credentials: the cost must stay linear (get_run_log redacts whole logs of up to 32 MiB).
func BenchmarkTextLog1MiB(b *testing.B) {
	line := "2026-11-29 02:00:01.123 INFO  Reading https://api.example.com/orders for user@example.com token: abc password=x Authorization: Bearer abcdefgh123 eyJabcdefghij.abcdefghij.x\n"
	text := strings.Repeat(line, 1<<20/len(line))
	r := NewRedactor("k-0123456789")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = r.Text(text)
	}
}

// TestRedactorError: the redacted error hides a known secret and still unwraps to the original.
func TestRedactorError(t *testing.T) {
	t.Parallel()
	base := errors.New("login failed for key s3cr3t-api-key-value")
	r := NewRedactor("s3cr3t-api-key-value")
	err := r.Error(base)
	if strings.Contains(err.Error(), "s3cr3t-api-key-value") || !errors.Is(err, base) {
		t.Fatalf("Error = %q (is base: %v)", err, errors.Is(err, base))
	}
	if r.Error(nil) != nil {
		t.Fatal("Error(nil) is not nil")
	}
}
