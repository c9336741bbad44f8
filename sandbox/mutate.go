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
	return s.audited(r, p, started, m.md, m.payload(), err, m.answer)
}

// audited finishes a change that was tried (begun at started, failed with err or nil): the attempt
// is audited whatever its outcome, so the trail shows failures too, and answer runs only after a
// success. Every mutating handler ends here, through mutate or directly.
func (s *Sandbox) audited(r *http.Request, p *principal, started time.Time, md string, payload any, err error,
	answer func() error) error {
	s.recordMutation(r, p, md, payload, err, started)
	if err != nil {
		return err
	}
	return answer()
}

// answerJSON is an answer for audited: 200 with v as the body.
func answerJSON(w http.ResponseWriter, v any) func() error {
	return func() error { return writeJSON(w, http.StatusOK, v) }
}

// deleteToBin finishes the DELETE of a schedule or listener (kind), whose last state del moves to
// the recycle bin: audited, and answered with where it went, for a restore.
func (s *Sandbox) deleteToBin(w http.ResponseWriter, r *http.Request, p *principal, started time.Time, md, kind string,
	id int64, name string, del func() (int64, error)) error {
	binID, err := del()
	return s.audited(r, p, started, md, map[string]any{kind + "Id": id, "name": name, "recycleBinId": binID}, err,
		answerJSON(w, deletedArtifact{ArtifactType: kind, ArtifactID: id, Name: name, RecycleBinID: binID}))
}
