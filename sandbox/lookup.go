package sandbox

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// loadByID loads one object with get and turns the store's errNotFound into the 404 the API
// promises, "<kind> <id> not found", so every kind of object answers a missing id the same way.
func loadByID[T any](ctx context.Context, kind string, id int64, get func(context.Context, int64) (T, error)) (T, error) {
	v, err := get(ctx, id)
	if errors.Is(err, errNotFound) {
		var zero T
		return zero, notFound("%s %d not found", kind, id)
	}
	return v, err
}

// loadFromPath reads the {id} wildcard (a bad one is a 400 naming "<kind> id") and loads that
// object with get, as loadByID does.
func loadFromPath[T any](r *http.Request, kind string, get func(context.Context, int64) (T, error)) (T, error) {
	id, err := idParam(r, "id", strings.ToLower(kind)+" id")
	if err != nil {
		var zero T
		return zero, err
	}
	return loadByID(r.Context(), kind, id, get)
}

// withLoaded is the opening the handlers that act on one object share: the clock starts (the audit
// records how long the call took), the object the request names is loaded with load (a bad or
// unknown id answers as load says, a 400 or 404), and h runs with it.
func withLoaded[T any](r *http.Request, load func(*http.Request) (T, error), h func(obj T, started time.Time) error) error {
	started := time.Now()
	obj, err := load(r)
	if err != nil {
		return err
	}
	return h(obj, started)
}

// answerLoaded is the body of the handlers that GET one object: the object the request names is
// loaded with load (a bad or unknown id answers as load says, a 400 or 404) and answered, 200, as
// view shows it (secrets masked, internal properties left out, or asIs).
func answerLoaded[T, V any](w http.ResponseWriter, r *http.Request, load func(*http.Request) (T, error), view func(T) V) error {
	obj, err := load(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, view(obj))
}

// asIs is the view of an object answered as it is stored.
func asIs[T any](v T) T { return v }
