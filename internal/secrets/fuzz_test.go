package secrets

import (
	"strings"
	"testing"
)

// FuzzRedact: whatever the text, redacting never panics, and a token-like value after
// "password=" never survives.
func FuzzRedact(f *testing.F) {
	for _, seed := range []string{"", "@", "a/b@c", "\\u0026sig=x", "://", "-----BEGIN RSA PRIVATE KEY-----", "Authorization: ",
		"`key` = `v`", `\"password\":\"x\"`, "PWD={a;b}", "eyJabcdefghij.abcdefghij.", "scott/tiger@orcl", "bearer "} {
		f.Add(seed, "S3cret-value9")
	}
	f.Fuzz(func(t *testing.T, text, v string) {
		r := NewRedactor()
		_ = r.Text(text)
		_ = Redact(text)
		if len(v) < 4 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.~@#%!-") != "" ||
			!tokenLike(v) || strings.Contains(text, v) {
			return
		}
		if out := Redact(text + " password=" + v); strings.Contains(out, v) {
			t.Errorf("value %q survived: %q", v, out)
		}
	})
}
