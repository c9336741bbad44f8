package links

import "testing"

func TestRunLog(t *testing.T) {
	if got := RunLog(2, 17, 1, 40); got != "etlworks://runs/2/17/log?from=1&to=40" {
		t.Fatalf("RunLog: %s", got)
	}
}
