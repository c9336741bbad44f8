package client

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMaskJSON(t *testing.T) {
	t.Parallel()
	in := `{"name":"CRM","properties":{"field.connection.template.password":"hunter22","field.connection.template.user":"crm",
		"nested":[{"apiKey":"k-1"},{"refresh_token":"r-1"}]},"authType":"Basic","secret":""}`
	out, err := MaskJSON(json.RawMessage(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"hunter22", "k-1", "r-1"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("MaskJSON kept %q: %s", leak, out)
		}
	}
	for _, keep := range []string{`"authType":"Basic"`, `"field.connection.template.user":"crm"`, `"secret":""`} {
		if !strings.Contains(string(out), keep) {
			t.Errorf("MaskJSON lost %s: %s", keep, out)
		}
	}
	if _, err := MaskJSON(json.RawMessage(`{`)); err == nil {
		t.Error("invalid JSON must be an error")
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, leak := range map[string]string{
		"Authorization: Bearer abcdefghijklmnop":        "abcdefghijklmnop",
		"jdbc:postgresql://db?user=x&password=hunter22": "hunter22",
		`{"api_key": "k-123456789"}`:                    "k-123456789",
	} {
		if out := Redact(in); strings.Contains(out, leak) {
			t.Errorf("Redact(%q) = %q", in, out)
		}
	}
}
