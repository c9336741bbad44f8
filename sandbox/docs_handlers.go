package sandbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/docs"
)

// docResponse is the body of GET /v1/flows/{id}/documentation.
type docResponse struct {
	Documentation string `json:"documentation"`
	Diagram       string `json:"diagram"`
}

// documentationHandler serves GET /v1/flows/{id}/documentation.
func (s *Sandbox) documentationHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	f, err := s.flowFromPath(r)
	if err != nil {
		return err
	}
	md, diagram, err := s.document(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, docResponse{Documentation: md, Diagram: diagram})
}

// documentationMDHandler serves GET /v1/flows/documentation/md?flowId=: the documentation as an HTML page.
func (s *Sandbox) documentationMDHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return s.docPage(w, r, func(md, _ string) string { return docs.HTML(md) })
}

// diagramHandler serves GET /v1/flows/documentation/diagram?flowId=: the flow diagram as an HTML page.
func (s *Sandbox) diagramHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return s.docPage(w, r, func(_, diagram string) string { return diagram })
}

func (s *Sandbox) docPage(w http.ResponseWriter, r *http.Request, body func(md, diagram string) string) error {
	id, err := queryID(r.URL.Query(), "flowId", true)
	if err != nil {
		return err
	}
	f, err := s.flowByID(r, id)
	if err != nil {
		return err
	}
	md, diagram, err := s.document(r.Context(), f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>\n<style>%s</style></head>\n<body>\n%s</body></html>\n",
		html.EscapeString(f.Name), pageCSS, body(md, diagram))
	return nil
}

const pageCSS = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.5;color:#1f2933}
table{border-collapse:collapse}td,th{border:1px solid #cbd2d9;padding:.3rem .6rem;text-align:left}
pre{background:#f5f7fa;padding:.8rem;overflow:auto}code{font-family:ui-monospace,monospace}`

// document renders a flow's Markdown and diagram, loading a workflow's steps.
func (s *Sandbox) document(ctx context.Context, f *flow) (md, diagram string, err error) {
	conns, err := s.st.connectionIndex(ctx)
	if err != nil {
		return "", "", err
	}
	children := map[int64]*flow{}
	for _, step := range f.NestedFlows {
		child, err := s.st.getFlow(ctx, step.FlowID)
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return "", "", err
		}
		children[child.ID] = child
	}
	return docs.Flow(f, conns, children), flowDiagram(f, conns), nil
}

// flowDiagram renders a self-contained HTML diagram: source → transformation → destination for
// each transformation, or the chain of steps of a workflow.
func flowDiagram(f *flow, conns map[int64]connection) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="etl-diagram" data-flow-id="%d">`+"\n", f.ID)
	b.WriteString(`<style>.etl-diagram{font-family:system-ui,sans-serif;display:flex;flex-direction:column;gap:12px}` +
		`.etl-row{display:flex;align-items:center;gap:8px;flex-wrap:wrap}.etl-node{border:1px solid #7b93a8;border-radius:6px;` +
		`padding:8px 12px;background:#f4f8fb}.etl-node small{display:block;color:#52606d}.etl-arrow{color:#52606d;font-size:20px}` +
		`.etl-disabled{opacity:.5}</style>` + "\n")
	fmt.Fprintf(&b, "<h3>%s</h3>\n", html.EscapeString(f.Name))
	node := func(class, caption, text string) string {
		return fmt.Sprintf(`<div class="etl-node %s"><small>%s</small>%s</div>`, class, html.EscapeString(caption), html.EscapeString(text))
	}
	arrow := `<div class="etl-arrow">&rarr;</div>`
	if f.FlowType == "nested-workflow" {
		b.WriteString(`<div class="etl-row">`)
		for i, step := range f.NestedFlows {
			if i > 0 {
				b.WriteString(arrow)
			}
			b.WriteString(node("step", fmt.Sprintf("step %d · flow %d", i+1, step.FlowID), step.Name))
		}
		b.WriteString("</div>\n</div>\n")
		return b.String()
	}
	for _, tr := range f.Transformations {
		class := "etl-row"
		if !tr.Enabled {
			class += " etl-disabled"
		}
		src := conns[tr.Source.ConnectionID]
		what := tr.Source.Object
		if tr.Source.SQL != "" {
			what = "SQL query"
		}
		fmt.Fprintf(&b, `<div class="%s">`, class)
		b.WriteString(node("source", src.Name+" · "+docs.ConnectionKind(src.ConnectionType), what))
		b.WriteString(arrow)
		b.WriteString(node("transformation", cmp.Or(tr.Mode, "execute"), tr.Name))
		if tr.Destination.ConnectionID != 0 {
			dst := conns[tr.Destination.ConnectionID]
			b.WriteString(arrow)
			b.WriteString(node("destination", dst.Name+" · "+docs.ConnectionKind(dst.ConnectionType), tr.Destination.Object))
		}
		b.WriteString("</div>\n")
	}
	b.WriteString("</div>\n")
	return b.String()
}
