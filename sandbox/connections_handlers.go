package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// The connections API: CRUD, test, the connector-type
// catalogue, OAuth sign-in, and the explorer that browses a connection.

// maskedSecret replaces a secret property value in every response, as the platform does.
const maskedSecret = model.Mask

// maskConnection returns a copy of c safe to send: secret values masked (empty ones stay empty, so a
// reader can tell a secret that is not set), and [] / {} instead of null.
func maskConnection(c connection) connection {
	props := make(map[string]string, len(c.Properties))
	for k, v := range c.Properties {
		if v != "" && connectors.IsSecretProperty(c.ConnectionType, k) {
			v = maskedSecret
		}
		props[k] = v
	}
	c.Properties = props
	if c.Tags == nil {
		c.Tags = []string{}
	}
	return c
}

// listConnectionsHandler serves GET /v1/connections: filters name (substring), tag and
// connectionType; limit/offset paging.
func (s *Sandbox) listConnectionsHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q, limit, offset, err := listQuery(r)
	if err != nil {
		return err
	}
	list, total, err := s.st.listConnectionsPage(r.Context(), connectionFilter{name: q.Get("name"), tag: q.Get("tag"),
		connectionType: q.Get("connectionType"), limit: limit, offset: offset})
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = maskConnection(list[i])
	}
	return writeList(w, list, total)
}

// connectionFromPath loads the connection named by the {id} wildcard, or returns a 404.
func (s *Sandbox) connectionFromPath(r *http.Request) (connection, error) {
	return loadFromPath(r, "Connection", s.st.getConnection)
}

// connectionByID loads a connection with its secrets, or returns the 404 the API promises.
func (s *Sandbox) connectionByID(ctx context.Context, id int64) (connection, error) {
	return loadByID(ctx, "Connection", id, s.st.getConnection)
}

// getConnectionHandler serves GET /v1/connections/{id} with secrets masked.
func (s *Sandbox) getConnectionHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return answerLoaded(w, r, s.connectionFromPath, maskConnection)
}

// connectionInput is the body of POST and PUT. Absent fields are nil, so PUT changes only what it
// names; property values may be JSON strings, numbers or booleans, and null removes a key on PUT.
type connectionInput struct {
	Name           *string                    `json:"name"`
	Description    *string                    `json:"description"`
	ConnectionType *string                    `json:"connectionType"`
	Properties     map[string]json.RawMessage `json:"properties"`
	Tags           *[]string                  `json:"tags"`
}

// propertyValue decodes one property value; remove is true for null.
func propertyValue(key string, raw json.RawMessage) (value string, remove bool, err error) {
	t := strings.TrimSpace(string(raw))
	if t == "null" {
		return "", true, nil
	}
	if json.Unmarshal(raw, &value) == nil {
		return value, false, nil
	}
	switch {
	case t == "true", t == "false", len(t) > 0 && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9')):
		return t, false, nil
	}
	return "", false, badRequest("Field 'properties.%s' must be a string, number or boolean", key)
}

