package main

import (
	"testing"

	"github.com/etlworks/etlworks-mcp/config"
)

// A forward-mode server keeps Etlworks connections for every caller at its limit; stdio and the
// single-identity modes keep the client's floor.
func TestCallsInFlight(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cfg  config.Config
		want int
	}{
		{config.Config{}, 0},
		{config.Config{HTTPAddr: "127.0.0.1:0", HTTPAuth: config.HTTPAuthNone, MaxCallsPerUser: 8}, 0},
		{config.Config{HTTPAddr: "127.0.0.1:0", HTTPAuth: config.HTTPAuthToken, MaxCallsPerUser: 8}, 0},
		{config.Config{HTTPAddr: "127.0.0.1:0", HTTPAuth: config.HTTPAuthForward, MaxCallsPerUser: 8}, 8 * usersInFlight},
	} {
		if got := callsInFlight(c.cfg); got != c.want {
			t.Errorf("callsInFlight(%s, %q, %d) = %d, want %d", c.cfg.HTTPAddr, c.cfg.HTTPAuth, c.cfg.MaxCallsPerUser, got, c.want)
		}
	}
}
