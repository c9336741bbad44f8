package model

import "strings"

// Flow properties that steer connectors the sandbox cannot reach (PostgreSQL, HTTP APIs, S3, FTP):
// they still log and count records, and end as configured.
const (
	PropOutcome = "x-standin-outcome" // success (default) | warning | error
	PropRecords = "x-standin-records" // records an API or remote store yields (default 25)
	PropError   = "x-standin-error"   // error message when the outcome is error
	PropWarning = "x-standin-warning" // warning message when the outcome is warning
)

// InternalPrefix marks the flow properties above. The API never shows them (Etlworks has no such
// properties, and they would tell a client what a run will do), and keeps them when a client
// writes a flow back without them, as every client that edits what it read does.
const InternalPrefix = "x-standin-"

// IsInternalProp reports whether a flow property is one of the internal ones (InternalPrefix).
func IsInternalProp(k string) bool { return strings.HasPrefix(strings.ToLower(k), InternalPrefix) }

// Public returns f as the API shows it: a copy without internal properties.
func (f *Flow) Public() *Flow {
	out := *f
	out.Properties = make(map[string]string, len(f.Properties))
	for k, v := range f.Properties {
		if !IsInternalProp(k) {
			out.Properties[k] = v
		}
	}
	return &out
}

// PublicFlows returns each flow of list as the API shows it (Public).
func PublicFlows(list []*Flow) []*Flow {
	out := make([]*Flow, len(list))
	for i, f := range list {
		out[i] = f.Public()
	}
	return out
}

// KeepInternal copies the internal properties of old that updated does not set.
func KeepInternal(old, updated *Flow) {
	for k, v := range old.Properties {
		if !IsInternalProp(k) {
			continue
		}
		if _, set := updated.Properties[k]; !set {
			if updated.Properties == nil {
				updated.Properties = map[string]string{}
			}
			updated.Properties[k] = v
		}
	}
}
