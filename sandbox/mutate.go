package sandbox

import (
	"net/http"
	"time"
)

// mutation is what differs between the handlers that create or edit an object; mutate runs the
// skeleton they share. Each step runs only when the ones before it succeeded; the attempt is
// audited whatever its outcome, so the trail shows failures too, and the answer is written only
// after a success.
type mutation struct {
	md      string                // the audit method: addFlow, editListener, ...
	body    any                   // where the request body is decoded
	check   func() error          // normalizes and validates what was decoded
	save    func() error          // the store call
	payload func() map[string]any // the audit payload, built after save so it can name a new id
	answer  func() error          // writes the response
}

// mutate decodes the body into m.body, checks and saves it, audits the attempt (begun at started)
// and answers.
func (s *Sandbox) mutate(r *http.Request, p *principal, started time.Time, m mutation) error {
	err := decodeJSON(r, m.body)
	if err == nil {
		err = m.check()
	}
	if err == nil {
		err = m.save()
	}
	s.recordMutation(r, p, m.md, m.payload(), err, started)
	if err != nil {
		return err
	}
	return m.answer()
}
