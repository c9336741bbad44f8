package client

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// SetFields returns obj, a JSON object, with the given top-level fields set (a nil value removes
// the field) and every other field kept byte for byte: the read-modify-write of a whole object
// that Etlworks' edit endpoints (flows, connections, schedules) expect, without a typed struct
// that would drop fields it does not model or change their types.
func SetFields(obj json.RawMessage, fields map[string]any) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil || m == nil {
		return nil, fmt.Errorf("client: the object to edit is not a JSON object: %.40s", bytes.TrimSpace(obj))
	}
	for k, v := range fields {
		if v == nil {
			delete(m, k)
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("client: field %q: %w", k, err)
		}
		m[k] = b
	}
	return json.Marshal(m)
}
