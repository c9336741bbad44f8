package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// Create adds a flow. def is a flow definition in the shape Get returns (without id); the answer
// is the stored flow. Definitions are passed through as raw JSON so that fields this client does
// not model reach Etlworks untouched.
func (s *FlowsService) Create(ctx context.Context, def json.RawMessage) (json.RawMessage, *Response, error) {
	return s.client.sendRaw(ctx, http.MethodPost, "v1/flows", nil, def)
}

// Update replaces flow id's definition with def and returns the stored flow. The body is the whole
// definition, not a patch: read it with Get, change it and send it back, so a field this client
// does not know survives the round trip.
func (s *FlowsService) Update(ctx context.Context, id int64, def json.RawMessage) (json.RawMessage, *Response, error) {
	return s.client.sendRaw(ctx, http.MethodPut, "v1/flows/"+itoa(id), nil, def)
}

// Deletion says what was deleted and where it went, so it can be restored from the recycle bin.
// Servers name the object differently (flowId for flows, artifactType/artifactId for others);
// ObjectID reads whichever is there.
type Deletion struct {
	ArtifactType string `json:"artifactType"`
	ArtifactID   ID     `json:"artifactId"`
	FlowID       ID     `json:"flowId"`
	ConnectionID ID     `json:"connectionId"`
	ID           ID     `json:"id"`
	Name         string `json:"name"`
	RecycleBinID ID     `json:"recycleBinId"` // 0 when the server did not say (or keeps no copy)
	// DeletedWith lists what went to the recycle bin along with it (a flow's schedules and listeners).
	DeletedWith []Artifact `json:"deletedWith"`
	// UsedByFlows lists the flows that used a deleted connection: they fail until it is restored.
	UsedByFlows []FlowUse `json:"usedByFlows"`
}

// FlowUse names a flow that uses a deleted connection.
type FlowUse struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
}

// ObjectID is the id of the deleted object, or 0 when the answer did not carry it.
func (d *Deletion) ObjectID() int64 {
	for _, id := range []ID{d.ArtifactID, d.FlowID, d.ConnectionID, d.ID} {
		if id != 0 {
			return int64(id)
		}
	}
	return 0
}

// Delete moves flow id to the recycle bin. An answer without a body (204) gives a zero Deletion.
func (s *FlowsService) Delete(ctx context.Context, id int64) (*Deletion, *Response, error) {
	return s.client.deleteTo(ctx, "v1/flows/"+itoa(id))
}

// sendRaw sends body (raw JSON, or nil for none) and returns the raw JSON answer.
func (c *Client) sendRaw(ctx context.Context, method, path string, q url.Values, body json.RawMessage) (json.RawMessage, *Response, error) {
	var v any // stays nil for no body; a nil RawMessage would be sent as "null"
	if body != nil {
		v = body // json.Marshal checks and compacts it
	}
	r, err := newJSONRequest(method, path, q, v)
	if err != nil {
		return nil, nil, err
	}
	return c.doRaw(ctx, r)
}

// deleteTo sends DELETE path. Etlworks documents no delete response body, so any
// 2xx is success whatever it carries (nothing, true, a number, text, JSON): a JSON object is read
// into the Deletion as far as it matches, anything else gives a zero Deletion, and a completed
// delete never fails on decoding.
func (c *Client) deleteTo(ctx context.Context, path string) (*Deletion, *Response, error) {
	body, resp, err := c.exchange(ctx, &request{method: http.MethodDelete, path: path})
	if err != nil {
		return nil, resp, err
	}
	out := new(Deletion)
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '{' {
		var fields map[string]json.RawMessage
		if json.Unmarshal(b, &fields) == nil {
			for k, v := range fields { // field by field, so one odd field does not lose the rest
				key, _ := json.Marshal(k)
				_ = json.Unmarshal([]byte(`{`+string(key)+`:`+string(v)+`}`), out)
			}
		}
	}
	return out, resp, nil
}

// SetSuspended suspends (true) or resumes (false) flow id and returns the stored flow. Both are
// operations Etlworks documents without showing their routes (ours are inferred), so an
// instance without them answers with an *AbsentError for CapFlowSuspend.
func (s *FlowsService) SetSuspended(ctx context.Context, id int64, suspended bool) (json.RawMessage, *Response, error) {
	action := "/resume"
	if suspended {
		action = "/suspend"
	}
	return s.client.sendRaw(ctx, http.MethodPost, "v1/flows/"+itoa(id)+action, nil, nil)
}
