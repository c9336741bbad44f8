package prompts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
	"github.com/etlworks/etlworks-mcp/internal/untrusted"
)

func diagnoseFailedRun(d Deps) Def {
	p := mcp.NewPrompt("diagnose_failed_run",
		mcp.WithPromptDescription("Find the root cause of a failed run and propose a fix, from the run's errors, the flow, its connections and recent changes."),
		flowArgument(),
		mcp.WithArgument("run", mcp.ArgumentDescription("Run id (default: the latest run)")))
	return Def{Prompt: p, Handler: func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		ref, err := required(req, "flow", "the flow whose run failed (id or exact name)")
		if err != nil {
			return nil, err
		}
		runID, err := optionalRun(req)
		if err != nil {
			return nil, err
		}
		id, name, err := flowRef(ctx, d.Client, ref)
		if err != nil {
			return nil, err
		}
		evidence, err := d.Diagnose(ctx, fmt.Sprint(id), runID)
		if err != nil {
			return nil, err
		}
		ask := fmt.Sprintf(`A run of the Etlworks flow %q (id %d) needs a diagnosis. The evidence gathered from Etlworks is below (JSON from the diagnose_run tool).

Please answer with:
1. Root cause: one or two sentences, citing the evidence (log line numbers, audit event ids, the connection test).
2. Fix: the exact change (for example the corrected SQL, or the connection property to set), and which tool applies it (update_flow or update_connection, with dry_run first).
3. Verification: how to confirm it worked (run_flow with wait, then get_run or run_sql).
If the evidence is not enough, say what is missing and which tool would show it (get_run_log, get_flow, test_connection, search_audit).

Evidence:
%s`, name, id, untrusted.Fence("diagnose_run evidence", "", bound.Fit(evidence, bound.ResultBytes, "diagnose_run and get_run_log show the rest")))
		return mcp.NewGetPromptResult("Diagnose a failed run of "+name, []mcp.PromptMessage{user(ask)}), nil
	}}
}

func explainFlow(d Deps) Def {
	return flowPrompt(d, "explain_flow",
		"Explain a flow to a person new to it: what it does, where data comes from and goes, when it runs and what can go wrong.",
		"the flow to explain (id or exact name)", func(ctx context.Context, id int64, name string) (*mcp.GetPromptResult, error) {
			doc, _, err := d.Client.Flows.Documentation(ctx, id)
			if err != nil {
				return nil, err
			}
			history := recentRuns(ctx, d.Client, id, 10)
			ask := fmt.Sprintf(`Explain the Etlworks flow %q (id %d) to someone who has never seen it. Cover, in plain language and briefly:
- what business purpose it serves and what it produces;
- where the data comes from and where it goes (connections, tables, files);
- how the data is changed on the way (SQL, mappings);
- when it runs and how reliable it has been lately (recent runs below);
- what typically goes wrong and where to look first.
Its documentation from Etlworks is attached. Recent runs, newest first:
%s`, name, id, history)
			msgs := []mcp.PromptMessage{user(ask)}
			if text := strings.TrimSpace(doc.Documentation); text != "" {
				text = untrusted.Fence("flow documentation", "", bound.Fit(d.Redactor.Text(text), bound.ResultBytes, "explain_flow shows it too"))
				msgs = append(msgs, resourceMessage(fmt.Sprintf("etlworks://flows/%d/documentation", id), "text/markdown", text))
			}
			return mcp.NewGetPromptResult("Explain the flow "+name, msgs), nil
		})
}

func fixPipeline(d Deps) Def {
	return flowPrompt(d, "fix_pipeline",
		"Work through a broken flow end to end: diagnose, propose a change with dry_run, apply it after confirmation, rerun and verify.",
		"the broken flow (id or exact name)", func(ctx context.Context, id int64, name string) (*mcp.GetPromptResult, error) {
			ask := fmt.Sprintf(`Fix the Etlworks flow %q (id %d). Its recent runs, newest first:
%s
Follow this loop and report after each step:
1. Diagnose: call diagnose_run {"flow": %d}. State the root cause with the evidence it cites.
2. Propose: prepare the smallest change that removes the cause, with dry_run: update_flow {"flow": %d, …, "dry_run": true} for SQL or mappings, or update_connection {…, "dry_run": true} for credentials or hosts. Show the diff.
3. Confirm: ask me before applying; then apply the same change without dry_run.
4. Rerun: run_flow {"flow": %d, "wait": true}.
5. Verify: the run must end in success; check the records, and where it loads a table, query it with run_sql. If it fails again, go back to step 1 with the new error.
Never change anything I have not confirmed, and stop after two failed attempts to ask me how to proceed.`, name, id, recentRuns(ctx, d.Client, id, 5), id, id, id)
			return mcp.NewGetPromptResult("Fix the flow "+name, []mcp.PromptMessage{user(ask)}), nil
		})
}

// recentRuns renders a flow's last runs as short lines; an error becomes a line saying so, since a
// prompt is still useful without its history.
func recentRuns(ctx context.Context, c *client.Client, flowID int64, n int) string {
	h, err := c.Executions.History(ctx, client.HistoryOptions{FlowID: flowID, Limit: n})
	if err != nil {
		return "(run history unavailable: " + secrets.Redact(err.Error()) + ")\n"
	}
	runs := h.Runs[:min(len(h.Runs), n)]
	if len(runs) == 0 {
		return "(the flow has never run)\n"
	}
	var b strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&b, "- run %d: %s at %s, %s, %d records", int64(r.AuditID), r.Status,
			r.Started.Time().Format(time.RFC3339), r.Duration(time.Now()).Round(100*time.Millisecond), r.Records)
		if r.Exception != "" {
			fmt.Fprintf(&b, ", error: %s", secrets.Redact(firstLine(r.Exception)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
