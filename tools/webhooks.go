package tools

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/hostlist"
)

// webhookView is one webhook without its credentials: the secret, the basic-auth password and
// secret-looking header values never reach a result, even when the server returns them.
type webhookView struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	Events       []string `json:"events"`
	URL          string   `json:"url,omitempty"`
	Method       string   `json:"method,omitempty"`
	Enabled      bool     `json:"enabled"`
	Signed       bool     `json:"signed,omitempty"` // an HMAC secret is set
	Headers      []string `json:"headers,omitempty"`
	LastDelivery string   `json:"last_delivery,omitempty"`
}

func viewWebhook(w gjson.Result) webhookView {
	v := webhookView{
		ID: w.Get("id").Int(), Name: w.Get("name").String(), Events: strs(w.Get("events")), URL: safeURL(w.Get("url").String()),
		Method: w.Get("method").String(), Enabled: w.Get("enabled").Bool(), Signed: w.Get("secret").String() != "",
	}
	for _, h := range w.Get("headers").Array() {
		v.Headers = append(v.Headers, h.Get("key").String())
	}
	if d := w.Get("lastDelivery"); d.IsObject() {
		v.LastDelivery = fmt.Sprintf("%s %s at %s", d.Get("event").String(), deliveryOutcome(d), isoTime(d.Get("at").Int()))
	}
	return v
}

func deliveryOutcome(d gjson.Result) string {
	if e := d.Get("error").String(); e != "" {
		return "failed: " + clip(redact(e), 200)
	}
	return fmt.Sprintf("answered %d", d.Get("status").Int())
}

// safeURL drops user info and masks credential-like query parameters of a URL; a URL with
// neither is returned as written (templates such as {partner} stay readable).
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return redact(raw)
	}
	changed := u.User != nil
	u.User = nil
	q := u.Query()
	for k := range q {
		if isSecretKey(k) || strings.EqualFold(k, "key") || strings.EqualFold(k, "sig") {
			q[k] = []string{"REDACTED"}
			changed = true
		}
	}
	if !changed {
		return redact(raw)
	}
	u.RawQuery = q.Encode()
	return redact(u.String())
}

// ListWebhooksInput pages list_webhooks.
type ListWebhooksInput struct {
	page
}

func listWebhooksTool(d Deps) Def {
	return newTool(d, spec[ListWebhooksInput]{
		name:        "list_webhooks",
		title:       "List webhooks",
		description: "List outbound webhooks: events, URL, last delivery.",
		toolset:     "schedules",
		effect:      reads,
		handle: func(ctx context.Context, in ListWebhooksInput) (any, error) {
			return onePage(in.page, func(o client.ListOptions) (json.RawMessage, *client.Response, error) {
				return d.Client.Webhooks.List(ctx, &o)
			}, viewWebhook)
		},
	})
}

// CreateWebhookInput adds a webhook.
type CreateWebhookInput struct {
	Name   string                 `json:"name" jsonschema:"required,description=Name"`
	URL    string                 `json:"url" jsonschema:"required,description=URL to call"`
	Events []string               `json:"events" jsonschema:"required,description=Event names"`
	Method choice[webhookMethods] `json:"method,omitempty" jsonschema:"description=Default POST"`
	Secret string                 `json:"secret,omitempty" jsonschema:"description=HMAC signing key"`
	DryRun bool                   `json:"dry_run,omitempty" jsonschema:"description=Preview; lists the instance's events"`
}

