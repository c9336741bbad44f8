package docs

import (
	"html"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// HTML turns the Markdown the documentation generator writes into HTML. It covers that
// subset only: headings, paragraphs, bullet and numbered lists, pipe tables, fenced code, and
// **bold** and `code` inline.
func HTML(md string) string {
	var out strings.Builder
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); {
		line := lines[i]
		switch {
		case strings.TrimSpace(line) == "":
			i++
		case strings.HasPrefix(line, "```"):
			lang := strings.TrimPrefix(line, "```")
			j := i + 1
			for j < len(lines) && !strings.HasPrefix(lines[j], "```") {
				j++
			}
			out.WriteString(`<pre><code class="language-` + html.EscapeString(lang) + `">`)
			out.WriteString(html.EscapeString(strings.Join(lines[i+1:min(j, len(lines))], "\n")))
			out.WriteString("</code></pre>\n")
			i = j + 1
		case strings.HasPrefix(line, "#"):
			level := len(line) - len(strings.TrimLeft(line, "#"))
			tag := "h" + string(rune('0'+min(level, 6)))
			out.WriteString("<" + tag + ">" + inlineMarkdown(strings.TrimSpace(line[level:])) + "</" + tag + ">\n")
			i++
		case strings.HasPrefix(line, "|"):
			i = renderTable(&out, lines, i)
		case strings.HasPrefix(line, "- "), reOrdered.MatchString(line):
			i = renderList(&out, lines, i)
		default:
			j := i
			var para []string
			for j < len(lines) && strings.TrimSpace(lines[j]) != "" && !isBlockStart(lines[j]) {
				para = append(para, lines[j])
				j++
			}
			out.WriteString("<p>" + inlineMarkdown(strings.Join(para, " ")) + "</p>\n")
			i = j
		}
	}
	return out.String()
}

var (
	reOrdered = lazyre.New(`^\d+\. `)
	reCode    = lazyre.New("`([^`]+)`")
	reBold    = lazyre.New(`\*\*([^*]+)\*\*`)
)

func isBlockStart(line string) bool {
	return strings.HasPrefix(line, "#") || strings.HasPrefix(line, "|") || strings.HasPrefix(line, "```") ||
		strings.HasPrefix(line, "- ") || reOrdered.MatchString(line)
}

// inlineMarkdown escapes text and applies `code` and **bold**.
func inlineMarkdown(s string) string {
	s = html.EscapeString(s)
	s = reCode.ReplaceAllString(s, "<code>$1</code>")
	return reBold.ReplaceAllString(s, "<strong>$1</strong>")
}

func renderList(out *strings.Builder, lines []string, i int) int {
	tag := "ul"
	if reOrdered.MatchString(lines[i]) {
		tag = "ol"
	}
	out.WriteString("<" + tag + ">\n")
	for i < len(lines) {
		item, ok := strings.CutPrefix(lines[i], "- ")
		if tag == "ol" {
			loc := reOrdered.FindStringIndex(lines[i])
			ok = loc != nil
			if ok {
				item = lines[i][loc[1]:]
			}
		}
		if !ok {
			break
		}
		out.WriteString("<li>" + inlineMarkdown(item) + "</li>\n")
		i++
	}
	out.WriteString("</" + tag + ">\n")
	return i
}

func renderTable(out *strings.Builder, lines []string, i int) int {
	out.WriteString("<table>\n")
	for row := 0; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
		cells := strings.Split(strings.Trim(strings.TrimSpace(lines[i]), "|"), "|")
		if strings.Trim(strings.Join(cells, ""), "-: ") == "" {
			continue // the |---|---| separator
		}
		tag := "td"
		if row == 0 {
			tag = "th"
		}
		out.WriteString("<tr>")
		for _, c := range cells {
			out.WriteString("<" + tag + ">" + inlineMarkdown(strings.TrimSpace(c)) + "</" + tag + ">")
		}
		out.WriteString("</tr>\n")
		row++
	}
	out.WriteString("</table>\n")
	return i
}
