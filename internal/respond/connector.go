package respond

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Connector executes actions against one system. Each method is one step
// the engine takes in order: Resolve the target, show the Plan, check the
// Current state (so nothing is done twice), Execute, then Wait for the
// result. Connectors report every API call they make through ReportCall.
type Connector interface {
	// Name is the connector's name in config and flags.
	Name() string
	// Supports reports whether the connector can run actions of type t.
	Supports(t Type) bool
	// Resolve finds the connector's id for the action's target. When
	// several targets match it asks p to choose and never guesses; with no
	// prompter it fails with respond.ambiguous.
	Resolve(ctx context.Context, a *Action, p Prompter) (Target, error)
	// Plan is the exact call Execute would make, for dry runs and for the
	// approval prompt.
	Plan(a *Action, t Target) Call
	// Current reports whether the action's effect is already in force or
	// pending, and whether an earlier call with the action's key made it so.
	Current(ctx context.Context, a *Action, t Target) (State, error)
	// Execute sends the call and returns the connector's id for it.
	Execute(ctx context.Context, a *Action, t Target) (remoteID string, err error)
	// Wait polls until the call finished, or until ctx ends. A Result with
	// Done false means the call is still running at the connector.
	Wait(ctx context.Context, a *Action, t Target, remoteID string) (Result, error)
}

// Target is a resolved target.
type Target struct {
	// ID is the connector's id (machine id, user object id, endpoint id).
	ID string `json:"id"`
	// Name is the target's full name at the connector.
	Name string `json:"name"`
	// Tags are the connector's tags for the target, for protected assets.
	Tags []string `json:"tags,omitempty"`
}

// Effect is what the connector sees of an action's effect.
type Effect int

// Effects.
const (
	// EffectUnknown: the connector cannot tell (a webhook).
	EffectUnknown Effect = iota
	// EffectAbsent: the effect is not there and nothing is pending.
	EffectAbsent
	// EffectPending: a call that will produce the effect is under way.
	EffectPending
	// EffectPresent: the effect is in force.
	EffectPresent
)

// State is what Current found.
type State struct {
	Effect Effect
	// RemoteID is the pending or completed call behind the effect.
	RemoteID string
	// Ours is true when that call carries the action's idempotency key.
	Ours bool
	// Detail describes the state for people: "isolated since …".
	Detail string
}

// Result is the end of an execution.
type Result struct {
	// Done is false when the connector still reports the call running.
	Done bool
	// OK is true when the call succeeded.
	OK bool
	// Detail is the connector's status in words.
	Detail string
}

// Call is one API call as shown before it is sent.
type Call struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Resolved names the target the call acts on: "ws1.contoso.com
	// (machine 1e5bc9…)".
	Resolved string `json:"resolved,omitempty"`
	// Headers are the non-secret headers that matter (kbn-xsrf, the
	// webhook signature header's name); credentials are never shown.
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
	// Note adds what a reader needs: "then polls GET …/machineactions/{id}".
	Note string `json:"note,omitempty"`
}

// String renders the call as the approval prompt and dry runs show it.
func (c Call) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", c.Method, c.URL)
	if c.Resolved != "" {
		fmt.Fprintf(&b, "  target: %s\n", c.Resolved)
	}
	for _, k := range sortedKeys(c.Headers) {
		fmt.Fprintf(&b, "  %s: %s\n", k, c.Headers[k])
	}
	if c.Body != nil {
		body, err := json.Marshal(c.Body)
		if err != nil {
			body = []byte(fmt.Sprint(c.Body))
		}
		fmt.Fprintf(&b, "  body: %s\n", body)
	}
	if c.Note != "" {
		fmt.Fprintf(&b, "  %s\n", c.Note)
	}
	return b.String()
}

// APICall is what ReportCall records: never headers or bodies with
// credentials.
type APICall struct {
	Connector string
	Method    string
	URL       string
	Status    int
	Err       error
	Duration  time.Duration
}

type observerKey struct{}

// WithObserver returns a context whose connector calls are reported to fn.
func WithObserver(ctx context.Context, fn func(APICall)) context.Context {
	return context.WithValue(ctx, observerKey{}, fn)
}

// ReportCall reports one API call to the observer in ctx, if any.
func ReportCall(ctx context.Context, c APICall) {
	if fn, ok := ctx.Value(observerKey{}).(func(APICall)); ok && fn != nil {
		fn(c)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
