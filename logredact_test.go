package main

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/config"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// TestLoggerRedacts: every log line, whatever carries the secret (message, string, error or
// struct attribute, a group, an attribute added with With, a key that names a credential), is
// redacted by shape and by value, in both log formats.
func TestLoggerRedacts(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		red := secrets.NewRedactor("own-api-key-3011")
		log := newLogger(config.Config{LogLevel: "debug", LogFormat: format}, &buf, red)
		log = log.With("component", "client", "url", "https://u:With3021x@h")
		red.Add("jwt-added-later-3031")
		log.Debug("calling with own-api-key-3011 and jwt-added-later-3031",
			"err", errors.New("dial https://etl:Err3041x@db: refused"),
			"req", struct{ Header string }{"Authorization: Bearer Struct3051xYZ"},
			slog.Group("g", "line", "password=Group3061x"),
			"password", "KeyNamed3071x",
			"status", 200, "duration", time.Second, "path", "/v1/flows")
		out := buf.String()
		for _, leak := range []string{"own-api-key-3011", "jwt-added-later-3031", "With3021x", "Err3041x", "Struct3051xYZ", "Group3061x", "KeyNamed3071x"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s log holds %q: %s", format, leak, out)
			}
		}
		for _, keep := range []string{"200", "/v1/flows", "component", "calling with"} {
			if !strings.Contains(out, keep) {
				t.Errorf("%s log lost %q: %s", format, keep, out)
			}
		}
	}
}
