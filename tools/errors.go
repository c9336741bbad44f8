package tools

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// describeError turns an error into one actionable line for the model: what went wrong and what to
// do next. Etlworks' own message is kept; credentials never appear (the client sanitizes them).
func describeError(err error) string {
	var in *inputError
	if errors.As(err, &in) {
		return in.Error()
	}
	var nf *notFoundError
	if errors.As(err, &nf) {
		return nf.Error()
	}
	var byName *client.NameNotFoundError
	if errors.As(err, &byName) {
		return notFound(byName.Kind, byName.Name, byName.Names).Error()
	}
	var api *client.APIError
	if errors.As(err, &api) {
		return describeAPIError(api)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Etlworks did not answer in time; try again, or narrow the request."
	}
	return redact(strings.TrimPrefix(err.Error(), "client: "))
}

// describeAPIError words an upstream error by status. Etlworks' message is quoted (escaped and at
// most bound.EchoBytes long), so it reads as what Etlworks said, never as the server's own words.
func describeAPIError(e *client.APIError) string {
	msg := e.Message
	if msg == "" {
		msg = e.ErrorText
	}
	msg = bound.Quote(redact(msg))
	if e.Page != "" {
		return fmt.Sprintf("Etlworks answered %d with an HTML page (%q), not its JSON: %s.", e.Status, e.Page, client.HTMLHint)
	}
	switch {
	case e.Status == http.StatusUnauthorized:
		return fmt.Sprintf("Etlworks rejected the credentials (401: %s). Check ETLWORKS_API_KEY or the username and password.", msg)
	case e.Status == http.StatusForbidden:
		return fmt.Sprintf("the Etlworks user lacks permission for this (403: %s). Ask an administrator for a role that allows it.", msg)
	case e.Status == http.StatusNotFound:
		return fmt.Sprintf("not found in Etlworks (404: %s). Check the id or name with the matching list_ tool.", msg)
	case e.Status == http.StatusConflict || e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity:
		return fmt.Sprintf("Etlworks refused the request (%d: %s).", e.Status, msg)
	case e.Status == http.StatusTooManyRequests || e.Status >= 500:
		wait := ""
		if e.RetryAfter > 0 {
			wait = fmt.Sprintf(" after %s", e.RetryAfter)
		}
		return fmt.Sprintf("Etlworks is unavailable or busy (%d: %s). Retry%s.", e.Status, msg, wait)
	}
	return fmt.Sprintf("Etlworks answered %d: %s", e.Status, msg)
}
