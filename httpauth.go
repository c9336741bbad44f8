package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/config"
	"github.com/etlworks/etlworks-mcp/internal/telemetry"
	"github.com/etlworks/etlworks-mcp/transport"
)

// httpAuth is the bearer check /mcp applies in the configured mode; nil for none.
func httpAuth(cfg config.Config, api *client.Client, log *slog.Logger) *transport.BearerAuth {
	switch cfg.HTTPAuth {
	case config.HTTPAuthToken:
		return transport.TokenAuth(cfg.Token)
	case config.HTTPAuthForward:
		if api == nil {
			// Serving unconnected: there is no Etlworks to judge a key, and nothing to protect
			// (every tool answers the configuration message), but a key is still asked for.
			return &transport.BearerAuth{Want: "your Etlworks API key", Check: func(ctx context.Context, _ string) (context.Context, error) { return ctx, nil }}
		}
		return forwardAuth(api, log)
	}
	return nil
}

// forwardAuth accepts a request whose bearer credential Etlworks accepts as an API key (the one
// credential check, its verdict kept for a minute per key) and continues it with that key, so
// every Etlworks call it makes acts as the key's user. Log lines of the request carry a short
// hash of the key (caller=…), never the key.
func forwardAuth(api *client.Client, log *slog.Logger) *transport.BearerAuth {
	return &transport.BearerAuth{
		Want: "your Etlworks API key",
		Check: func(ctx context.Context, key string) (context.Context, error) {
			ctx = client.WithRequestAPIKey(ctx, key)
			ctx = telemetry.WithLogAttrs(ctx, slog.String("caller", api.CredentialID(ctx)))
			check := api.VerifyCredential(ctx)
			switch check.Verdict {
			case client.CredentialAccepted, client.CredentialRefused:
				return ctx, nil
			case client.CredentialRejected:
				log.DebugContext(ctx, "Etlworks rejected a caller's API key", "status", check.Status)
				return ctx, errors.New((&client.CredentialError{Check: check}).Error())
			}
			return ctx, fmt.Errorf("Etlworks did not answer the check of this API key (%v): %w", check.Err, transport.ErrCannotVerify)
		},
	}
}

// authNote says, for the start-up line, who may call /mcp and as whom.
func authNote(cfg config.Config) string {
	switch cfg.HTTPAuth {
	case config.HTTPAuthForward:
		return "auth forward: each request acts as the Etlworks user of its Bearer API key"
	case config.HTTPAuthToken:
		return "auth token: requests send ETLWORKS_MCP_TOKEN as Bearer; Etlworks sees the server's credentials"
	}
	return "auth none: loopback only"
}
