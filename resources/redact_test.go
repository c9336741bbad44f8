package resources

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// TestRedactingWrapper: every resource read passes through the Redactor, contents and errors,
// and an error keeps its identity for errors.Is.
func TestRedactingWrapper(t *testing.T) {
	red := secrets.NewRedactor("own-key-5011x")
	sentinel := errors.New("boom")
	h := redacting(red, func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		if req.Params.URI == "etlworks://fail" {
			return nil, errors.Join(sentinel, errors.New("password=Pw5021x own-key-5011x"))
		}
		return textContents(req.Params.URI, "text/plain", "own-key-5011x https://u:Pw5031x@h"), nil
	})
	req := mcp.ReadResourceRequest{}
	req.Params.URI = "etlworks://ok"
	out, err := h(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if text := out[0].(mcp.TextResourceContents).Text; strings.Contains(text, "own-key-5011x") || strings.Contains(text, "Pw5031x") {
		t.Errorf("contents not redacted: %s", text)
	}
	req.Params.URI = "etlworks://fail"
	_, err = h(context.Background(), req)
	if err == nil || strings.Contains(err.Error(), "Pw5021x") || strings.Contains(err.Error(), "own-key-5011x") || !errors.Is(err, sentinel) {
		t.Errorf("error not redacted or lost its identity: %v", err)
	}
}