func (in *CreateWebhookInput) validate() error {
	u, err := url.Parse(strings.TrimSpace(in.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return badInput(`"url" must be an absolute http(s) URL, got %q`, in.URL)
	}
	if len(in.Events) == 0 {
		return badInput(`"events" must list at least one event, e.g. ["Flow.Failed"]`)
	}
	for _, e := range in.Events {
		entity, verb, ok := strings.Cut(e, ".")
		if !ok || entity == "" || verb == "" || strings.ContainsAny(e, " \t") {
			return badInput(`"events": %q is not an event name; they read <Entity>.<Verb>, e.g. Flow.Executed or Flow.Failed`, e)
		}
	}
	return nil
}

// webhookHostsHelp says how an operator allows webhook targets.
const webhookHostsHelp = "--webhook-hosts (env ETLWORKS_MCP_WEBHOOK_HOSTS; host, host:port or *.example.com, comma-separated)"

// webhookTarget checks a webhook URL's host against the operator's allow-list: a webhook sends
// Etlworks data out, so a model (perhaps steered by text planted in a log) must not pick where.
func webhookTarget(hosts hostlist.List, listErr error, raw string) error {
	if listErr != nil {
		return fmt.Errorf("create_webhook is unavailable: the server's %s setting is invalid: %w", webhookHostsHelp, listErr)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return badInput(`"url" must be an absolute http(s) URL`)
	}
	if hosts.AllowsURL(u) {
		return nil
	}
	host := hostlist.HostPort(u)
	if hosts.Empty() {
		return &inputError{msg: fmt.Sprintf("create_webhook refused host %s: this server allows webhooks to no host. "+
			"Ask the operator to list the hosts that may receive Etlworks events with %s and restart the server.", bound.Quote(host), webhookHostsHelp)}
	}
	return &inputError{msg: fmt.Sprintf("create_webhook refused host %s: webhooks may only call %s (set by %s). "+
		"Use one of those hosts, or ask the operator to add this one.", bound.Quote(host), strings.Join(hosts.Entries(), ", "), webhookHostsHelp)}
}

func createWebhookTool(d Deps) Def {
	hosts, listErr := hostlist.Parse(d.WebhookHosts)
	return newTool(d, spec[CreateWebhookInput]{
		name:        "create_webhook",
		title:       "Create webhook",
		description: "Create a webhook calling a URL on events: Flow.Executed, Flow.Created (documented); an instance may offer more, which dry_run lists.",
		toolset:     "schedules",
		effect:      writes,
		handle: func(ctx context.Context, in CreateWebhookInput) (any, error) {
			if err := webhookTarget(hosts, listErr, in.URL); err != nil {
				return nil, err
			}
			body := &client.Webhook{Name: strings.TrimSpace(in.Name), URL: strings.TrimSpace(in.URL),
				Events: in.Events, Method: string(in.Method), Secret: in.Secret, Enabled: true, IncludeEntity: true}
			if in.DryRun {
				return previewWebhook(ctx, d.Client, body), nil
			}
			raw, _, err := d.Client.Webhooks.Create(ctx, body)
			return createdAnswer(raw, err, viewWebhook, func(v webhookView) toolCall { return hint("delete_webhook", "removes it", "webhook", v.ID) })
		},
	})
}

// documentedEvents are the webhook events Etlworks documents (S-WH); an instance may offer more.
var documentedEvents = []string{"Flow.Executed", "Flow.Created"}

// webhookDryRun shows the webhook create_webhook would send (URL credentials and the secret
// masked) with the checks it passed, and the events this instance's webhooks already use, read
// from the webhook list where the instance has one; it changes nothing.
func previewWebhook(ctx context.Context, c *client.Client, body *client.Webhook) webhookDryRun {
	would := webhookWould{Name: body.Name, URL: safeURL(body.URL), Events: body.Events,
		Method: cmp.Or(body.Method, "POST"), Enabled: body.Enabled}
	if body.Secret != "" {
		would.Secret = "[REDACTED]"
	}
	checks := []string{"url host allowed by --webhook-hosts"}
	var other []string
	for _, e := range body.Events {
		if !slices.Contains(documentedEvents, e) {
			other = append(other, e)
		}
	}
	known := instanceEvents(ctx, c)
	if len(other) > 0 {
		checks = append(checks, fmt.Sprintf("not among the documented events; Etlworks checks them on create: %s", strings.Join(other, ", ")))
	}
	return webhookDryRun{DryRun: true, WouldSend: would, Checks: checks, DocumentedEvents: documentedEvents,
		EventsInUse: known, Next: "call create_webhook again without dry_run to create it"}
}

// instanceEvents lists, sorted, the events the instance's webhooks subscribe to (at most 100
// webhooks read); none when the instance has no webhook list (documented profile) or it fails.
func instanceEvents(ctx context.Context, c *client.Client) []string {
	raw, _, err := c.Webhooks.List(ctx, &client.ListOptions{Limit: 100})
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	gjson.ParseBytes(raw).ForEach(func(_, w gjson.Result) bool {
		for _, e := range w.Get("events").Array() {
			if len(seen) < 50 {
				seen[clip(e.String(), 60)] = true
			}
		}
		return true
	})
	return slices.Sorted(maps.Keys(seen))
}

// DeleteWebhookInput names the webhook to delete.
type DeleteWebhookInput struct {
	Webhook Ref `json:"webhook" jsonschema:"required,description=Id or exact name"`
	confirmable
}

func deleteWebhookTool(d Deps) Def {
	return deleteTool(d, deleteSpec[DeleteWebhookInput]{
		name:        "delete_webhook",
		title:       "Delete webhook",
		description: "Delete a webhook after confirmation; the result says how to recreate it.",
		toolset:     "schedules",
		kind:        "webhook",
		target: func(ctx context.Context, in DeleteWebhookInput) (deleteTarget, error) {
			n, err := resolve(ctx, d.Client, client.KindWebhook, in.Webhook)
			if err != nil {
				return deleteTarget{}, err
			}
			w := gjson.ParseBytes(n.Raw)
			v := viewWebhook(w)
			return deleteTarget{id: v.ID, name: v.Name, state: json.RawMessage(w.Raw),
				action: fmt.Sprintf("Delete webhook %d %q (%s to %s); webhooks are not kept in the recycle bin.",
					v.ID, v.Name, strings.Join(v.Events, ", "), cmp.Or(v.URL, "no URL")),
				finish: func(_ *client.Deletion, out deletion) deletion {
					if out.RecycleBinID > 0 {
						return out
					}
					undo := hint("create_webhook", "", "name", v.Name, "url", v.URL, "events", v.Events, "method", v.Method)
					var by []string
					if v.URL != w.Get("url").String() {
						by = append(by, "put the URL's hidden credentials back")
					}
					if v.Signed {
						by = append(by, `add "secret" (the old one is not readable)`)
					}
					undo.Note = strings.Join(by, "; ")
					out.Undo = undo
					return out
				}}, nil
		},
		remove: func(ctx context.Context, id int64) (*client.Deletion, *client.Response, error) {
			return d.Client.Webhooks.Delete(ctx, id)
		},
	})
}

// listenerView is one HTTP listener: the URL callers use, how they authenticate, and the flow it runs.
type listenerView struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Flow       string `json:"flow,omitempty"`
	FlowID     int64  `json:"flow_id"`
	Endpoint   string `json:"endpoint,omitempty"`
	Method     string `json:"method,omitempty"`
	Auth       string `json:"auth,omitempty"`
	Processing string `json:"processing,omitempty"`
}