// apply merges the input into c. A value equal to the mask means "keep the stored secret", which
// only makes sense when there is one; on create there never is.
func (in connectionInput) apply(c *connection, creating bool) error {
	if in.Name != nil {
		c.Name = *in.Name
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.ConnectionType != nil {
		c.ConnectionType = strings.TrimSpace(*in.ConnectionType)
	}
	if in.Tags != nil {
		c.Tags = *in.Tags
	}
	if c.Properties == nil {
		c.Properties = map[string]string{}
	}
	for _, k := range slices.Sorted(maps.Keys(in.Properties)) {
		v, remove, err := propertyValue(k, in.Properties[k])
		if err != nil {
			return err
		}
		_, stored := c.Properties[k]
		switch {
		case remove:
			delete(c.Properties, k)
		case v == maskedSecret && (creating || !stored):
			return badRequest("Field 'properties.%s': '%s' is the mask of a secret, not a value; send the real value", k, maskedSecret)
		case v == maskedSecret:
			// unchanged: the client sent back what GET showed
		default:
			c.Properties[k] = v
		}
	}
	return nil
}

// normalizeConnection validates a connection from POST or PUT against the type catalogue. selfID
// is the connection being edited (0 on create). Errors are 400s naming the offending field.
func (s *Sandbox) normalizeConnection(ctx context.Context, c *connection, selfID int64) error {
	if err := s.st.checkName(ctx, "connections", "connection", &c.Name, selfID); err != nil {
		return err
	}
	if c.ConnectionType == "" {
		return badRequest("Field 'connectionType' is required; GET /v1/connection-types lists the types, e.g. connection.db.postgres")
	}
	t, ok := connectors.Lookup(c.ConnectionType)
	if !ok {
		return badRequest("%s", connectors.UnknownTypeMessage(c.ConnectionType))
	}
	for _, p := range t.Properties {
		if p.Required && strings.TrimSpace(c.Properties[p.Key]) == "" {
			return badRequest("Field 'properties.%s' (%s) is required for connection type %s (%s)", p.Key, p.Label, t.Type, t.Name)
		}
	}
	for k, v := range c.Properties {
		if strings.HasSuffix(k, ".port") && v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
				return badRequest("Field 'properties.%s' must be a port number between 1 and 65535, not '%s'", k, v)
			}
		}
	}
	// Paths are stored in one spelling, so "./crm.db" is the same database (and account) as "crm.db".
	switch c.ConnectionType {
	case model.TypeSQLite:
		if _, err := sandboxDatabasePath(s.root, c.Properties[model.PropDatabase]); err != nil {
			return badRequest("Field 'properties.%s': %s", model.PropDatabase, err.Error())
		}
		c.Properties[model.PropDatabase] = cleanRel(c.Properties[model.PropDatabase])
	case model.TypeLocalFile:
		if _, err := sandboxFolderPath(s.root, c.Properties[model.PropFolder]); err != nil {
			return badRequest("Field 'properties.%s': %s", model.PropFolder, err.Error())
		}
		c.Properties[model.PropFolder] = cleanRel(c.Properties[model.PropFolder])
	}
	c.Tags = cleanTags(c.Tags)
	return nil
}

// cleanRel is the canonical slash-separated spelling of a relative path.
func cleanRel(p string) string {
	return filepath.ToSlash(filepath.Clean(filepath.FromSlash(strings.TrimSpace(p))))
}

// stateFile is the sandbox's own state database in a persistent DataDir; no connection may open it.
const stateFile = "state.db"

// sandboxDatabasePath resolves the database file of a SQLite connection inside the data directory.
func sandboxDatabasePath(root, file string) (string, error) {
	rel := filepath.FromSlash(cleanRel(file))
	if !filepath.IsLocal(rel) || rel == "." {
		return "", errors.New("the database file must be a relative path inside the sandbox data directory, e.g. warehouse.db")
	}
	if base := strings.ToLower(rel); strings.HasPrefix(base, stateFile) {
		return "", errors.New("'" + file + "' is the sandbox's own state database and cannot be used by a connection")
	}
	return filepath.Join(root, rel), nil
}

// sandboxFolderPath resolves the folder of a local file connection: a subfolder of the data
// directory, never the directory itself (it holds the databases).
func sandboxFolderPath(root, folder string) (string, error) {
	rel := filepath.FromSlash(cleanRel(folder))
	if !filepath.IsLocal(rel) || rel == "." {
		return "", errors.New("the folder must be a subfolder of the sandbox data directory, e.g. staging")
	}
	return filepath.Join(root, rel), nil
}

// createConnectionHandler serves POST /v1/connections; like Etlworks it answers 200 with the object.
func (s *Sandbox) createConnectionHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	started := time.Now()
	var in connectionInput
	var c connection
	var id int64
	return s.mutate(r, p, started, mutation{md: "addConnection", body: &in,
		check: func() error {
			if err := in.apply(&c, true); err != nil {
				return err
			}
			return s.normalizeConnection(r.Context(), &c, 0)
		},
		save: func() (err error) {
			id, err = insertConnection(r.Context(), s.st.db, c, started.UnixMilli())
			return uniqueName(err, "connection", c.Name)
		},
		payload: func() map[string]any {
			return map[string]any{"connectionId": id, "name": c.Name, "connectionType": c.ConnectionType}
		},
		answer: func() error { return s.writeConnection(w, r, id) },
	})
}

// writeConnection answers with the connection as stored now, secrets masked.
func (s *Sandbox) writeConnection(w http.ResponseWriter, r *http.Request, id int64) error {
	c, err := s.st.getConnection(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, maskConnection(c))
}

