package client

import (
	"encoding/json"
	"testing"
	"time"
)

func TestID_UnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    ID
		wantErr bool
	}{
		{`42`, 42, false},
		{`"42"`, 42, false},
		{`null`, 0, false},
		{`""`, 0, false},
		{`-1`, -1, false},
		{`"9223372036854775807"`, 9223372036854775807, false},
		{`"abc"`, 0, true},
		{`4.5`, 0, true},
		{`"4.5"`, 0, true},
		{`true`, 0, true},
		{`"9223372036854775808"`, 0, true},
	}
	for _, tt := range tests {
		var got ID = 99
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && got != tt.want {
			t.Errorf("%s: %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestMillis(t *testing.T) {
	t.Parallel()
	var m Millis
	if err := json.Unmarshal([]byte(`"1584896338701"`), &m); err != nil || m != 1584896338701 {
		t.Fatalf("string timestamp: %d, %v", m, err)
	}
	want := time.Date(2020, 3, 22, 16, 58, 58, 701e6, time.UTC)
	if got := m.Time(); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Time() = %v, want %v", got, want)
	}
	if !Millis(0).Time().IsZero() {
		t.Error("Millis(0).Time() is not the zero time")
	}
	if err := json.Unmarshal([]byte(`"yesterday"`), &m); err == nil {
		t.Error("no error for a non-numeric timestamp")
	}
}

func TestRunCode_String(t *testing.T) {
	t.Parallel()
	want := map[RunCode]string{
		RunStarted: "started", RunRunning: "running", RunCanceled: "canceled", RunNotStarted: "not started",
		RunSucceeded: "success", RunFailed: "error", 9: "status 9", -1: "status -1",
	}
	for c, s := range want {
		if got := c.String(); got != s {
			t.Errorf("RunCode(%d).String() = %q, want %q", int(c), got, s)
		}
	}
}

func TestExecutionStatus_Terminal(t *testing.T) {
	t.Parallel()
	want := map[ExecutionStatus]bool{
		StatusQueued: false, StatusRunning: false, StatusSuccess: true, StatusWarning: true,
		StatusError: true, StatusCanceled: true, "": false, "paused": false,
	}
	for s, term := range want {
		if got := s.Terminal(); got != term {
			t.Errorf("%q.Terminal() = %v, want %v", s, got, term)
		}
	}
}

func TestExecution_Duration(t *testing.T) {
	t.Parallel()
	now := time.UnixMilli(1_000_000).UTC()
	tests := []struct {
		name string
		e    Execution
		want time.Duration
	}{
		{"not started", Execution{}, 0},
		{"ended", Execution{Started: 10_000, Ended: 13_500}, 3500 * time.Millisecond},
		{"still running", Execution{Started: 990_000}, 10 * time.Second},
		{"clock skew", Execution{Started: 2_000_000}, 0},
	}
	for _, tt := range tests {
		if got := tt.e.Duration(now); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}
