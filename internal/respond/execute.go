package respond

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/audit"
)

// Execute runs an approved action: it checks the connector's current state
// (an isolated host is not isolated twice), persists the action as
// executing with its idempotency key before the call goes out, sends it,
// waits for the connector to finish (within the policy's poll timeout),
// verifies the effect, and records the outcome. An action already
// executing (sleuth died mid-call, or the wait timed out) is resumed: the
// engine looks for the earlier call by its key and never sends it twice.
func (e *Engine) Execute(ctx context.Context, id string) (*Action, error) {
	a, err := e.Get(id)
	if err != nil {
		return nil, err
	}
	if a.Type.Recommendation() {
		return a, errorf("respond.recommendation", "block "+a.Target+" at your firewall or proxy",
			"%s is a recommendation; sleuth never executes it", a.ID)
	}
	switch a.Status {
	case Executing:
		return e.resume(ctx, a, true)
	case Approved:
	default:
		return nil, errorf("respond.state", "approve it first: sleuth respond approve "+a.ID, "%s is %s, not approved", a.ID, a.Status)
	}
	c, err := e.connector(a.Connector, a.Type)
	if err != nil {
		return nil, err
	}
	octx := e.observe(ctx, a)
	t, err := e.target(octx, c, a)
	if err != nil {
		return nil, errors.Join(err, e.takeAuditErr())
	}
	st, err := c.Current(octx, a, t)
	if err != nil {
		return nil, errors.Join(err, e.takeAuditErr())
	}
	if done, a2, err := e.alreadyDone(octx, c, a, t, st); done {
		return a2, errors.Join(err, e.takeAuditErr())
	}
	a, err = e.transition(a.ID, Executing, e.actor(), "calling "+c.Name(), func(x *Action) { x.Resolved = &t })
	if err != nil {
		return nil, err
	}
	if err := e.record(e.actor(), audit.KindOutcome, a); err != nil {
		return a, err // nothing was sent: an unaudited action must not run
	}
	remote, err := c.Execute(octx, a, t)
	if err != nil {
		return e.afterSendError(a, err)
	}
	a.RemoteID = remote
	if err := e.save(a); err != nil {
		return a, err
	}
	return e.wait(ctx, c, a, t)
}

// target is the resolved target, resolving again when an older action was
// approved before resolution was recorded.
func (e *Engine) target(ctx context.Context, c Connector, a *Action) (Target, error) {
	if a.Resolved != nil && a.Resolved.ID != "" {
		return *a.Resolved, nil
	}
	return c.Resolve(ctx, a, e.Prompter)
}

// alreadyDone handles an effect found in force or pending before any call:
// a no-op recorded as such, or waiting on the pending call.
func (e *Engine) alreadyDone(ctx context.Context, c Connector, a *Action, t Target, st State) (bool, *Action, error) {
	switch {
	case st.Effect == EffectPresent:
		a, err := e.finish(a, t, Succeeded, "already in force, no call sent (no-op): "+st.Detail, st.RemoteID)
		return true, a, err
	case st.Effect == EffectPending && st.RemoteID == "":
		a, err := e.finish(a, t, Succeeded, "already pending at "+c.Name()+", no call sent (no-op): "+st.Detail, "")
		return true, a, err
	case st.Effect == EffectPending:
		a, err := e.transition(a.ID, Executing, e.actor(), "attaching to the pending call "+st.RemoteID, func(x *Action) {
			x.Resolved, x.RemoteID = &t, st.RemoteID
			x.Outcome = "already pending, no call sent: " + st.Detail
		})
		if err != nil {
			return true, nil, err
		}
		if err := e.record(e.actor(), audit.KindOutcome, a); err != nil {
			return true, a, err
		}
		a, err = e.wait(ctx, c, a, t)
		return true, a, err
	}
	return false, nil, nil
}

// finish moves an approved or executing action to its end state.
func (e *Engine) finish(a *Action, t Target, to Status, outcome, remote string) (*Action, error) {
	if a.Status == Approved {
		var err error
		if a, err = e.transition(a.ID, Executing, e.actor(), "checking "+a.Connector, func(x *Action) { x.Resolved = &t }); err != nil {
			return nil, err
		}
	}
	a, err := e.transition(a.ID, to, e.actor(), outcome, func(x *Action) {
		x.Outcome = outcome
		if remote != "" {
			x.RemoteID = remote
		}
	})
	if err != nil {
		return nil, err
	}
	if to == Failed {
		return a, errors.Join(e.record(e.actor(), audit.KindOutcome, a), errorf("respond.failed", "", "%s failed: %s", a.ID, outcome))
	}
	return a, e.record(e.actor(), audit.KindOutcome, a)
}

// afterSendError decides what a failed call means. An answer from the
// connector (401, 403, 404, 400 …) is a definite failure. No answer (the
// connection broke, sleuth was interrupted) leaves the action executing:
// the call may have arrived, and only a later check can tell.
func (e *Engine) afterSendError(a *Action, err error) (*Action, error) {
	if Code(err) == "connector.unreachable" || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		a.Outcome = "interrupted: sleuth does not know whether the call arrived"
		serr := e.save(a)
		return a, errors.Join(&Error{Code: Code(err), Msg: a.ID + ": " + a.Outcome, Err: err,
			Hint: "'sleuth respond approve " + a.ID + "' checks the connector and resumes without sending the call twice"}, serr, e.takeAuditErr())
	}
	a2, ferr := e.finish(a, derefTarget(a.Resolved), Failed, err.Error(), "")
	var ce *Error
	if errors.As(err, &ce) {
		// Keep the connector's own code and hint: they say what to fix.
		ferr = err
	}
	return a2, errors.Join(ferr, e.takeAuditErr())
}

