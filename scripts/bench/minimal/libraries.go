//go:build libraries

package main

// Built with -tags libraries, the minimal server also links the libraries etlworks-mcp must link
// whatever it does at start-up (the Prometheus client, the OpenTelemetry SDK and OTLP exporter, the
// SQLite driver of the embedded sandbox, the schema reflector, gjson, tint): their package
// initialisation alone is the floor under etlworks-mcp's cold start and idle memory.
import (
	_ "github.com/invopop/jsonschema"
	_ "github.com/lmittmann/tint"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/tidwall/gjson"
	_ "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	_ "go.opentelemetry.io/otel/sdk/trace"
	_ "modernc.org/sqlite"
)
