package sandbox

import (
	"fmt"
	"strings"
)

// Sandbox profiles (Options.Profile).
const (
	// ProfileDocumented serves only what public Etlworks documentation shows ([V], [V*], [X] rows,
	// in the documented shapes), so a client can be checked against what a real instance promises.
	ProfileDocumented = "documented"
	// ProfileExtended also serves our own [I] routes, parameters and fields; it is the default.
	ProfileExtended = "extended"
)

// Profiles lists the accepted values of Options.Profile, for flags, help and error messages.
func Profiles() []string { return []string{ProfileDocumented, ProfileExtended} }

// profile is what a profile name means to the router. Only the router looks at it: handlers
// implement the extended contract, and the route table says how the documented profile trims it.
type profile struct {
	name     string
	extended bool // serve [I] routes, honour [I] parameters, emit [I] fields
}

// resolveProfile maps Options.Profile to its profile; "" is the default, extended.
func resolveProfile(name string) (profile, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", ProfileExtended:
		return profile{name: ProfileExtended, extended: true}, nil
	case ProfileDocumented:
		return profile{name: ProfileDocumented}, nil
	}
	return profile{}, fmt.Errorf("sandbox profile %q is not known; use %s", name, strings.Join(Profiles(), " or "))
}

// Profile names the profile this sandbox serves: "documented" or "extended".
func (s *Sandbox) Profile() string { return s.prof.name }
