// Command etlworks-mcp is a Model Context Protocol server for the Etlworks data-integration
// platform: it lets AI assistants list and run flows, read run logs and explain failures.
//
// main is the composition root and the only place that wires packages together: config feeds the
// Etlworks client, the client feeds the tools, and the tools are served by a transport.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is the release version, set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration, 130 interrupted (what
// shells report for a command ended by Ctrl-C: 128 + SIGINT).
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	// A closed stdout (the client went away) must be an error the stdio transport sees, so the
	// server stops and cleans up; by default Go would die of SIGPIPE on the first write.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // the first signal starts a clean stop; a second one ends the process at once
	}()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// streams are the process's standard streams, injected so tests can drive the whole program.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// run dispatches to a subcommand and returns the exit code. Everything the program does happens
// below run, with the environment and streams passed in rather than read from globals.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	std := streams{in: stdin, out: stdout, err: stderr}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && isHelpFlag(args[0]) {
			fmt.Fprint(stdout, usage())
			return exitOK
		}
		return exitCode(runServe(ctx, args, getenv, std), stderr)
	}
	cmd, ok := findSubcommand(args[0])
	if !ok {
		return exitCode(&usageError{fmt.Errorf("unknown subcommand %q; subcommands: %s (or none, to serve MCP)",
			args[0], strings.Join(subcommandNames(), ", "))}, stderr)
	}
	return exitCode(cmd.run(ctx, args[1:], getenv, std), stderr)
}

// subcommand is one word that may start the command line; with none, the program serves MCP.
type subcommand struct {
	name string
	run  func(ctx context.Context, args []string, getenv func(string) string, std streams) error
}

// subcommands is the dispatch table: adding a subcommand is adding a row (and a line in usage).
var subcommands = []subcommand{
	{"call", runCall},
	{"doctor", runDoctor},
	{"help", func(_ context.Context, _ []string, _ func(string) string, std streams) error {
		fmt.Fprint(std.out, usage())
		return nil
	}},
	{"sandbox", func(ctx context.Context, args []string, _ func(string) string, std streams) error {
		return runSandbox(ctx, args, std)
	}},
	{"version", func(_ context.Context, args []string, _ func(string) string, std streams) error {
		if len(args) > 0 {
			return &usageError{fmt.Errorf("version takes no arguments, got %q", args[0])}
		}
		printVersion(std)
		return nil
	}},
}

func findSubcommand(name string) (subcommand, bool) {
	for _, c := range subcommands {
		if c.name == name {
			return c, true
		}
	}
	return subcommand{}, false
}

func subcommandNames() []string {
	names := make([]string, len(subcommands))
	for i, c := range subcommands {
		names[i] = c.name
	}
	return names
}

func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help"
}

func printVersion(std streams) { fmt.Fprintf(std.out, "etlworks-mcp %s\n", version) }

// usageError marks a mistake in how the program was called; it exits with code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// toolFailedError marks a `call` whose tool reported an error; the error was already printed.
type toolFailedError struct{}

func (toolFailedError) Error() string { return "the tool reported an error" }

// interruptedError marks a `call` stopped by Ctrl-C; what that means was already printed.
type interruptedError struct{}

func (interruptedError) Error() string { return "interrupted" }

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, context.Canceled) {
		return exitOK
	}
	if errors.Is(err, toolFailedError{}) {
		return exitFailure
	}
	if errors.Is(err, interruptedError{}) {
		return exitInterrupted
	}
	var ue *usageError
	var re *reportedError // already logged (as JSON)
	if errors.As(err, &ue) {
		if !errors.As(err, &re) {
			fmt.Fprintf(stderr, "etlworks-mcp: %v\nRun 'etlworks-mcp --help' for usage.\n", ue.err)
		}
		return exitUsage
	}
	if !errors.As(err, &re) {
		fmt.Fprintf(stderr, "etlworks-mcp: %v\n", err)
	}
	return exitFailure
}
