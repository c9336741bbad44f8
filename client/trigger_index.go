package client

import "encoding/json"

// Trigger rows. What starts a flow (get_flow's started_by) is its schedules and its listeners;
// reading both lists on every get_flow costs two REST requests per call. So the schedule and
// listener indexes keep, beside each id and name, the flow it runs and the few fields of its list
// row that say when or how it starts it, and index them by flow: a warm get_flow reads no list,
// and the indexes' rules (TTL, background rebuild, outdated by any write of the kind through this
// client, per credential, bounded) are the only rules of this cache.

// triggerRow is the part of a schedule or listener list row a trigger line reads; every field is
// kept as the server sent it, so the cut row reads exactly as the whole row would.
type triggerRow struct {
	ID         json.RawMessage `json:"id,omitempty"`
	Name       json.RawMessage `json:"name,omitempty"`
	FlowID     json.RawMessage `json:"flowId,omitempty"`
	Enabled    json.RawMessage `json:"enabled,omitempty"`    // schedule
	Schedule   json.RawMessage `json:"schedule,omitempty"`   // schedule: cron or interval
	NextRuns   json.RawMessage `json:"nextRuns,omitempty"`   // schedule
	NextRun    json.RawMessage `json:"nextRun,omitempty"`    // schedule
	Properties json.RawMessage `json:"properties,omitempty"` // listener: cut to listenerProps
}

// listenerProps is the part of a listener's properties a trigger line reads.
type listenerProps struct {
	Method     json.RawMessage `json:"method,omitempty"`
	URLPattern json.RawMessage `json:"urlPattern,omitempty"`
}

// carriesTriggers reports whether kind's index keeps trigger rows.
func carriesTriggers(kind Kind) bool { return kind == KindSchedule || kind == KindListener }

// triggerEntry cuts a schedule or listener list row to its trigger row; false when the row is not
// a JSON object. A row whose id is not a whole number is kept for its trigger line but not by
// name (a name must resolve to an id); a flowId that is not one counts as 0.
func triggerEntry(row json.RawMessage) (NameEntry, bool) {
	var r triggerRow
	if json.Unmarshal(row, &r) != nil {
		return NameEntry{}, false
	}
	var p listenerProps
	if json.Unmarshal(r.Properties, &p) == nil && len(p.Method)+len(p.URLPattern) > 0 {
		r.Properties, _ = json.Marshal(p)
	} else {
		r.Properties = nil // not an object, or none of the fields read: absent reads the same
	}
	var id, flow ID
	var name string
	_ = json.Unmarshal(r.FlowID, &flow)
	if json.Unmarshal(r.ID, &id) == nil {
		_ = json.Unmarshal(r.Name, &name)
	}
	cut, err := json.Marshal(r)
	if err != nil {
		return NameEntry{}, false
	}
	return NameEntry{ID: int64(id), Name: name, FlowID: int64(flow), Row: cut}, true
}

// Starting returns the schedules or listeners of this index that run flowID, in list order, each
// with its trigger row (Row): what starts a flow, without reading the list again.
func (l *NameList) Starting(flowID int64) []NameEntry {
	var out []NameEntry
	for _, i := range l.byFlow[flowID] {
		out = append(out, l.Entries[i])
	}
	return out
}
