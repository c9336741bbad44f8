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
	"syscall"
)

// version is the release version, set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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
	var err error
	switch {
	case len(args) > 0 && args[0] == "sandbox":
		err = runSandbox(ctx, args[1:], std)
	case len(args) > 0 && args[0] == "call":
		err = runCall(ctx, args[1:], getenv, std)
	case len(args) > 0 && args[0] == "doctor":
		err = runDoctor(ctx, args[1:], getenv, std)
	case len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help"):
		fmt.Fprint(stdout, usage())
		return exitOK
	default:
		err = runServe(ctx, args, getenv, std)
	}
	return exitCode(err, stderr)
}

// usageError marks a mistake in how the program was called; it exits with code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// toolFailedError marks a `call` whose tool reported an error; the error was already printed.
type toolFailedError struct{}

func (toolFailedError) Error() string { return "the tool reported an error" }

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, context.Canceled) {
		return exitOK
	}
	if errors.Is(err, toolFailedError{}) {
		return exitFailure
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "etlworks-mcp: %v\nRun 'etlworks-mcp --help' for usage.\n", ue.err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "etlworks-mcp: %v\n", err)
	return exitFailure
}
