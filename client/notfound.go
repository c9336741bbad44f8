package client

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// notFoundFingerprint tells a 404 that means "no such route" from one that means "no such
// object". Etlworks documents neither, so the client asks the instance once per credential:
//   - unknown: its answer to GET v1/etlworks-mcp-no-such-route (a path no Etlworks has);
//   - object: its answer to GET v1/flows/{an id no flow has} (a documented route).
//
// Each answer is reduced to a signature: status, error and message with the request's path,
// method and numbers replaced. A 404 from a route with an id is a missing route when its
// signature equals unknown's and unknown's differs from object's. When both are alike (a server
// that answers every 404 the same), nothing is concluded: the 404 stays an object's.
type notFoundFingerprint struct {
	unknown, object string
	usable          bool
}

// unknownRoute is a path no Etlworks serves.
const unknownRoute = "v1/etlworks-mcp-no-such-route"

// routeMissing reports whether api, a 404, is this instance's answer to an unknown path.
func (c *Client) routeMissing(ctx context.Context, cr *credential, api *APIError) bool {
	cr.fpOnce.Do(func() { cr.fp = c.fingerprint(context.WithoutCancel(ctx)) })
	return cr.fp.usable && notFoundSignature(api) == cr.fp.unknown
}

func (c *Client) fingerprint(ctx context.Context) notFoundFingerprint {
	sig := func(path string) string {
		_, _, err := c.exchangeHead(ctx, &request{method: http.MethodGet, path: path}, probeHead)
		var api *APIError
		if !errors.As(err, &api) || api.Status != http.StatusNotFound {
			return ""
		}
		return notFoundSignature(api)
	}
	fp := notFoundFingerprint{unknown: sig(unknownRoute), object: sig("v1/flows/" + probeID)}
	fp.usable = fp.unknown != "" && fp.unknown != fp.object
	c.log.Debug("etlworks 404 fingerprint", "usable", fp.usable)
	return fp
}

var digits = lazyre.New(`[0-9]+`)

// notFoundSignature reduces a 404 to what does not depend on the request.
func notFoundSignature(api *APIError) string {
	path, _, _ := strings.Cut(api.Path, "?")
	norm := func(s string) string {
		if path != "" {
			s = strings.ReplaceAll(s, path, "{path}")
			if i := strings.Index(path, "/v1/"); i > 0 {
				s = strings.ReplaceAll(s, path[i:], "{path}")
				s = strings.ReplaceAll(s, path[i+1:], "{path}")
			}
		}
		s = strings.ReplaceAll(s, api.Method, "{method}")
		return digits.ReplaceAllString(s, "#")
	}
	return "404|" + norm(api.ErrorText) + "|" + norm(api.Message)
}
