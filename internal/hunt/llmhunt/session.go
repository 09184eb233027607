package llmhunt

import (
	"sync"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// Session is one hunt's use of a model: the guarded client (which holds the
// budget and the cost guard), the model, and notices waiting for the
// report. The planner and the analyst share it so the report totals every
// call once.
type Session struct {
	Client *llm.Client
	Model  string
	// Attack validates tactics and techniques (attack.Default() when nil).
	Attack *attack.Catalog
	// Counter measures evidence with the model's tokenizer
	// (llm.DefaultCounter() when nil).
	Counter *llm.Counter

	mu      sync.Mutex
	notices []string
}

// NewSession wraps a guarded client for one hunt.
func NewSession(c *llm.Client, model string) *Session {
	return &Session{Client: c, Model: model}
}

func (s *Session) attack() *attack.Catalog {
	if s.Attack != nil {
		return s.Attack
	}
	return attack.Default()
}

func (s *Session) counter() *llm.Counter {
	if s.Counter != nil {
		return s.Counter
	}
	return llm.DefaultCounter()
}

// modelInfo is the catalog entry calls are priced and counted with.
func (s *Session) modelInfo() llm.ModelInfo {
	if g := s.Client.Guard; g != nil {
		return g.Estimate(llm.Request{Model: s.Model}).Model
	}
	return llm.DefaultCatalog().Lookup(s.Client.Provider.Name(), s.Model)
}

func (s *Session) notice(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notices = append(s.notices, msg)
}

// Record writes the calls made so far and the pending notices into r.LLM.
// It may be called more than once: totals are replaced, notices are moved.
func (s *Session) Record(r *hunt.Report) {
	if s == nil || s.Client == nil || r == nil {
		return
	}
	s.mu.Lock()
	pending := s.notices
	s.notices = nil
	s.mu.Unlock()
	u := &r.LLM
	u.Model = s.Model
	if s.Client.Budget != nil {
		sum := s.Client.Budget.Summary()
		u.Calls, u.InputTokens, u.OutputTokens, u.CostUSD = sum.Calls, sum.InputTokens, sum.OutputTokens, sum.CostUSD
		u.PerCall = u.PerCall[:0]
		for _, c := range sum.Records {
			u.PerCall = append(u.PerCall, hunt.LLMCall{Purpose: c.Purpose, Model: c.Model, InputTokens: c.InputTokens,
				OutputTokens: c.OutputTokens, CostUSD: c.CostUSD, Latency: time.Duration(c.LatencyMS) * time.Millisecond,
				PromptSHA256: c.PromptHash, Error: c.Error})
		}
	}
	u.Notices = append(u.Notices, pending...)
}

// hinted carries an LLM error's hint into its message: the engine reports
// a fallback with the error's text, and a refused call is only useful to
// the analyst with what to do about it (pass --yes, raise --max-cost).
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() + "; " + h.hint }
func (h *hinted) Unwrap() error { return h.err }

// withHint adds the hint of a guard refusal or a credentials problem.
func withHint(err error) error {
	e, ok := llm.AsError(err)
	if !ok {
		return err
	}
	switch e.Code {
	case llm.CodeBudget, llm.CodeContextExceeded, llm.CodeRateLimited, llm.CodeAuth, llm.CodeAborted:
		if h := e.ErrorHint(); h != "" {
			return &hinted{err: err, hint: h}
		}
	}
	return err
}
