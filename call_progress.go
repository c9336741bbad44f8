package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mattn/go-isatty"
)

// progressPrinter shows a call's progress notifications on stderr. On a terminal it keeps one
// line and rewrites it in place; on a pipe or file it prints one timestamped line per update, so
// logs and CI output stay readable. It is safe for the client's notification goroutine: once
// close returns, it writes nothing more, so no write can outlive the command that owns w.
type progressPrinter struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	width  int  // columns of the terminal line
	drawn  bool // a line is on the terminal without its newline yet
	closed bool
	now    func() time.Time
}

// newProgressPrinter decides the form from w: in place only when w is a terminal.
func newProgressPrinter(w io.Writer, getenv func(string) string) *progressPrinter {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return &progressPrinter{w: w, tty: tty, width: terminalWidth(getenv), now: time.Now}
}

// terminalWidth is the width of the in-place line: $COLUMNS when the shell exports it, else 80.
// Going past the width would wrap, and a wrapped line can no longer be rewritten in place.
func terminalWidth(getenv func(string) string) int {
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n >= 20 && n <= 1000 {
		return n
	}
	return 80
}

// notify is the client's notification handler; it shows progress messages and ignores the rest.
func (p *progressPrinter) notify(n mcp.JSONRPCNotification) {
	if n.Method != string(mcp.MethodNotificationProgress) {
		return
	}
	msg, ok := n.Params.AdditionalFields["message"].(string)
	if !ok || msg == "" {
		return
	}
	p.show(msg)
}

// show prints one progress message in the printer's form.
func (p *progressPrinter) show(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	line := p.now().Format("15:04:05") + "  " + printable(msg)
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	// \r returns to the start of the line and ESC[K clears it, so a shorter message leaves no
	// remains of a longer one.
	fmt.Fprint(p.w, "\r\x1b[K"+clipRunes(line, p.width-1))
	p.drawn = true
}

// say ends the in-place line, if one is drawn, and prints a line of its own: for what follows
// the progress (a failed run's first error, how to stop a run).
func (p *progressPrinter) say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLine()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// close ends the in-place line and stops all output; notifications arriving later are dropped.
func (p *progressPrinter) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLine()
	p.closed = true
}

func (p *progressPrinter) endLine() {
	if p.drawn && !p.closed {
		fmt.Fprintln(p.w)
	}
	p.drawn = false
}

// printable replaces control characters with spaces: a message carries text from Etlworks (a
// log line), and escape sequences in it must not drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// clipRunes shortens s to at most n characters, marking the cut with an ellipsis.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
