package respond

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ApproveMode is how a hunt treats its proposals (--approve).
type ApproveMode string

// Approval modes.
const (
	// Never records and shows proposals; nothing executes.
	Never ApproveMode = "never"
	// Ask shows each proposal with its exact call and asks.
	Ask ApproveMode = "ask"
	// ByPolicy approves what the policy allows without a prompt; protected
	// assets that need a second confirmation are still asked about, or
	// left proposed when there is no terminal.
	ByPolicy ApproveMode = "policy"
)

// ParseApproveMode reads --approve.
func ParseApproveMode(s string) (ApproveMode, error) {
	switch m := ApproveMode(strings.ToLower(strings.TrimSpace(s))); m {
	case Never, Ask, ByPolicy:
		return m, nil
	case "":
		return Ask, nil
	}
	return "", errorf("usage", "use --approve never, ask or policy", "unknown approval mode %q", s)
}

// Process is the hunt's entry point: it records the proposals, then
// approves and executes them as mode says. With mode Ask and no Prompter
// (no terminal), the policy's DryRunOutsideTerminal turns it into Never.
// It returns the actions as they ended up; errors of single actions are
// joined, and the other actions still run.
func (e *Engine) Process(ctx context.Context, proposals []*Action, mode ApproveMode) ([]*Action, error) {
	if err := e.Submit(ctx, proposals); err != nil {
		return proposals, err
	}
	if mode == Ask && e.Prompter == nil {
		if e.Policy.DryRunOutsideTerminal {
			mode = Never
		} else {
			return proposals, errorf("usage", "run the hunt in a terminal, or pass --approve never or --approve policy",
				"--approve ask needs a terminal")
		}
	}
	if mode == Never {
		return proposals, nil
	}
	out := make([]*Action, len(proposals))
	var errs []error
	for i, a := range proposals {
		a2, err := e.decide(ctx, a, mode)
		out[i] = a2
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// decide approves and executes one proposal as mode says.
func (e *Engine) decide(ctx context.Context, a *Action, mode ApproveMode) (*Action, error) {
	if a.Status != Proposed || a.Type.Recommendation() {
		return a, nil
	}
	if mode == ByPolicy && a.Protection == NeedConfirm && e.Prompter == nil {
		return a, nil // a second confirmation needs a person
	}
	approved, err := e.Approve(ctx, a.ID, ApproveOptions{ByPolicy: mode == ByPolicy, Yes: mode == ByPolicy})
	if err != nil || approved.Status != Approved {
		return firstAction(approved, a), err // refused, or declined at the prompt
	}
	done, err := e.Execute(ctx, approved.ID)
	return firstAction(done, approved), err
}

func firstAction(as ...*Action) *Action {
	for _, a := range as {
		if a != nil {
			return a
		}
	}
	return nil
}

// NewRelease builds (without recording) a release-from-isolation action
// for host, as 'sleuth respond release' proposes it.
func (e *Engine) NewRelease(host, connector, reason string) *Action {
	if connector == "" {
		connector = e.Policy.connectorFor(ReleaseHost)
	}
	why := "release " + host + " from isolation"
	if reason != "" {
		why += ": " + reason
	}
	return &Action{
		Type: ReleaseHost, Target: strings.ToLower(strings.TrimSpace(host)), Status: Proposed,
		Connector: connector, Rule: "manual", Why: why, Key: newKey(),
		History: []Transition{{Status: Proposed, Actor: e.actor(), Reason: "requested by " + e.actor()}},
	}
}

// Release records a release action for host, approves it as o says and
// executes it. Releasing a host that is not isolated is a recorded no-op.
func (e *Engine) Release(ctx context.Context, host string, o ApproveOptions) (*Action, error) {
	if strings.TrimSpace(host) == "" {
		return nil, errorf("usage", "name the host: sleuth respond release HOST", "no host to release")
	}
	a := e.NewRelease(host, o.Connector, o.Reason)
	if err := e.Submit(ctx, []*Action{a}); err != nil {
		return a, err
	}
	a2, err := e.Approve(ctx, a.ID, o)
	if err != nil {
		return a, err
	}
	if a2.Status != Approved {
		return a2, fmt.Errorf("%s was not approved; nothing was sent", a2.ID)
	}
	return e.Execute(ctx, a2.ID)
}
