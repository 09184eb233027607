package respond

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Elastic isolates and releases hosts running Elastic Defend through
// Kibana's endpoint response actions API, authenticating with an API key.
type Elastic struct {
	c         *apiClient
	pollFirst time.Duration
}

// NewElastic returns the connector for Kibana at base; space selects a
// Kibana space other than the default one.
func NewElastic(base, space string, auth Authorizer, o HTTPOptions) *Elastic {
	base = strings.TrimRight(base, "/")
	if space != "" && space != "default" {
		base += "/s/" + url.PathEscape(space)
	}
	c := newAPIClient(ConnectorElastic, base, auth, o)
	c.headers = map[string]string{"kbn-xsrf": "true", "Elastic-Api-Version": "2023-10-31"}
	c.limits = []*rate.Limiter{rate.NewLimiter(rate.Every(100*time.Millisecond), 10)}
	c.hintAuth = "the API key was rejected: check SLEUTH_KIBANA_API_KEY (or respond.elastic.api_key_env)"
	c.hintForbidden = "the API key's role lacks the Host Isolation privilege (Elastic Defend response actions need a Platinum or Enterprise licence)"
	return &Elastic{c: c, pollFirst: o.PollInterval}
}

// Name implements Connector.
func (k *Elastic) Name() string { return ConnectorElastic }

// Supports implements Connector.
func (k *Elastic) Supports(t Type) bool { return connectorSupports(ConnectorElastic, t) }

// kbnEndpoint is the part of an endpoint's metadata sleuth reads.
type kbnEndpoint struct {
	HostStatus string `json:"host_status"`
	Metadata   struct {
		Agent struct {
			ID string `json:"id"`
		} `json:"agent"`
		Host struct {
			Hostname string `json:"hostname"`
			Name     string `json:"name"`
		} `json:"host"`
		Endpoint struct {
			State struct {
				Isolation bool `json:"isolation"`
			} `json:"state"`
			Configuration struct {
				Isolation bool `json:"isolation"`
			} `json:"configuration"`
		} `json:"Endpoint"`
	} `json:"metadata"`
}

func (e kbnEndpoint) hostname() string {
	return strings.ToLower(firstNonEmpty(e.Metadata.Host.Hostname, e.Metadata.Host.Name))
}

// kbnAction is the part of a response action sleuth reads.
type kbnAction struct {
	ID            string `json:"id"`
	Command       string `json:"command"`
	Comment       string `json:"comment"`
	IsCompleted   bool   `json:"isCompleted"`
	WasSuccessful bool   `json:"wasSuccessful"`
	IsExpired     bool   `json:"isExpired"`
}

// Resolve finds the endpoint (agent) id by host name through the endpoint
// metadata list; a short name also matches hosts whose first DNS label it
// is. Several matches are put to the prompter.
func (k *Elastic) Resolve(ctx context.Context, a *Action, p Prompter) (Target, error) {
	name := strings.ToLower(strings.TrimSpace(a.Target))
	found, err := k.endpoints(ctx, fmt.Sprintf("united.endpoint.host.hostname:%q", name))
	if err != nil {
		return Target{}, err
	}
	if len(found) == 0 && !strings.Contains(name, ".") {
		more, err := k.endpoints(ctx, fmt.Sprintf("united.endpoint.host.hostname:%s.*", kqlEscape(name)))
		if err != nil {
			return Target{}, err
		}
		for _, e := range more {
			if label, _, _ := strings.Cut(e.hostname(), "."); label == name {
				found = append(found, e)
			}
		}
	}
	switch len(found) {
	case 0:
		return Target{}, errorf("respond.unknown_target", "check the host name under Security → Manage → Endpoints", "elastic: no endpoint named %s", name)
	case 1:
		return endpointTarget(found[0]), nil
	}
	options := make([]string, len(found))
	for i, e := range found {
		options[i] = fmt.Sprintf("%s (endpoint %s, %s)", e.hostname(), e.Metadata.Agent.ID, e.HostStatus)
	}
	return choose(ctx, p, fmt.Sprintf("%d endpoints match %q; which one?", len(found), name), options, func(i int) Target { return endpointTarget(found[i]) })
}

func endpointTarget(e kbnEndpoint) Target {
	return Target{ID: e.Metadata.Agent.ID, Name: e.hostname()}
}

// kqlEscape escapes Kibana query language special characters in a value.
func kqlEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`, `:`, `\:`, `<`, `\<`, `>`, `\>`, `"`, `\"`, `*`, `\*`, ` `, `\ `).Replace(s)
}

