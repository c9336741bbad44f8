package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	udiff "github.com/aymanbagabas/go-udiff"
)

// Bounds of a rendered text diff. The whole text is always compared; only what is shown is cut.
const (
	diffContext   = 3  // unchanged lines shown around each change
	maxRunLines   = 15 // removed (or added) lines shown in a row before "… N more"
	maxHunkLines  = 60 // lines shown of one changed place
	maxHunksNamed = 10 // line numbers listed for the changed places not shown
)

// diffHunk is one changed place of a text: where it is, and its lines, each starting with
// "  " (context), "- " (removed) or "+ " (added).
type diffHunk struct {
	fromLine, fromCount, toLine, toCount int
	lines                                []string
}

// header is the unified-diff position of the hunk, e.g. "@@ -4498,7 +4498,7 @@".
func (h diffHunk) header() string {
	return fmt.Sprintf("@@ -%d,%d +%d,%d @@", h.fromLine, h.fromCount, h.toLine, h.toCount)
}

// textHunks compares two texts line by line, the whole of both, and returns each changed place
// with diffContext lines around it. Lines are returned without their newline.
func textHunks(before, after string) []diffHunk {
	before, after = withNewline(before), withNewline(after)
	u, err := udiff.ToUnifiedDiff("before", "after", before, udiff.Lines(before, after), diffContext)
	if err != nil { // the edits come from the same texts, so this does not happen
		return []diffHunk{{lines: append(prefixed("- ", before), prefixed("+ ", after)...)}}
	}
	hunks := make([]diffHunk, 0, len(u.Hunks))
	for _, h := range u.Hunks {
		out := diffHunk{fromLine: h.FromLine, toLine: h.ToLine}
		for _, l := range h.Lines {
			text := strings.TrimSuffix(l.Content, "\n")
			switch l.Kind {
			case udiff.Delete:
				out.fromCount++
				out.lines = append(out.lines, "- "+text)
			case udiff.Insert:
				out.toCount++
				out.lines = append(out.lines, "+ "+text)
			default:
				out.fromCount++
				out.toCount++
				out.lines = append(out.lines, "  "+text)
			}
		}
		hunks = append(hunks, out)
	}
	return hunks
}

// withNewline ends non-empty text with exactly one newline, so a last line compares equal
// whether or not the value ended with one.
func withNewline(s string) string {
	if s == "" {
		return ""
	}
	return strings.TrimRight(s, "\n") + "\n"
}

func prefixed(prefix, text string) []string {
	if text == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return lines
}

// diffText renders a value for a line diff: text as it is, anything else as indented JSON (so
// a change deep inside an object is a line of its own), an absent value as nothing.
func diffText(v any, present bool) string {
	if !present || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return b.String()
}

// writeHunks writes the diff of before and after into b. The first changed place is always
// written; the others while b stays within budget bytes, then a line says how many were left
// out and where they are. Headers with line numbers appear when the text is not shown whole.
func writeHunks(b *strings.Builder, before, after string, budget int) {
	if before == "" && after == "" {
		b.WriteString("  (absent before and after)\n")
		return
	}
	hunks := textHunks(before, after)
	if len(hunks) == 0 {
		b.WriteString("  (unchanged)\n")
		return
	}
	whole := len(hunks) == 1 && hunks[0].fromCount == lineCount(before) && hunks[0].toCount == lineCount(after)
	var left []string // line numbers of the places left out, the first maxHunksNamed
	omitted := 0
	for i, h := range hunks {
		text := renderHunk(h, !whole)
		if i > 0 && b.Len()+len(text) > budget {
			omitted++
			if len(left) < maxHunksNamed {
				left = append(left, fmt.Sprint(h.fromLine))
			}
			continue
		}
		b.WriteString(text)
	}
	if omitted > 0 {
		more := ""
		if omitted > len(left) {
			more = ", …"
		}
		fmt.Fprintf(b, "… %d more changed places not shown (at lines %s%s of the old text); a dry_run of fewer paths shows more\n",
			omitted, strings.Join(left, ", "), more)
	}
}

func lineCount(text string) int {
	if text == "" {
		return 0
	}
	return strings.Count(withNewline(text), "\n")
}

// renderHunk writes one changed place: its header when asked, then its lines, cut to
// maxRunLines removed or added lines in a row and maxHunkLines in all; each line is redacted
// and cut to maxDiffLine bytes around where it differs from its counterpart.
func renderHunk(h diffHunk, header bool) string {
	var b strings.Builder
	if header {
		b.WriteString(h.header() + "\n")
	}
	lines := make([]string, len(h.lines))
	for i, l := range h.lines {
		lines[i] = redact(l)
	}
	start := changeOffsets(lines)
	shown, run, runKind := 0, 0, byte(0)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if shown == maxHunkLines {
			fmt.Fprintf(&b, "  … [%d more lines of this change]\n", len(lines)-i)
			break
		}
		if kind := l[0]; kind == runKind {
			run++
		} else {
			run, runKind = 1, kind
		}
		if runKind != ' ' && run > maxRunLines {
			j := i
			for j < len(lines) && lines[j][0] == runKind {
				j++
			}
			word := "removed"
			if runKind == '+' {
				word = "added"
			}
			fmt.Fprintf(&b, "%c … [%d more %s lines]\n", runKind, j-i, word)
			shown++
			i = j - 1
			continue
		}
		b.WriteString(clipAround(l, start[i], maxDiffLine))
		b.WriteByte('\n')
		shown++
	}
	return b.String()
}

// changeOffsets pairs each removed line with the added line in the same position of the run that
// follows it, and returns for each line the byte offset where the pair first differs (0 for
// unpaired lines), so a long line is shown around its change rather than from its start.
func changeOffsets(lines []string) []int {
	at := make([]int, len(lines))
	for i := 0; i < len(lines); {
		if lines[i][0] != '-' {
			i++
			continue
		}
		del := i
		for i < len(lines) && lines[i][0] == '-' {
			i++
		}
		ins := i
		for i < len(lines) && lines[i][0] == '+' {
			i++
		}
		for k := 0; del+k < ins && ins+k < i; k++ {
			p := commonPrefix(lines[del+k][2:], lines[ins+k][2:]) + 2
			at[del+k], at[ins+k] = p, p
		}
	}
	return at
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	for n > 0 && n < len(a) && !utf8.RuneStart(a[n]) {
		n--
	}
	return n
}

// clipAround cuts a diff line to about max bytes, keeping its two-character marker and the
// bytes around offset at (where it changed) in view.
func clipAround(line string, at, max int) string {
	if len(line) <= max {
		return line
	}
	from := 2
	if at > max/2 {
		from = at - max/4
		for from > 2 && !utf8.RuneStart(line[from]) {
			from--
		}
	}
	if from == 2 {
		return clip(line, max)
	}
	return line[:2] + fmt.Sprintf("[%d bytes] …", from-2) + clip(line[from:], max-2)
}
