package client

// Detailed reports whether a run record carries the fields Etlworks documents only in the
// reporting API: started, ended, user, records and exception. The status route's record is
// documented only up to messageId, so an instance may leave them all out;
// a record without a start time is taken to have none of them, and tools then say "unknown"
// rather than show 0 records.
func (e *Execution) Detailed() bool { return e.Started != 0 }
