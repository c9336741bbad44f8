package client

import (
	"encoding/json"
	"regexp"
)

// Secret handling shared by everything that shows Etlworks data to a model: what the platform
// returns can hold credentials (connection passwords, tokens in logs), and none may reach a tool
// result, a resource or a log line.

// secretKey matches property names that hold credentials.
var secretKey = regexp.MustCompile(`(?i)(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential|authorization)`)

// secretText matches credentials inside free text: bearer tokens, JWTs and key=value secrets.
var secretText = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|((?:password|passwd|pwd|secret|token|api[_-]?key)"?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)`)

// Mask is what a masked secret looks like, as the Etlworks UI shows it.
const Mask = "********"

// IsSecretKey reports whether a property name looks like it holds a credential.
func IsSecretKey(k string) bool { return secretKey.MatchString(k) }

// Redact hides credentials in free text (log lines, messages).
func Redact(s string) string {
	return secretText.ReplaceAllStringFunc(s, func(m string) string {
		sub := secretText.FindStringSubmatch(m)
		switch {
		case sub[1] != "":
			return sub[1] + "[REDACTED]"
		case sub[2] != "":
			return sub[2] + "[REDACTED]"
		}
		return "[REDACTED]"
	})
}

// MaskJSON returns doc with the value of every credential-like key masked, at any depth, so it is
// safe to show even when the API returned a secret in clear.
func MaskJSON(doc json.RawMessage) (json.RawMessage, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	return json.Marshal(maskValue(v))
}

func maskValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if s, ok := val.(string); ok && s != "" && IsSecretKey(k) {
				t[k] = Mask
				continue
			}
			t[k] = maskValue(val)
		}
	case []any:
		for i := range t {
			t[i] = maskValue(t[i])
		}
	}
	return v
}