func viewListener(l gjson.Result) listenerView {
	p := l.Get("properties")
	v := listenerView{
		ID: l.Get("id").Int(), Name: l.Get("name").String(), Flow: l.Get("flowName").String(), FlowID: l.Get("flowId").Int(),
		Endpoint:   safeURL(cmp.Or(l.Get("endpointUrl").String(), p.Get("urlPattern").String())),
		Method:     p.Get("method").String(),
		Processing: p.Get("processing").String(),
	}
	if a := p.Get("authType").String(); a != "" {
		v.Auth = a
		if where := p.Get("authLocation").String(); where != "" {
			v.Auth += " in " + where
		}
	}
	return v
}

// ListListenersInput filters list_listeners.
type ListListenersInput struct {
	Flow Ref `json:"flow,omitempty" jsonschema:"description=Id or exact name"`
	page
}

func listListenersTool(d Deps) Def {
	return newTool(d, spec[ListListenersInput]{
		name:        "list_listeners",
		title:       "List listeners",
		description: "List HTTP listeners (inbound endpoints that run a flow): URLs and flows.",
		toolset:     "schedules",
		effect:      reads,
		handle: func(ctx context.Context, in ListListenersInput) (any, error) {
			opts := &client.ListenerListOptions{}
			if in.Flow != "" {
				f, err := resolveFlow(ctx, d.Client, in.Flow)
				if err != nil {
					return nil, err
				}
				opts.FlowID = f.ID
			}
			return listed(in.page, opts.FlowID != 0, func(lo client.ListOptions) (json.RawMessage, *client.Response, error) {
				return d.Client.Listeners.List(ctx, &client.ListenerListOptions{ListOptions: lo})
			}, func(visit func(json.RawMessage) bool) (client.Scan, error) {
				return d.Client.Listeners.Scan(ctx, opts, visit)
			}, func(l gjson.Result) bool { return l.Get("flowId").Int() == opts.FlowID }, viewListener)
		},
	})
}
