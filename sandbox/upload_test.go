package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
)

// upload posts a multipart upload; filename "" sends no file part, pathField "" no path part.
func (h *harness) upload(id int64, key, pathField, filename string, content []byte) response {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if pathField != "" {
		if err := mw.WriteField("path", pathField); err != nil {
			h.t.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			h.t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/rest/v1/explorer/%d/upload", h.srv.URL, id), &buf)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// stagingEntries lists every path under the staging folder, temporary files included.
func (h *harness) stagingEntries() []string {
	h.t.Helper()
	var out []string
	dir := filepath.Join(h.sb.root, demo.StagingFolder)
	filepath.WalkDir(dir, func(p string, _ os.DirEntry, _ error) error {
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out
}

func TestUpload(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	const path = "/rest/v1/explorer/2/upload"
	csv := []byte("sku,qty\nSKU-1001,4\nSKU-1002,\n")

	t.Run("into a subfolder, then explore it", func(t *testing.T) {
		h := h.with(t)
		res := h.upload(2, h.key, "incoming/", "stock.csv", csv)
		var up uploadResponse
		if res.status != http.StatusOK {
			t.Fatalf("upload: %d %s", res.status, res.body)
		}
		res.decode(t, &up)
		if up.Path != "incoming/stock.csv" || up.Size != int64(len(csv)) || up.Uploaded == 0 || up.Replaced {
			t.Errorf("upload = %+v", up)
		}
		if b, err := os.ReadFile(filepath.Join(h.sb.root, demo.StagingFolder, "incoming", "stock.csv")); err != nil || !bytes.Equal(b, csv) {
			t.Errorf("stored file: %q %v", b, err)
		}
		var cols []explorerColumn
		h.ok("GET", "/rest/v1/explorer/2/objects/incoming%2Fstock.csv/columns", nil, &cols)
		if len(cols) != 2 || cols[1] != (explorerColumn{Name: "qty", Type: "INTEGER", Nullable: true}) {
			t.Errorf("columns = %+v", cols)
		}
		res = h.upload(2, h.key, "incoming/stock.csv", "other-name.csv", []byte("sku\n"))
		res.decode(t, &up)
		if res.status != 200 || !up.Replaced || up.Size != 4 {
			t.Errorf("replace: %d %s", res.status, res.body)
		}
		rec := h.lastAudit("uploadFile")
		if !rec.RT || !strings.Contains(string(rec.Payload), `"path":"incoming/stock.csv"`) {
			t.Errorf("audit = %s", rec.Payload)
		}
	})

	t.Run("file name only; a path in the file name is dropped", func(t *testing.T) {
		h := h.with(t)
		var up uploadResponse
		res := h.upload(2, h.key, "", "../../evil.csv", csv)
		res.decode(t, &up)
		if res.status != 200 || up.Path != "evil.csv" {
			t.Errorf("upload: %d %s", res.status, res.body)
		}
		if _, err := os.Stat(filepath.Join(h.sb.root, "evil.csv")); !os.IsNotExist(err) {
			t.Errorf("escaped the folder")
		}
	})

	t.Run("path traversal is refused", func(t *testing.T) {
		h := h.with(t)
		for _, p := range []string{"../evil.csv", "/tmp/evil.csv", "a/../../evil.csv", "..", ".upload-x"} {
			eb := wantError(t, h.upload(2, h.key, p, "x.csv", csv), http.StatusBadRequest, path)
			if !strings.Contains(eb.Message, "Field 'path'") {
				t.Errorf("%s: %q", p, eb.Message)
			}
		}
		if _, err := os.Stat(filepath.Join(h.sb.root, "evil.csv")); !os.IsNotExist(err) {
			t.Errorf("escaped the folder")
		}
	})

	t.Run("too large", func(t *testing.T) {
		h := h.with(t)
		eb := wantError(t, h.upload(2, h.key, "big.csv", "big.csv", make([]byte, maxUploadBytes+1)), http.StatusRequestEntityTooLarge, path)
		if !strings.Contains(eb.Message, "10 MiB") {
			t.Errorf("message %q", eb.Message)
		}
		for _, e := range h.stagingEntries() {
			if strings.Contains(e, "big") || strings.Contains(e, uploadTempPrefix) {
				t.Errorf("left behind: %s", e)
			}
		}
		if res := h.upload(2, h.key, "exact.bin", "exact.bin", make([]byte, maxUploadBytes)); res.status != 200 {
			t.Errorf("exactly the limit: %d %s", res.status, res.body)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		h := h.with(t)
		wantError(t, h.upload(2, h.key, "x.csv", "", nil), http.StatusBadRequest, path)
		wantError(t, h.call("POST", path, h.key, `{"file": "x"}`), http.StatusBadRequest, path)
		wantError(t, h.upload(1, h.key, "", "x.csv", csv), http.StatusBadRequest, "/rest/v1/explorer/1/upload")
		wantError(t, h.upload(5, h.key, "", "x.csv", csv), http.StatusBadRequest, "/rest/v1/explorer/5/upload")
		wantError(t, h.upload(2, h.key, "exports", "", nil), http.StatusBadRequest, path)
		if res := h.upload(2, h.userKey("victor"), "", "v.csv", csv); res.status != http.StatusForbidden {
			t.Errorf("viewer: %d", res.status)
		}
		if res := h.upload(2, h.userKey("carol"), "exports", "e.csv", csv); res.status != http.StatusOK || !strings.Contains(string(res.body), `"exports/e.csv"`) {
			t.Errorf("editor into an existing folder: %d %s", res.status, res.body)
		}
	})
}
