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

// DescribeError is the one-line text a tool result gives for err (for doctor and prompts, which
// show the same messages outside a tool call).
func DescribeError(err error) string { return describeError(err) }

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
		return byName.Error() + fmt.Sprintf(". Use list_%ss to see the available %ss.", byName.Kind, byName.Kind)
	}
	var absent *client.AbsentError
	if errors.As(err, &absent) {
		return absent.Error()
	}
	var cred *client.CredentialError
	if errors.As(err, &cred) {
		return describeCredential(cred)
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

// describeCredential says that the credential check failed and what to check, naming the
// settings the operator controls.
func describeCredential(e *client.CredentialError) string {
	switch {
	case e.Check.Verdict == client.CredentialRefused:
		return e.Error() + ". Use a user with the Editor or Administrator role, or ask the administrator to allow API keys for this role (Settings > Users)."
	case e.Check.Login:
		return e.Error() + ". Check ETLWORKS_USERNAME and ETLWORKS_PASSWORD, and that the user may sign in" + restartHint("ETLWORKS_PASSWORD=<the password>")
	}
	return e.Error() + ". Check ETLWORKS_API_KEY: it may be mistyped, expired or revoked (make a new one in Settings > Users > Edit user > API Key), or API-key sign-in may be disabled for this user's role" +
		restartHint("ETLWORKS_API_KEY=<the new key>")
}

// restartHint says where a credential is set, with an example, for a message that reaches the chat.
func restartHint(example string) string {
	return ". Set it in the environment of this MCP server (the \"env\" of its entry in the client's configuration), e.g. " +
		example + ", then restart the server."
}
