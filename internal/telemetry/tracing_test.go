package telemetry

import (
	"context"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestTracingEnabled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"OTEL_SERVICE_NAME": "x"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, false},
		{map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, false},
	}
	for _, tt := range tests {
		if got := TracingEnabled(envOf(tt.env)); got != tt.want {
			t.Errorf("TracingEnabled(%v) = %v, want %v", tt.env, got, tt.want)
		}
	}
}

func TestNewTracing(t *testing.T) {
	t.Parallel()
	off, err := NewTracing(context.Background(), envOf(nil), "test")
	if err != nil || off.Enabled || off.Shutdown(context.Background()) != nil {
		t.Fatalf("off: %+v %v", off, err)
	}
	// The exporter only dials when spans are flushed; none are, so nothing leaves the machine.
	on, err := NewTracing(context.Background(), envOf(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}), "test")
	if err != nil || !on.Enabled {
		t.Fatalf("on: %+v %v", on, err)
	}
	if err := on.Shutdown(context.Background()); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	for env, want := range map[string]string{
		"OTEL_TRACES_EXPORTER=zipkin":      "otlp",
		"OTEL_EXPORTER_OTLP_PROTOCOL=grpc": "4318",
		"OTEL_TRACES_EXPORTER=console":     "none",
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := NewTracing(context.Background(), envOf(map[string]string{k: v, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}), "test")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), k) {
			t.Errorf("%s: %v, want an error naming %s and %q", env, err, k, want)
		}
	}
}
