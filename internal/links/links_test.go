package links

import "testing"

func TestRunLog(t *testing.T) {
	if got := RunLog(2, 17, 1, 40); got != "etlworks://runs/2/17/log?from=1&to=40" {
		t.Fatalf("RunLog: %s", got)
	}
}

func TestTableRows(t *testing.T) {
	if got := TableRows(3, "incoming/people 1.csv", 101, 200); got != "etlworks://connections/3/objects/incoming%2Fpeople%201.csv/rows?from=101&to=200" {
		t.Fatalf("TableRows: %s", got)
	}
}
