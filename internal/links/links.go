// Package links holds the addresses of the resources that tools point to when they cut a result,
// so the resource that serves an address and the tools that link to it share one spelling.
package links

import "fmt"

// Scheme is the URI scheme of every etlworks-mcp resource.
const Scheme = "etlworks://"

// RunLogTemplate is the run-log resource: {run} is a run id or "latest", and from and to (line
// numbers, 1-based, inclusive, both optional) select a range (RFC 6570 form-style query).
const RunLogTemplate = Scheme + "runs/{flow}/{run}/log{?from,to}"

// RunLog is the address of lines from..to of a run's log, as RunLogTemplate reads it.
func RunLog(flow, run int64, from, to int) string {
	return fmt.Sprintf("%sruns/%d/%d/log?from=%d&to=%d", Scheme, flow, run, from, to)
}
