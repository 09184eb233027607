package respond

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/audit"
)

// ApproveOptions qualify an approval.
type ApproveOptions struct {
	// Connector overrides the action's connector.
	Connector string
	// Reason is recorded with the decision.
	Reason string
	// Yes is an explicit approval given up front (--yes): no prompt.
	Yes bool
	// ConfirmName is the second confirmation for a protected asset given
	// up front (--confirm-protected NAME); it must equal the target.
	ConfirmName string
	// ByPolicy marks approvals made by --approve policy.
	ByPolicy bool
}

// Preview resolves the action's target and returns the exact call its
// connector would make, without sending anything. When the target cannot
// be resolved (no credentials, say) it still returns the call with the id
// left as a placeholder, and the error.
func (e *Engine) Preview(ctx context.Context, a *Action, connector string) (Call, error) {
	if a.Type.Recommendation() {
		return Call{Method: "none", URL: "-", Note: "a recommendation: sleuth never executes it; block " + a.Target + " at your firewall or proxy"}, nil
	}
	if connector == "" {
		connector = a.Connector
	}
	c, err := e.connector(connector, a.Type)
	if err != nil {
		return Call{}, err
	}
	t, err := c.Resolve(e.observe(ctx, a), a, e.Prompter)
	if err != nil {
		return c.Plan(a, Target{Name: a.Target}), err
	}
	return c.Plan(a, t), e.takeAuditErr()
}

// Approve records the analyst's approval of a proposed (or failed) action
// after the policy allows it: the type must be allowed, the connector
// enabled, and a protected target needs a second confirmation (or is
// refused outright). Without opts.Yes the Prompter is shown the exact call
// and asked; a "no" is recorded as a denial. Approve does not execute:
// call Execute next.
func (e *Engine) Approve(ctx context.Context, id string, o ApproveOptions) (*Action, error) {
	a, err := e.Get(id)
	if err != nil {
		return nil, err
	}
	switch a.Status {
	case Approved, Executing:
		return a, nil // already approved; Execute carries on
	case Succeeded, Denied:
		return nil, errorf("respond.state", stateHint(a), "%s is already %s", a.ID, a.Status)
	}
	if a.Type.Recommendation() {
		return e.acknowledge(a, o)
	}
	if ok, why := e.Policy.Allows(a.Type); !ok {
		return e.refuse(a, why)
	}
	name := o.Connector
	if name == "" {
		name = a.Connector
	}
	c, err := e.connector(name, a.Type)
	if err != nil {
		return nil, err
	}
	t, err := c.Resolve(e.observe(ctx, a), a, e.Prompter)
	if err != nil {
		return nil, errors.Join(err, e.takeAuditErr())
	}
	if err := e.checkProtected(ctx, a, t, o); err != nil {
		return nil, err
	}
	if !o.Yes {
		ok, err := e.ask(ctx, a, c.Plan(a, t))
		if err != nil {
			return nil, err
		}
		if !ok {
			return e.Deny(ctx, a.ID, firstNonEmpty(o.Reason, "declined at the approval prompt"))
		}
	}
	reason := firstNonEmpty(o.Reason, "approved by "+e.actor())
	if o.ByPolicy {
		reason = firstNonEmpty(o.Reason, "approved under --approve policy")
	}
	retry := a.Status == Failed
	a, err = e.transition(a.ID, Approved, e.actor(), reason, func(a *Action) {
		a.Connector, a.Resolved = c.Name(), &t
		if retry {
			// A new attempt gets a new key: the old call's outcome is known
			// and must not be mistaken for the new one's.
			a.Attempt++
			a.Key = newKey()
			a.RemoteID = ""
			a.Outcome = ""
		}
	})
	if err != nil {
		return nil, err
	}
	return a, errors.Join(e.record(e.actor(), audit.KindDecision, a), e.takeAuditErr())
}

// ask shows the call and asks for approval.
func (e *Engine) ask(ctx context.Context, a *Action, call Call) (bool, error) {
	if e.Prompter == nil {
		return false, errorf("usage", "approve from a terminal, or pass --yes to approve without a prompt",
			"approving %s needs a terminal or --yes", a.ID)
	}
	q := fmt.Sprintf("%s: %s\n%s\n%s", a.ID, a.Describe(), whyLine(a.Why), call.String())
	return e.Prompter.Confirm(ctx, q+"Approve and execute?")
}

func whyLine(s string) string {
	if s == "" {
		return ""
	}
	return "  why: " + s
}

// checkProtected applies the protected-asset policy to the resolved
// target, whose tags only the connector knows.
func (e *Engine) checkProtected(ctx context.Context, a *Action, t Target, o ApproveOptions) error {
	level, pat := e.Policy.Protection(a.Target, t.Tags)
	if level == Unprotected && t.Name != "" {
		level, pat = e.Policy.Protection(t.Name, t.Tags)
	}
	switch level {
	case Forbidden:
		_, err := e.refuse(a, fmt.Sprintf("policy: %s is a protected asset (%q in respond.protected_assets.forbid)", a.Target, pat))
		return err
	case NeedConfirm:
		if o.ConfirmName != "" {
			if strings.EqualFold(o.ConfirmName, a.Target) || strings.EqualFold(o.ConfirmName, t.Name) {
				return nil
			}
			return errorf("respond.policy", "pass the target's name exactly: --confirm-protected "+a.Target,
				"--confirm-protected %q does not name %s", o.ConfirmName, a.Target)
		}
		if e.Prompter == nil {
			return errorf("respond.policy", "approve from a terminal, or add --confirm-protected "+a.Target,
				"%s is a protected asset (%q): approving it needs a second confirmation", a.Target, pat)
		}
		ok, err := e.Prompter.ConfirmName(ctx, fmt.Sprintf("%s is a protected asset (%q). Second confirmation:", a.Target, pat), a.Target)
		if err != nil {
			return err
		}
		if !ok {
			return errorf("respond.policy", "", "second confirmation for protected asset %s not given; nothing was approved", a.Target)
		}
	}
	return nil
}

// refuse records a policy refusal and returns it as an error.
func (e *Engine) refuse(a *Action, why string) (*Action, error) {
	a, err := e.transition(a.ID, Denied, PolicyActor, why, func(a *Action) {
		if strings.Contains(why, "protected asset") {
			a.Protection = Forbidden
		}
	})
	if err != nil {
		return nil, err
	}
	if err := e.record(PolicyActor, audit.KindDecision, a); err != nil {
		return a, err
	}
	return a, errorf("respond.policy", "change the respond: section of the config if the policy is wrong", "%s refused: %s", a.ID, why)
}

// acknowledge records approval of a recommendation. Nothing executes.
func (e *Engine) acknowledge(a *Action, o ApproveOptions) (*Action, error) {
	reason := firstNonEmpty(o.Reason, "recommendation acknowledged by "+e.actor()+"; sleuth does not execute it")
	a, err := e.transition(a.ID, Approved, e.actor(), reason, func(a *Action) {
		a.Outcome = "recommendation: block " + a.Target + " at the firewall or proxy; sleuth never executes it"
	})
	if err != nil {
		return nil, err
	}
	return a, e.record(e.actor(), audit.KindDecision, a)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
