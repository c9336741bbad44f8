package sandbox

import (
	"cmp"
	"errors"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// File upload for staging: POST /v1/explorer/{id}/upload, multipart with a
// "file" part and an optional "path" (form field or query parameter), into a folder connection.

// maxUploadBytes caps one uploaded file; the request may carry a little multipart framing on top.
const (
	maxUploadBytes = 10 << 20
	uploadOverhead = 64 << 10
)

// uploadResponse is the answer of an upload: the file's path relative to the connection's folder,
// its size, when it was stored (epoch ms) and whether it replaced a file of the same path.
type uploadResponse struct {
	Path     string `json:"path"`
	Size     int64  `json:"size"`
	Uploaded int64  `json:"uploaded"`
	Replaced bool   `json:"replaced"`
}

// tooLarge is the 413 of an upload over the limit.
func tooLarge(name string) error {
	return apiErrorf(http.StatusRequestEntityTooLarge, "File '%s' is larger than the upload limit of %d MiB", name, maxUploadBytes>>20)
}

// explorerUploadHandler serves POST /v1/explorer/{id}/upload (Editor). The file streams into a
// temporary file inside the folder and is renamed into place only when complete, so readers never
// see half a file. path may name the file, or a folder (ending in "/" or existing) to put it in.
func (s *Sandbox) explorerUploadHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	started := time.Now()
	c, err := s.explorerConnection(r)
	if err != nil {
		return err
	}
	if c.ConnectionType != model.TypeLocalFile {
		return badRequest("Upload is available for file-storage connections; '%s' is a SQLite database", c.Name)
	}
	dir, err := sandboxFolderPath(s.root, c.Properties[model.PropFolder])
	if err != nil {
		return badRequest("Connection '%s': %s", c.Name, err.Error())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes+uploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("The upload must be multipart/form-data with the file in a part named 'file'")
	}
	up := &pendingUpload{dir: dir, target: r.URL.Query().Get("path")}
	defer up.discard()
	if err := up.read(mr); err != nil {
		return err
	}
	res, err := up.commit(c)
	payload := map[string]any{"connectionId": c.ID, "name": c.Name, "file": up.filename}
	if res != nil {
		payload["path"], payload["size"] = res.Path, res.Size
	}
	s.recordMutation(r, p, "uploadFile", payload, err, started)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// pendingUpload is an upload being received: the temporary file and where it is to go.
type pendingUpload struct {
	dir      string // the connection's folder
	target   string // requested path, "" = the uploaded file's own name
	filename string // name the client gave the file part
	tmp      string // temporary file in dir; "" once renamed or discarded
	size     int64
}

// read consumes the multipart body: the file part into the temporary file, the path field into target.
func (up *pendingUpload) read(mr *multipart.Reader) error {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploadReadError(err, up.filename)
		}
		switch part.FormName() {
		case "file":
			if up.tmp != "" {
				return badRequest("Send one part named 'file' per upload")
			}
			up.filename = part.FileName()
			if err := up.receive(part); err != nil {
				return err
			}
		case "path":
			b, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				return uploadReadError(err, up.filename)
			}
			up.target = strings.TrimSpace(string(b))
		}
		part.Close()
	}
	if up.tmp == "" {
		return badRequest("Field 'file' is required: send the file as a multipart/form-data part named 'file'")
	}
	return nil
}

// receive streams the file part into a temporary file, refusing more than maxUploadBytes.
func (up *pendingUpload) receive(part io.Reader) error {
	f, err := os.CreateTemp(up.dir, uploadTempPrefix+"*")
	if err != nil {
		return err
	}
	up.tmp = f.Name()
	n, err := io.Copy(f, io.LimitReader(part, maxUploadBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return uploadReadError(err, up.filename)
	}
	if n > maxUploadBytes {
		return tooLarge(up.filename)
	}
	up.size = n
	return nil
}

// uploadReadError reports a body that ended badly: over the request cap is a 413, anything else a 400.
func uploadReadError(err error, name string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge(cmp.Or(name, "upload"))
	}
	return badRequest("The multipart body could not be read: %s", err.Error())
}

// destination works out the file's path relative to the folder, refusing anything outside it.
func (up *pendingUpload) destination(root *os.Root, c connection) (string, error) {
	base := path.Base(strings.ReplaceAll(up.filename, `\`, "/"))
	target := strings.ReplaceAll(up.target, `\`, "/")
	isDir := target == "" || strings.HasSuffix(target, "/")
	if !isDir {
		if info, err := root.Stat(cleanRel(target)); err == nil && info.IsDir() {
			isDir = true
		}
	}
	if isDir {
		if base == "" || base == "." || base == "/" || base == ".." {
			return "", badRequest("Field 'path' is required when the file part has no file name")
		}
		target = path.Join(target, base)
	}
	rel := cleanRel(target)
	if !filepath.IsLocal(filepath.FromSlash(rel)) || rel == "." || strings.HasPrefix(path.Base(rel), uploadTempPrefix) {
		return "", badRequest("Field 'path' must be a file path inside the folder of connection '%s', not '%s'", c.Name, up.target)
	}
	return rel, nil
}

// commit moves the temporary file to its destination inside the folder (through os.Root, so no
// path or symbolic link can lead outside it).
func (up *pendingUpload) commit(c connection) (*uploadResponse, error) {
	root, err := os.OpenRoot(up.dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	rel, err := up.destination(root, c)
	if err != nil {
		return nil, err
	}
	if d := path.Dir(rel); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return nil, badRequest("Cannot create folder '%s' in connection '%s': %s", d, c.Name, runlog.PlainIOError(err))
		}
	}
	info, err := root.Stat(rel)
	replaced := err == nil
	if replaced && info.IsDir() {
		return nil, badRequest("Field 'path': '%s' is a folder in connection '%s'", rel, c.Name)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, badRequest("Field 'path': %s", runlog.PlainIOError(err))
	}
	if err := root.Rename(filepath.Base(up.tmp), rel); err != nil {
		return nil, badRequest("Cannot store '%s' in connection '%s': %s", rel, c.Name, runlog.PlainIOError(err))
	}
	up.tmp = ""
	return &uploadResponse{Path: rel, Size: up.size, Uploaded: time.Now().UnixMilli(), Replaced: replaced}, nil
}

// discard removes the temporary file of an upload that did not complete.
func (up *pendingUpload) discard() {
	if up.tmp != "" {
		_ = os.Remove(up.tmp)
		up.tmp = ""
	}
}
