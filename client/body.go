package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// TooLargeError says an answer was longer than the client reads (DefaultMaxBody); nothing of it
// is returned.
type TooLargeError struct {
	Endpoint string // method and sanitized path, e.g. "GET /rest/v1/flows?limit=200"
	Limit    int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("client: %s: the answer is larger than %s, the most this server reads from Etlworks; ask for less (a smaller limit, a narrower filter or one object)",
		e.Endpoint, sizeText(e.Limit))
}

// UnexpectedBodyError says a 2xx answer was not the JSON the endpoint sends: an empty body, null,
// an HTML page (a wrong URL, a sign-in page, a proxy) or other text. Usually the base URL points
// somewhere other than the Etlworks REST API.
type UnexpectedBodyError struct {
	Endpoint    string // method and sanitized path
	Status      int
	ContentType string // as sent, bounded
	What        string // "an empty body", "null", "an HTML page", "text that is not JSON", "malformed JSON"
	Start       string // the first bytes, sanitized and bounded; "" for an empty body
}

func (e *UnexpectedBodyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "client: %s answered %d with %s", e.Endpoint, e.Status, e.What)
	switch {
	case e.ContentType != "" && e.Start != "":
		fmt.Fprintf(&b, " (%s: %q)", e.ContentType, e.Start)
	case e.ContentType != "":
		fmt.Fprintf(&b, " (%s)", e.ContentType)
	case e.Start != "":
		fmt.Fprintf(&b, " (%q)", e.Start)
	}
	b.WriteString(" where JSON was expected: " + HTMLHint)
	return b.String()
}

// htmlPage is UnexpectedBodyError.What for a web page.
const htmlPage = "an HTML page"

// errTooLarge is what capReader returns past its limit.
var errTooLarge = errors.New("body over the limit")

// capReader reads at most left bytes from r and fails with errTooLarge when more follow, so a
// decoder working on it never holds more than the limit.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var probe [1]byte
		n, err := c.r.Read(probe[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// streamDecoder is implemented by results too big to hold whole (query results): they read
// themselves from the decoder, keeping only what fits their own budget.
type streamDecoder interface {
	decodeFrom(dec *json.Decoder) error
}

// snippetBytes is how much of an unexpected body an error shows.
const snippetBytes = 120

// decodeBody decodes the JSON body of a 2xx answer into v as it is read, at most c.maxBody bytes.
func (c *Client) decodeBody(r *request, endpoint string, hr *http.Response, v any) error {
	if v == nil {
		return nil
	}
	if hr.ContentLength > c.maxBody {
		return &TooLargeError{Endpoint: endpoint, Limit: c.maxBody} // refused before a byte is read
	}
	br := bufio.NewReader(&capReader{r: hr.Body, left: c.maxBody})
	bad := func(what string) error {
		peek, _ := br.Peek(snippetBytes * 2)
		return &UnexpectedBodyError{Endpoint: endpoint, Status: hr.StatusCode, What: what,
			ContentType: bound.Echo(hr.Header.Get("Content-Type")), Start: snippet(peek, r.secrets)}
	}
	first, err := firstByte(br)
	switch {
	case errors.Is(err, io.EOF):
		if expectsJSON(r, hr) {
			return bad("an empty body")
		}
		return nil
	case err != nil:
		return c.readError(endpoint, err)
	case first == '<':
		return bad(htmlPage)
	case !strings.ContainsRune(`{["-0123456789tfn`, rune(first)):
		return bad("text that is not JSON")
	case first == 'n':
		if head, _ := br.Peek(4); string(head) == "null" && expectsJSON(r, hr) {
			return bad("null")
		}
	}
	dec := json.NewDecoder(br)
	if sd, ok := v.(streamDecoder); ok {
		err = sd.decodeFrom(dec)
	} else {
		err = dec.Decode(v)
	}
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errTooLarge):
		return &TooLargeError{Endpoint: endpoint, Limit: c.maxBody}
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return &UnexpectedBodyError{Endpoint: endpoint, Status: hr.StatusCode, What: "malformed JSON (" + bound.Echo(err.Error()) + ")",
			ContentType: bound.Echo(hr.Header.Get("Content-Type"))}
	case errors.As(err, &typ):
		return fmt.Errorf("client: decode %s response: %s where %s was expected at %q", endpoint, typ.Value, typ.Type, bound.Echo(typ.Field))
	}
	return c.readError(endpoint, err)
}

func (c *Client) readError(endpoint string, err error) error {
	if errors.Is(err, errTooLarge) {
		return &TooLargeError{Endpoint: endpoint, Limit: c.maxBody}
	}
	return fmt.Errorf("client: %s: read body: %w", endpoint, err)
}

// expectsJSON reports whether an empty or null body is an error: a GET always answers with JSON;
// a write may answer 204 or nothing.
func expectsJSON(r *request, hr *http.Response) bool {
	return r.method == http.MethodGet && hr.StatusCode != http.StatusNoContent
}

// firstByte skips leading white space and returns the next byte without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return b, br.UnreadByte()
		}
	}
}

// snippet is the start of an unexpected body as an error may show it: one line, no control
// characters, no credential, at most snippetBytes.
func snippet(b []byte, secretValues []string) string {
	b = bytes.TrimSpace(b)
	s := strings.Join(strings.FieldsFunc(string(b), func(r rune) bool { return r < ' ' || r == 0x7f }), " ")
	s = strings.Join(strings.Fields(s), " ")
	s = secrets.Redact(redact(s, secretValues))
	return bound.Clip(s, snippetBytes)
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// doRaw sends r and returns the JSON answer as it came (nil for an empty one), for the reads and
// writes whose callers project the answer themselves.
func (c *Client) doRaw(ctx context.Context, r *request) (json.RawMessage, *Response, error) {
	var raw json.RawMessage
	resp, err := c.do(ctx, r, &raw)
	if err != nil {
		return nil, resp, err
	}
	return raw, resp, nil
}