func (k *Elastic) endpoints(ctx context.Context, kuery string) ([]kbnEndpoint, error) {
	var out struct {
		Data []kbnEndpoint `json:"data"`
	}
	_, err := k.c.do(ctx, http.MethodGet, "/api/endpoint/metadata?pageSize=50&kuery="+queryEscape(kuery), nil, &out)
	return out.Data, err
}

func kbnCommand(t Type) string {
	if t == ReleaseHost {
		return "unisolate"
	}
	return "isolate"
}

// Plan implements Connector.
func (k *Elastic) Plan(a *Action, t Target) Call {
	id := firstNonEmpty(t.ID, "{endpointId}")
	return Call{
		Method:   http.MethodPost,
		URL:      k.c.base + "/api/endpoint/action/" + kbnCommand(a.Type),
		Resolved: describeTarget(t, "endpoint"),
		Headers:  map[string]string{"kbn-xsrf": "true"},
		Body:     map[string]any{"endpoint_ids": []string{id}, "comment": a.Comment()},
		Note:     "then polls GET " + k.c.base + "/api/endpoint/action/{actionId} until it completes",
	}
}

// Current looks for this action's call by its key among the endpoint's
// actions, then reads the endpoint's isolation state: configuration is the
// requested state and state the applied one, so a difference is pending.
func (k *Elastic) Current(ctx context.Context, a *Action, t Target) (State, error) {
	var list struct {
		Data []kbnAction `json:"data"`
	}
	q := "/api/endpoint/action?agentIds=" + url.QueryEscape(t.ID) + "&commands=" + kbnCommand(a.Type)
	if _, err := k.c.do(ctx, http.MethodGet, q, nil, &list); err != nil && Code(err) != "connector.not_found" {
		return State{}, err
	}
	for _, ka := range list.Data {
		if a.Key != "" && strings.Contains(ka.Comment, a.Key) {
			st := State{Effect: EffectPending, RemoteID: ka.ID, Ours: true, Detail: "action " + ka.ID + " " + kbnStatus(ka)}
			if ka.IsCompleted {
				st.Effect = EffectAbsent
				if ka.WasSuccessful {
					st.Effect = EffectPresent
				}
			}
			return st, nil
		}
	}
	var ep kbnEndpoint
	if _, err := k.c.do(ctx, http.MethodGet, "/api/endpoint/metadata/"+url.PathEscape(t.ID), nil, &ep); err != nil {
		return State{}, err
	}
	want := a.Type == IsolateHost
	state, requested := ep.Metadata.Endpoint.State.Isolation, ep.Metadata.Endpoint.Configuration.Isolation
	detail := fmt.Sprintf("isolation applied %t, requested %t", state, requested)
	switch {
	case state == want && requested == want:
		return State{Effect: EffectPresent, Detail: detail}, nil
	case requested == want:
		return State{Effect: EffectPending, Detail: detail}, nil
	}
	return State{Effect: EffectAbsent, Detail: detail}, nil
}

func kbnStatus(ka kbnAction) string {
	switch {
	case ka.IsExpired:
		return "expired"
	case !ka.IsCompleted:
		return "pending"
	case ka.WasSuccessful:
		return "successful"
	}
	return "failed"
}

// Execute implements Connector.
func (k *Elastic) Execute(ctx context.Context, a *Action, t Target) (string, error) {
	call := k.Plan(a, t)
	var out struct {
		Data kbnAction `json:"data"`
	}
	if _, err := k.c.do(ctx, http.MethodPost, strings.TrimPrefix(call.URL, k.c.base), call.Body, &out); err != nil {
		return "", err
	}
	if out.Data.ID == "" {
		return "", errorf("connector.http", "", "elastic: the %s response carried no action id", kbnCommand(a.Type))
	}
	return out.Data.ID, nil
}

// Wait polls the response action until it completes or expires.
func (k *Elastic) Wait(ctx context.Context, a *Action, t Target, remoteID string) (Result, error) {
	var last struct {
		Data kbnAction `json:"data"`
	}
	err := k.c.poll(ctx, k.pollFirst, func() (bool, error) {
		_, err := k.c.do(ctx, http.MethodGet, "/api/endpoint/action/"+url.PathEscape(remoteID), nil, &last)
		return err == nil && (last.Data.IsCompleted || last.Data.IsExpired), err
	})
	detail := "action " + remoteID + " " + kbnStatus(last.Data)
	if err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		return Result{Detail: detail}, nil
	}
	if err != nil {
		return Result{Detail: detail}, err
	}
	return Result{Done: true, OK: last.Data.IsCompleted && last.Data.WasSuccessful, Detail: detail}, nil
}
