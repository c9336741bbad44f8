package config

import (
	"fmt"
	"strings"
)

// FieldError reports one setting that cannot be used. It names the place the value came from
// (the flag or the environment variable the user actually set), so the message points at the
// thing to edit rather than at a Go field name. Load may return several, joined with errors.Join;
// errors.As finds the first.
type FieldError struct {
	// Field is where the value came from: "--log-level", "ETLWORKS_URL", "ETLWORKS_API_KEY_FILE".
	Field string
	// Value is the offending value as given. It is left empty for secrets, so an error message
	// printed to a terminal or a log never carries a key or a password.
	Value string
	// Allowed lists the accepted values when the setting is an enumeration.
	Allowed []string
	// Reason says what is wrong and what to do instead, when Allowed alone does not.
	Reason string
}

// Error renders `FIELD "VALUE": must be one of a, b` or `FIELD "VALUE": reason`; without a value
// (a missing or secret setting) it is `FIELD: reason`.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.Field)
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", e.Value)
	}
	b.WriteString(": ")
	switch {
	case len(e.Allowed) > 0 && e.Reason != "":
		fmt.Fprintf(&b, "must be one of %s (%s)", strings.Join(e.Allowed, ", "), e.Reason)
	case len(e.Allowed) > 0:
		fmt.Fprintf(&b, "must be one of %s", strings.Join(e.Allowed, ", "))
	default:
		b.WriteString(e.Reason)
	}
	return b.String()
}

// connectionKeys are the settings that say where Etlworks is and how to sign in.
var connectionKeys = []string{keyURL, keyAPIKey, keyUsername, keyPassword}

// IsConnectionProblem reports whether err, as Load returns it, is only about the Etlworks URL or
// credentials (missing, malformed or contradictory): a server can still start, answer initialize
// and tell the chat what to set, where any other configuration error must stop it at start.
func IsConnectionProblem(err error) bool {
	if err == nil {
		return false
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			if !IsConnectionProblem(e) {
				return false
			}
		}
		return true
	}
	fe, ok := err.(*FieldError)
	if !ok {
		return false
	}
	for _, k := range connectionKeys {
		s := setting(k)
		if fe.Field != "" && (fe.Field == s.Flag || fe.Field == s.Env || fe.Field == s.EnvFile) {
			return true
		}
	}
	return false
}
