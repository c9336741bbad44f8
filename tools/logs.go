package tools

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/etlworks/etlworks-mcp/client"
)

// GetRunLogInput selects part of a run's log.
type GetRunLogInput struct {
	Flow       Ref               `json:"flow" jsonschema:"required,description=Id or exact name"`
	RunID      int64             `json:"run_id,omitempty" jsonschema:"description=Default: latest run"`
	Tail       int               `json:"tail,omitempty" jsonschema:"maximum=2000,description=Last N lines (default 200)"`
	Grep       string            `json:"grep,omitempty" jsonschema:"description=RE2 regex"`
	Level      choice[logLevels] `json:"level,omitempty" jsonschema:"description=Minimum level"`
	ErrorsOnly bool              `json:"errors_only,omitempty" jsonschema:"description=level error"`
}

func (in *GetRunLogInput) validate() error {
	if in.ErrorsOnly && in.Level == "warning" {
		return badInput(`"errors_only" is level "error"; give either it or "level": "warning", not both`)
	}
	if in.Tail < 0 || in.Tail > maxTail {
		return badInput(`"tail" must be between 1 and %d, got %d`, maxTail, in.Tail)
	}
	if err := checkRunID(in.RunID); err != nil {
		return err
	}
	if in.Grep != "" {
		if _, err := regexp.Compile(in.Grep); err != nil {
			return badInput(`"grep" is not a valid RE2 regular expression: %s`, err.Error()) // the error quotes the pattern: bounded as a string
		}
	}
	return nil
}

func getRunLogTool(d Deps) Def {
	return newTool(d, spec[GetRunLogInput]{
		name:        "get_run_log",
		title:       "Get run log",
		description: "Read a run's numbered log: last lines, regex matches, or lines at level or worse in context.",
		toolset:     "flows",
		effect:      reads,
		handle: func(ctx context.Context, in GetRunLogInput) (any, error) {
			run, err := findRun(ctx, d.Client, in.Flow, in.RunID)
			if err != nil {
				return nil, err
			}
			log, _, err := d.Client.Executions.Log(ctx, int64(run.FlowID), int64(run.AuditID))
			if err != nil {
				return nil, err
			}
			lines := splitLog(d.Redactor.Text(string(log.Text))) // whole, so a value found once is hidden everywhere
			sel, how := selectLines(lines, in)
			tail := in.Tail
			if tail == 0 {
				tail = defaultTail
			}
			skipped := 0
			if len(sel) > tail {
				skipped = len(sel) - tail
				sel = sel[skipped:]
			}
			body, cut := excerpt(lines, sel)
			var head strings.Builder
			fmt.Fprintf(&head, "Log of run %d of flow %q (%s): %d lines", int64(run.AuditID), run.FlowName, run.Status, len(lines))
			if log.Truncated {
				head.WriteString(" (file larger than the download limit; only its beginning was read)")
			}
			fmt.Fprintf(&head, "; showing %s", how)
			if len(sel) > 0 {
				fmt.Fprintf(&head, ", lines %d-%d", sel[0]+1, sel[len(sel)-1]+1)
			}
			head.WriteString(".\n")
			if skipped > 0 {
				fmt.Fprintf(&head, "%d earlier matching lines left out; raise tail or narrow grep to see them.\n", skipped)
			}
			if cut > 0 {
				fmt.Fprintf(&head, "%d further lines cut to keep this result small; use grep or a smaller tail.\n", cut)
			}
			if len(sel) == 0 {
				head.WriteString("No lines matched.\n")
				if run.Status == client.StatusWarning && in.Level != "warning" && (in.ErrorsOnly || in.Level == "error") {
					head.WriteString(`The run ended with warnings, not errors: "level": "warning" shows them.` + "\n")
				}
			}
			return text{head: head.String(), body: body, what: "run log", rest: "use tail, grep or level to see other lines",
				link: logRestLink(run, sel, cut, len(lines))}, nil
		},
	})
}

// selectLines picks the lines get_run_log shows and describes the choice.
func selectLines(lines []string, in GetRunLogInput) ([]int, string) {
	var sel []int
	how := "the last lines"
	switch {
	case in.Level == "warning":
		sel = levelSelection(lines, true)
		how = "warning and error lines with context"
	case in.ErrorsOnly || in.Level == "error":
		sel = errorSelection(lines)
		how = "error lines with context"
	default:
		sel = make([]int, len(lines))
		for i := range lines {
			sel[i] = i
		}
	}
	if in.Grep != "" {
		re := regexp.MustCompile(in.Grep) // validated in validate
		filtered := sel[:0:0]
		for _, i := range sel {
			if re.MatchString(lines[i]) {
				filtered = append(filtered, i)
			}
		}
		sel = filtered
		how += fmt.Sprintf(" matching /%s/", in.Grep)
	}
	return sel, how
}
