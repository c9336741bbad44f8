package secrets

// Error returns err with its text redacted (Text) and its identity kept: errors.Is and errors.As
// still see err through the result. nil stays nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: r.Text(err.Error()), err: err}
}

// redactedError is the error Redactor.Error returns.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