// updateConnectionHandler serves PUT /v1/connections/{id}: fields present in the body replace the
// stored ones, properties are merged key by key, and a masked secret sent back keeps its value.
func (s *Sandbox) updateConnectionHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.connectionFromPath, func(old connection, started time.Time) error {
		c := old
		c.Properties = maps.Clone(old.Properties)
		c.Tags = slices.Clone(old.Tags)
		var in connectionInput
		var changed []string
		var diff editDiff
		return s.mutate(r, p, started, mutation{md: "editConnection", body: &in,
			check: func() error {
				if err := in.apply(&c, false); err != nil {
					return err
				}
				return s.normalizeConnection(r.Context(), &c, old.ID)
			},
			save: func() error {
				changed = changedConnectionFields(old, c)
				diff = diffFields(connectionAuditView(old), connectionAuditView(c), func(path string) bool {
					key, isProp := strings.CutPrefix(path, "properties.")
					return model.IsSecretKey(path) || (isProp && connectors.IsSecretProperty(c.ConnectionType, key))
				})
				return uniqueName(s.st.updateConnection(r.Context(), c, started.UnixMilli()), "connection", c.Name)
			},
			payload: func() map[string]any {
				return diff.add(map[string]any{"connectionId": old.ID, "name": old.Name, "changed": changed})
			},
			answer: func() error { return s.writeConnection(w, r, old.ID) },
		})
	})
}

// changedConnectionFields names what an edit changed for the audit payload: top-level fields and
// property keys, never values.
func changedConnectionFields(old, updated connection) []string {
	changed := []string{}
	if old.Name != updated.Name {
		changed = append(changed, "name")
	}
	if old.Description != updated.Description {
		changed = append(changed, "description")
	}
	if old.ConnectionType != updated.ConnectionType {
		changed = append(changed, "connectionType")
	}
	if !slices.Equal(old.Tags, updated.Tags) {
		changed = append(changed, "tags")
	}
	keys := slices.Sorted(maps.Keys(old.Properties))
	for _, k := range slices.Sorted(maps.Keys(updated.Properties)) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		a, inOld := old.Properties[k]
		b, inNew := updated.Properties[k]
		if inOld != inNew || a != b {
			changed = append(changed, "properties."+k)
		}
	}
	return changed
}

// connectionDeleteResponse is the body of DELETE /v1/connections/{id}: where the connection went,
// and the flows that used it (they fail until it is restored).
type connectionDeleteResponse struct {
	ConnectionID int64     `json:"connectionId"`
	Name         string    `json:"name"`
	RecycleBinID int64     `json:"recycleBinId"`
	UsedByFlows  []flowUse `json:"usedByFlows"`
}

// deleteConnectionHandler serves DELETE /v1/connections/{id}. Deleting a connection that flows use
// is allowed; they are recorded as its dependencies in the recycle bin and listed in the answer.
func (s *Sandbox) deleteConnectionHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.connectionFromPath, func(c connection, started time.Time) error {
		usedBy, err := s.st.flowsUsingConnection(r.Context(), c.ID)
		if err != nil {
			return err
		}
		binID, err := s.st.deleteConnection(r.Context(), c, usedBy, p.Login, started.UnixMilli())
		ids := make([]int64, len(usedBy))
		for i, u := range usedBy {
			ids[i] = u.ID
		}
		return s.audited(r, p, started, "deleteConnection", map[string]any{"connectionId": c.ID, "name": c.Name,
			"recycleBinId": binID, "usedByFlows": ids}, err,
			answerJSON(w, connectionDeleteResponse{ConnectionID: c.ID, Name: c.Name, RecycleBinID: binID, UsedByFlows: usedBy}))
	})
}

// connectionTypesHandler serves GET /v1/connection-types: filters category (exact) and name
// (substring of the type id or name, case-insensitive); limit/offset paging.
func (s *Sandbox) connectionTypesHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q, limit, offset, err := listQuery(r)
	if err != nil {
		return err
	}
	category, name := strings.ToLower(q.Get("category")), strings.ToLower(q.Get("name"))
	if category != "" && !slices.Contains(connectors.Categories(), category) {
		return badRequest("Parameter 'category' must be one of %s, not '%s'", strings.Join(connectors.Categories(), ", "), q.Get("category"))
	}
	out := []connectors.Type{}
	for _, t := range connectors.Types() {
		if (category == "" || t.Category == category) && (name == "" ||
			strings.Contains(strings.ToLower(t.Type), name) || strings.Contains(strings.ToLower(t.Name), name)) {
			out = append(out, t)
		}
	}
	total := len(out)
	out = out[min(offset, total):min(offset+limit, total)]
	return writeList(w, out, total)
}
