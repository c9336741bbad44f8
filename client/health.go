package client

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// HealthSummary is the instance's GET /health answer reduced to what a person needs: the overall
// status and one short line per component (Etlworks documents GET /health, without /rest and
// without auth, as an overall status plus a status per component).
type HealthSummary struct {
	Status        string            `json:"status"`
	Components    map[string]string `json:"components,omitempty"` // "UP", "DOWN", "UP, 511.9 GiB free"
	Down          []string          `json:"down,omitempty"`       // components whose status is not UP
	RunningFlows  *int64            `json:"running_flows,omitempty"`
	SchemaVersion *int64            `json:"schema_version,omitempty"` // db.schema.version, a version hint
}

// HealthSummary reads GET /health (no credential) and summarizes it.
func (s *SystemService) HealthSummary(ctx context.Context) (*HealthSummary, error) {
	raw, _, err := s.Health(ctx)
	if err != nil {
		return nil, err
	}
	return summarizeHealth(raw)
}

func summarizeHealth(raw json.RawMessage) (*HealthSummary, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("client: GET /health: not a JSON object: %w", err)
	}
	h := &HealthSummary{Components: map[string]string{}}
	_ = json.Unmarshal(top["status"], &h.Status)
	if h.Status == "" {
		return nil, fmt.Errorf("client: GET /health: the answer has no status")
	}
	for name, v := range top {
		var part map[string]any
		if json.Unmarshal(v, &part) != nil {
			continue
		}
		st, _ := part["status"].(string)
		if st == "" {
			continue
		}
		line := st
		switch name {
		case "disk", "dataDisk":
			if free, ok := part["free.human"].(string); ok {
				line += ", " + free + " free"
			}
		case "cpu":
			if load, ok := part["systemload.average"].(float64); ok && load >= 0 {
				line += fmt.Sprintf(", load %.2f", load)
			}
		case "db":
			if n, ok := part["running.flows"].(float64); ok {
				h.RunningFlows = ptrInt(int64(n))
			}
			if n, ok := part["schema.version"].(float64); ok {
				h.SchemaVersion = ptrInt(int64(n))
			}
		}
		h.Components[name] = line
		if !strings.EqualFold(st, "UP") {
			h.Down = append(h.Down, name)
		}
	}
	sort.Strings(h.Down)
	return h, nil
}

func ptrInt(n int64) *int64 { return &n }