func derefTarget(t *Target) Target {
	if t == nil {
		return Target{}
	}
	return *t
}

// wait polls the connector within the poll timeout, then verifies.
func (e *Engine) wait(ctx context.Context, c Connector, a *Action, t Target) (*Action, error) {
	pctx, cancel := context.WithTimeout(e.observe(ctx, a), e.pollTimeout())
	res, err := c.Wait(pctx, a, t, a.RemoteID)
	cancel()
	if err != nil && pctx.Err() == nil {
		// The call was accepted; only reading its status failed. Its outcome
		// is unknown, so the action stays executing for a later check.
		a.Outcome = "could not read the call's status: " + err.Error()
		serr := e.save(a)
		return a, errors.Join(err, serr, e.takeAuditErr())
	}
	if !res.Done {
		a.Outcome = fmt.Sprintf("still running at %s: %s", c.Name(), firstNonEmpty(res.Detail, "no final status yet"))
		serr := e.save(a)
		return a, errors.Join(serr, e.takeAuditErr(), ctx.Err())
	}
	if !res.OK {
		a2, err := e.finish(a, t, Failed, res.Detail, "")
		return a2, errors.Join(err, e.takeAuditErr())
	}
	return e.verify(ctx, c, a, t, res)
}

func (e *Engine) pollTimeout() time.Duration {
	if e.Policy.PollTimeout > 0 {
		return e.Policy.PollTimeout
	}
	return DefaultPollTimeout
}

// verify reads the effect back after the connector reported success.
func (e *Engine) verify(ctx context.Context, c Connector, a *Action, t Target, res Result) (*Action, error) {
	st, err := c.Current(e.observe(ctx, a), a, t)
	if err != nil {
		a2, ferr := e.finish(a, t, Succeeded, res.Detail+"; verification could not read the state back: "+err.Error(), "")
		return a2, errors.Join(ferr, e.takeAuditErr())
	}
	switch st.Effect {
	case EffectPresent:
		a2, err := e.finish(a, t, Succeeded, res.Detail+"; verified: "+st.Detail, "")
		return a2, errors.Join(err, e.takeAuditErr())
	case EffectUnknown:
		a2, err := e.finish(a, t, Succeeded, res.Detail+"; "+c.Name()+" cannot verify the effect", "")
		return a2, errors.Join(err, e.takeAuditErr())
	}
	a2, err := e.finish(a, t, Failed, res.Detail+", but verification found the effect absent: "+st.Detail, "")
	return a2, errors.Join(err, e.takeAuditErr())
}

// Reconcile looks at every action left executing (by a crash, an
// interruption or a wait that timed out) and settles what it can from the
// connector's side: it waits for calls found by their key and records
// outcomes. It never sends a call; actions whose call left no trace are
// reported in the returned list, still executing.
func (e *Engine) Reconcile(ctx context.Context) ([]*Action, error) {
	st, err := e.Store.Load()
	if err != nil {
		return nil, err
	}
	var out []*Action
	var errs []error
	for _, a := range st.Find(func(a *Action) bool { return a.Status == Executing }) {
		a2, err := e.resume(ctx, a, false)
		if a2 != nil {
			out = append(out, a2)
		}
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// resume settles an executing action. With resend it may send the call
// once more, but only when the connector shows no trace of it and no
// effect, so the call is never executed twice.
func (e *Engine) resume(ctx context.Context, a *Action, resend bool) (*Action, error) {
	c, err := e.connector(a.Connector, a.Type)
	if err != nil {
		return a, err
	}
	octx := e.observe(ctx, a)
	t, err := e.target(octx, c, a)
	if err != nil {
		return a, errors.Join(err, e.takeAuditErr())
	}
	if a.RemoteID != "" {
		return e.wait(ctx, c, a, t)
	}
	st, err := c.Current(octx, a, t)
	if err != nil {
		return a, errors.Join(err, e.takeAuditErr())
	}
	switch {
	case st.Ours && st.RemoteID != "" && st.Effect != EffectPresent:
		a.RemoteID = st.RemoteID
		a.Outcome = "found the interrupted call at " + c.Name() + " by its key"
		if err := e.save(a); err != nil {
			return a, err
		}
		return e.wait(ctx, c, a, t)
	case st.Effect == EffectPresent:
		return e.finish(a, t, Succeeded, "found in force after an interruption, no call re-sent: "+st.Detail, st.RemoteID)
	case st.Effect == EffectPending && st.RemoteID != "":
		a.RemoteID = st.RemoteID
		if err := e.save(a); err != nil {
			return a, err
		}
		return e.wait(ctx, c, a, t)
	case st.Effect == EffectAbsent && !st.Ours && resend:
		// No trace of the call and no effect: it never arrived. Sending it
		// now is its first and only delivery.
		remote, err := c.Execute(octx, a, t)
		if err != nil {
			return e.afterSendError(a, err)
		}
		a.RemoteID = remote
		a.Outcome = "resumed: the interrupted call had not arrived, sent once"
		if err := e.save(a); err != nil {
			return a, err
		}
		return e.wait(ctx, c, a, t)
	case st.Effect == EffectUnknown && resend:
		return e.finish(a, t, Failed, "interrupted, and "+c.Name()+" cannot tell whether the call arrived; approve again to send a new call with a new key", "")
	}
	a.Outcome = "interrupted before sleuth knew whether the call reached " + c.Name() + "; nothing found there yet; 'sleuth respond approve " + a.ID + "' checks again and resumes"
	return a, errors.Join(e.save(a), e.takeAuditErr())
}
