package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/secrets"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// runSandbox serves only the embedded Etlworks-compatible API, printing how to reach it, until a
// signal arrives. It is for trying the API with curl and for pointing other tools at it.
func runSandbox(ctx context.Context, args []string, std streams) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	data := fs.String("sandbox-data", "", "directory that keeps the sandbox state; empty keeps it in memory")
	profile := fs.String("profile", sandbox.ProfileExtended, "what the sandbox serves: documented or extended")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(std.out, "Usage: etlworks-mcp sandbox [--addr 127.0.0.1:8080] [--sandbox-data DIR] [--profile documented|extended]")
			return nil
		}
		return &usageError{fmt.Errorf("sandbox: %v (flags: --addr host:port, --sandbox-data DIR, --profile documented|extended)", err)}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Errorf("sandbox: unexpected argument %q", fs.Arg(0))}
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return &usageError{fmt.Errorf("sandbox: --addr %q must be host:port, e.g. 127.0.0.1:8080", *addr)}
	}
	if !slices.Contains(sandbox.Profiles(), *profile) {
		return &usageError{fmt.Errorf("sandbox: --profile %q must be one of %s", *profile, strings.Join(sandbox.Profiles(), ", "))}
	}
	log := newLogger(defaultLogConfig(), std.err, secrets.NewRedactor())
	sb, err := sandbox.Start(ctx, *addr, sandbox.Options{DataDir: *data, Profile: *profile, Logger: log.With("component", "sandbox")})
	if err != nil {
		return fmt.Errorf("start the sandbox: %w", err)
	}
	defer sb.Close()
	c := sb.Sandbox.Credentials()
	fmt.Fprintf(std.out, `Etlworks sandbox API at %s
  profile:       %s
  demo login:    %s / %s
  API key:       %s
  CRM database password (to fix "Sync CRM customers"): %s

%s
Try:
  curl -s -H "Authorization: Bearer $KEY" %s/v1/flows
  curl -s -X POST -H "Content-Type: application/json" -d '{"login":"%s","password":"%s"}' %s/v1/token-auth/issue
Stop with Ctrl-C.
`, c.URL, sb.Sandbox.Profile(), c.Login, c.Password, c.APIKey, c.CRMPassword, demoUserKeys(c.Users), sb.URL, c.Login, c.Password, sb.URL)
	<-ctx.Done()
	return nil
}

// demoUserKeys lists each demo user's API key, for trying a server that acts as each caller
// (--http-auth forward) with several users and roles.
func demoUserKeys(users []sandbox.DemoUser) string {
	var b strings.Builder
	b.WriteString("Demo users, one per role (send a key as Authorization: Bearer <key> to a server run with --http-auth forward):\n")
	for _, u := range users {
		fmt.Fprintf(&b, "  user %-7s %-14s %s\n", u.Login, u.Role, u.APIKey)
	}
	return b.String()
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
