package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// DBPool keeps one handle per demo database file. Each handle has a single connection, so runs
// touching the same database take turns instead of failing with SQLITE_BUSY.
type DBPool struct {
	mu  sync.Mutex
	dbs map[string]*sql.DB
}

// NewDBPool returns an empty pool; the sandbox closes it after the engine.
func NewDBPool() *DBPool { return &DBPool{dbs: map[string]*sql.DB{}} }

// Get returns the handle for the database file at path, opening (and creating) it on first use.
func (p *DBPool) Get(path string) (*sql.DB, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if db, ok := p.dbs[path]; ok {
		return db, nil
	}
	if p.dbs == nil {
		return nil, ErrClosed
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	p.dbs[path] = db
	return db, nil
}

// Close closes every handle; later gets fail.
func (p *DBPool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for _, db := range p.dbs {
		errs = append(errs, db.Close())
	}
	p.dbs = nil
	return errors.Join(errs...)
}

// localPath resolves a path stored in a connection or flow against the sandbox data directory;
// it refuses anything that would leave it.
func localPath(root, rel, what string) (string, error) {
	rel = filepath.FromSlash(strings.TrimSpace(rel))
	if !filepath.IsLocal(rel) {
		return "", runlog.EngineError("%s '%s' must be a relative path inside the sandbox data directory", what, rel)
	}
	return filepath.Join(root, rel), nil
}

// openDatabase connects to the SQLite database behind a connection, first checking the stored
// User and password against the accounts that database accepts (as a server would).
func (x *runState) openDatabase(ctx context.Context, c model.Connection) (*sql.DB, error) {
	file := c.Properties[model.PropDatabase]
	path, err := localPath(x.e.root, file, "Database file")
	if err != nil {
		return nil, err
	}
	x.lg.Line("INFO", fmt.Sprintf("Connecting to %s", runlog.ConnLabel(c)))
	login, password, err := x.e.st.DBAccount(ctx, file)
	switch {
	case errors.Is(err, model.ErrNotFound):
	case err != nil:
		return nil, err
	case c.Properties[model.PropUser] != login || c.Properties[model.PropPassword] != password:
		return nil, runlog.AuthError(c)
	}
	return x.e.dbs.Get(path)
}

// filePath resolves an object of a local file-storage connection.
func (x *runState) filePath(c model.Connection, object string) (string, error) {
	folder, err := localPath(x.e.root, c.Properties[model.PropFolder], "Folder")
	if err != nil {
		return "", err
	}
	if !filepath.IsLocal(filepath.FromSlash(object)) {
		return "", runlog.EngineError("File '%s' must be inside the folder of connection '%s'", object, c.Name)
	}
	return filepath.Join(folder, filepath.FromSlash(object)), nil
}
