package transport

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/internal/telemetry"
)

// TestSessionHashedOnceThroughBothHandlers: mcp-go's lines pass RedactSessions and then the
// program's log handler (which also hashes session attributes); the session must still read as
// telemetry.SessionHash(id), the spelling tool-call lines carry, not as a hash of a hash.
func TestSessionHashedOnceThroughBothHandlers(t *testing.T) {
	var buf bytes.Buffer
	root := slog.New(telemetry.NewLogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	id := "mcp-session-0b5c3d4e-1f2a-4b6c-8d9e-0f1a2b3c4d5e"
	RedactSessions(root).Info("Delivered", "session", id)
	want := `"session":"` + telemetry.SessionHash(id) + `"`
	if !strings.Contains(buf.String(), want) || strings.Contains(buf.String(), id) {
		t.Fatalf("log line %s lacks %s", buf.String(), want)
	}
}
