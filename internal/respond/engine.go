package respond

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/audit"
)

// Auditor is where the engine records every step; *audit.Log is one.
type Auditor interface {
	Append(kind string, data any) error
	AppendAs(actor, kind string, data any) error
}

// Engine moves actions through their lifecycle: it persists them, asks for
// approval, applies the policy, executes through connectors, verifies and
// audits.
type Engine struct {
	Store  *Store
	Audit  Auditor
	Policy Policy
	// Connectors holds built connectors by name; Build makes the others on
	// first use (so a missing credential only matters when it is needed).
	Connectors map[string]Connector
	Build      func(name string) (Connector, error)
	// Prompter asks the analyst; nil when there is no terminal.
	Prompter Prompter
	// Actor is who approves and denies: the configured analyst or the OS
	// user.
	Actor string
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu       sync.Mutex
	auditErr error
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

func (e *Engine) actor() string {
	if e.Actor != "" {
		return e.Actor
	}
	return audit.OSUser()
}

// connector returns the named connector if the policy enables it.
func (e *Engine) connector(name string, t Type) (Connector, error) {
	if name == "" {
		return nil, errorf("connector.unavailable", "enable a connector that can run it in respond.connectors, or pass --connector",
			"no enabled connector can run %s", t)
	}
	enabled := false
	for _, n := range e.Policy.Connectors {
		enabled = enabled || n == name
	}
	if !enabled {
		return nil, errorf("connector.unavailable", "add it to respond.connectors in the config",
			"connector %s is not enabled", name)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.Connectors[name]; ok {
		return e.checkSupport(c, t)
	}
	if e.Build == nil {
		return nil, errorf("connector.unavailable", "", "connector %s is not available", name)
	}
	c, err := e.Build(name)
	if err != nil {
		return nil, err
	}
	if e.Connectors == nil {
		e.Connectors = map[string]Connector{}
	}
	e.Connectors[name] = c
	return e.checkSupport(c, t)
}

func (e *Engine) checkSupport(c Connector, t Type) (Connector, error) {
	if !c.Supports(t) {
		return nil, errorf("connector.unavailable", "choose another with --connector", "connector %s cannot %s", c.Name(), t.Verb())
	}
	return c, nil
}

// Load returns every action.
func (e *Engine) Load() ([]*Action, error) {
	st, err := e.Store.Load()
	if err != nil {
		return nil, err
	}
	return st.Actions, nil
}

// Get returns one action.
func (e *Engine) Get(id string) (*Action, error) {
	st, err := e.Store.Load()
	if err != nil {
		return nil, err
	}
	return st.Get(id)
}

// Submit persists new proposals (and the policy's refusals among them),
// assigns their ids and idempotency keys, and audits them.
func (e *Engine) Submit(ctx context.Context, actions []*Action) error {
	now := e.now()
	err := e.Store.Update(func(st *Ledger) error {
		for _, a := range actions {
			if a.Key == "" {
				a.Key = newKey()
			}
			if a.Status == "" {
				a.Status = Proposed
			}
			if len(a.History) == 0 {
				a.History = []Transition{{Status: a.Status, Actor: ProposerActor, Reason: "submitted without a rule"}}
			}
			for i := range a.History {
				if a.History[i].Time.IsZero() {
					a.History[i].Time = now
				}
			}
			st.Add(a)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range actions {
		errs = append(errs, e.record(a.History[0].Actor, audit.KindProposal, a))
		if a.Status == Denied {
			errs = append(errs, e.record(PolicyActor, audit.KindDecision, a))
		}
	}
	return errors.Join(errs...)
}

// Deny records the analyst's denial of a proposed, approved or failed
// action.
func (e *Engine) Deny(ctx context.Context, id, reason string) (*Action, error) {
	if reason == "" {
		reason = "denied by " + e.actor()
	}
	a, err := e.transition(id, Denied, e.actor(), reason, nil)
	if err != nil {
		return nil, err
	}
	return a, e.record(e.actor(), audit.KindDecision, a)
}

// transition applies one lifecycle step to the stored action under the
// store's lock, after edit (if any) changed other fields.
func (e *Engine) transition(id string, to Status, actor, reason string, edit func(*Action)) (*Action, error) {
	var out *Action
	err := e.Store.Update(func(st *Ledger) error {
		a, err := st.Get(id)
		if err != nil {
			return err
		}
		if err := a.move(to, e.now(), actor, reason); err != nil {
			return err
		}
		if edit != nil {
			edit(a)
		}
		out = a
		return nil
	})
	return out, err
}

// save persists fields of a without a transition.
func (e *Engine) save(a *Action) error {
	return e.Store.Update(func(st *Ledger) error {
		cur, err := st.Get(a.ID)
		if err != nil {
			return err
		}
		*cur = *a
		return nil
	})
}

// auditRecord is what the log keeps of an action at each step.
type auditRecord struct {
	ID        string   `json:"action_id"`
	Type      Type     `json:"type"`
	Target    string   `json:"target"`
	Status    Status   `json:"status"`
	FindingID string   `json:"finding_id,omitempty"`
	HuntID    string   `json:"hunt_id,omitempty"`
	Connector string   `json:"connector,omitempty"`
	Rule      string   `json:"rule,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	Key       string   `json:"idempotency_key,omitempty"`
	Resolved  string   `json:"resolved_id,omitempty"`
	RemoteID  string   `json:"remote_id,omitempty"`
	Outcome   string   `json:"outcome,omitempty"`
	Evidence  []string `json:"evidence,omitempty"`
}

func (e *Engine) record(actor, kind string, a *Action) error {
	if e.Audit == nil {
		return nil
	}
	r := auditRecord{ID: a.ID, Type: a.Type, Target: a.Target, Status: a.Status, FindingID: a.FindingID, HuntID: a.HuntID,
		Connector: a.Connector, Rule: a.Rule, Reason: a.LastReason(), Key: a.Key, RemoteID: a.RemoteID, Outcome: a.Outcome}
	if kind == audit.KindProposal {
		r.Evidence = a.Evidence
	}
	if a.Resolved != nil {
		r.Resolved = a.Resolved.ID
	}
	if err := e.Audit.AppendAs(actor, kind, r); err != nil {
		return fmt.Errorf("audit %s of %s: %w", kind, a.ID, err)
	}
	return nil
}

// observe returns a context that records each API call made for a.
func (e *Engine) observe(ctx context.Context, a *Action) context.Context {
	if e.Audit == nil {
		return ctx
	}
	return WithObserver(ctx, func(c APICall) {
		rec := audit.APICall{Connector: c.Connector, Method: c.Method, URL: c.URL, Status: c.Status, ActionID: a.ID}
		if c.Err != nil {
			rec.Error = c.Err.Error()
		}
		if err := e.Audit.AppendAs(e.actor(), audit.KindAPICall, rec); err != nil {
			e.mu.Lock()
			e.auditErr = errors.Join(e.auditErr, err)
			e.mu.Unlock()
		}
	})
}

// takeAuditErr returns and clears an audit failure met while observing.
func (e *Engine) takeAuditErr() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	err := e.auditErr
	e.auditErr = nil
	return err
}

// newKey is a fresh idempotency key.
func newKey() string {
	var b [8]byte
	rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	return "sk-" + hex.EncodeToString(b[:])
}
