package llm

import (
	"context"
	"fmt"
	"io"
	"sort"
)

// Level grades a check: fine, worth a warning, or over the limit.
type Level int

// Levels, in increasing severity.
const (
	LevelOK Level = iota
	LevelWarn
	LevelRefuse
)

// WarnAt is the fraction of a limit at which the guard warns.
const WarnAt = 0.80

// Limit names what a check measures.
type Limit string

// The limits checked before every call.
const (
	LimitContext Limit = "context"
	LimitRate    Limit = "rate"
	LimitBudget  Limit = "budget"
)

// Check is one limit measured against one call.
type Check struct {
	Limit Limit
	Level Level
	// Used and Max are in tokens (context, rate) or USD (budget).
	Used, Max float64
	Msg       string
	// Consent is set when going on at this level needs the analyst's yes
	// (interactive, or --yes): spending money does, capacity warnings
	// do not.
	Consent bool
}

// Pct is Used as a percentage of Max.
func (c Check) Pct() float64 {
	if c.Max <= 0 {
		return 0
	}
	return 100 * c.Used / c.Max
}

// Estimate is what the guard knows about a call before it is made.
type Estimate struct {
	Model     ModelInfo
	Input     TokenCount
	MaxOutput int
	// CostUSD is the worst case: every allowed output token used.
	CostUSD   float64
	CostKnown bool
	TPM       int
	Checks    []Check
}

// Level is the worst level of the estimate's checks.
func (e Estimate) Level() Level {
	l := LevelOK
	for _, c := range e.Checks {
		l = max(l, c.Level)
	}
	return l
}

func (e Estimate) needsConsent() bool {
	for _, c := range e.Checks {
		if c.Level == LevelWarn && c.Consent {
			return true
		}
	}
	return false
}

// worst returns the first check at the estimate's level.
func (e Estimate) worst() Check {
	lvl := e.Level()
	for _, c := range e.Checks {
		if c.Level == lvl {
			return c
		}
	}
	return Check{}
}

// Guard checks every call against the model's context window, its
// tokens-per-minute limit and the hunt's budget, shows the analyst what
// the call will cost, and asks, refuses or goes on.
type Guard struct {
	Catalog *Catalog
	Counter *Counter
	Budget  *Budget
	// Provider is the kind the calls go to.
	Provider string
	// Tier picks the TPM limit; TPM, when set, overrides the catalog's.
	Tier int
	TPM  int
	// NumCtx, when set, is the context window Ollama is asked for, which
	// is the effective limit rather than the model's trained window.
	NumCtx int
	// Aliases maps a request's model name to its catalog name: an Azure
	// deployment to the model behind it.
	Aliases map[string]string
	// Out receives the table and warnings (stderr); nil prints nothing.
	Out io.Writer
	// Prompter asks the analyst in a terminal; nil means non-interactive.
	Prompter Prompter
	// Yes accepts warnings that need consent when non-interactive.
	Yes bool
	// Quiet prints the table only when a check is not OK.
	Quiet bool
}

// Estimate counts and prices req for the guard's provider and checks it.
func (g *Guard) Estimate(req Request) Estimate {
	m := g.lookup(req.Model)
	if m.Provider == ProviderOllama {
		if g.NumCtx > 0 {
			m.NumCtx = g.NumCtx
		}
		if m.NumCtx > 0 {
			m.Context = m.NumCtx
			m.MaxOutput = min(m.MaxOutput, m.NumCtx)
		}
	}
	e := Estimate{Model: m, Input: g.Counter.Request(m, req), MaxOutput: req.MaxOutputTokens}
	if e.MaxOutput == 0 {
		e.MaxOutput = defaultMaxOutput(m)
	}
	e.CostUSD, e.CostKnown = m.Cost(e.Input.Tokens, e.MaxOutput)
	e.TPM = m.TPMAt(g.Tier)
	if g.TPM > 0 {
		e.TPM = g.TPM
	}
	e.Checks = []Check{g.checkContext(e), g.checkRate(e), g.checkBudget(e)}
	return e
}

// lookup finds the catalog entry for a request's model name.
func (g *Guard) lookup(name string) ModelInfo {
	if alias, ok := g.Aliases[name]; ok && alias != "" {
		name = alias
	}
	return g.Catalog.Lookup(g.Provider, name)
}

func (g *Guard) checkContext(e Estimate) Check {
	c := Check{Limit: LimitContext, Used: float64(e.Input.Tokens + e.MaxOutput), Max: float64(e.Model.Context)}
	if c.Max <= 0 {
		return c
	}
	c.Level = grade(c.Used, c.Max)
	c.Msg = fmt.Sprintf("the prompt (%s tokens) plus up to %s output tokens fill %.0f%% of %s's %s-token context window",
		thousands(e.Input.Tokens), thousands(e.MaxOutput), c.Pct(), e.Model.Name, thousands(e.Model.Context))
	return c
}

// checkRate compares the call, plus what this hunt sent in the last minute,
// with the TPM limit. Only a call that could never fit is refused; recent
// traffic just warns, because the client waits and retries on a 429.
func (g *Guard) checkRate(e Estimate) Check {
	c := Check{Limit: LimitRate, Max: float64(e.TPM)}
	if e.TPM <= 0 {
		return c
	}
	self := e.Input.Tokens
	if e.Model.Provider != ProviderAnthropic { // OpenAI counts max output toward TPM; Anthropic's ITPM is input only
		self += e.MaxOutput
	}
	recent := 0
	if g.Budget != nil {
		in, out := g.Budget.TokensLastMinute(e.Model.Name)
		recent = in
		if e.Model.Provider != ProviderAnthropic {
			recent += out
		}
	}
	c.Used = float64(self + recent)
	c.Level = grade(c.Used, c.Max)
	if float64(self) <= c.Max && c.Level == LevelRefuse {
		c.Level = LevelWarn
	}
	c.Msg = fmt.Sprintf("%s tokens this minute against a limit of %s tokens per minute (tier %d)",
		thousands(self+recent), thousands(e.TPM), max(g.Tier, 1))
	return c
}

func (g *Guard) checkBudget(e Estimate) Check {
	c := Check{Limit: LimitBudget, Consent: true}
	if g.Budget == nil || g.Budget.Max() <= 0 {
		if !e.CostKnown {
			c.Msg = fmt.Sprintf("%s is not in the model catalog, so the cost of the call is unknown", e.Model.Name)
			c.Level, c.Consent = LevelWarn, false
		}
		return c
	}
	spent := g.Budget.Spent()
	c.Max = g.Budget.Max()
	if !e.CostKnown {
		c.Used = spent
		c.Level = LevelWarn
		c.Msg = fmt.Sprintf("%s is not in the model catalog, so the call's cost is unknown against the $%.2f budget", e.Model.Name, c.Max)
		return c
	}
	c.Used = spent + e.CostUSD
	c.Level = grade(c.Used, c.Max)
	c.Msg = fmt.Sprintf("$%.4f spent plus up to $%.4f for this call is %.0f%% of the $%.2f budget", spent, e.CostUSD, c.Pct(), c.Max)
	return c
}

func grade(used, limit float64) Level {
	switch {
	case used > limit:
		return LevelRefuse
	case used >= WarnAt*limit:
		return LevelWarn
	}
	return LevelOK
}

// defaultMaxOutput is the output cap when a request sets none: enough for
// a plan or a page of verdicts, and never more than the model allows.
func defaultMaxOutput(m ModelInfo) int {
	const dflt = 4096
	if m.MaxOutput > 0 {
		return min(dflt, m.MaxOutput)
	}
	return dflt
}

// Approve runs the checks for req, prints the estimate table, and then
// goes on, asks, or refuses. An interactive analyst may switch the model,
// in which case req.Model changes. The returned Estimate is for the model
// the call will use.
func (g *Guard) Approve(ctx context.Context, req *Request) (Estimate, error) {
	for range 4 { // each round may switch model; bounded so a prompter cannot loop forever
		e := g.Estimate(*req)
		alts := g.alternatives(*req, e)
		lvl := e.Level()
		if g.Out != nil && (!g.Quiet || lvl > LevelOK) {
			RenderTable(g.Out, req.Purpose, e, alts)
			g.printChecks(e)
		}
		if lvl == LevelOK || (lvl == LevelWarn && !e.needsConsent()) {
			return e, nil
		}
		if g.Prompter == nil {
			return e, g.nonInteractive(e)
		}
		choice, err := g.Prompter.Choose(ctx, Prompt{Estimate: e, Alternatives: alts, CanContinue: canContinue(e)})
		if err != nil {
			return e, err
		}
		switch {
		case choice.Model != "":
			req.Model = choice.Model
			continue
		case choice.Continue && canContinue(e):
			return e, nil
		}
		return e, &Error{Code: CodeAborted, Provider: g.Provider, Model: req.Model, Msg: "the analyst declined the LLM call", Hint: "run without --llm, or with a cheaper model"}
	}
	return Estimate{}, &Error{Code: CodeAborted, Provider: g.Provider, Model: req.Model, Msg: "no model was chosen"}
}

// canContinue allows going on at a warning, or over budget when the
// analyst says so in a terminal; a prompt that cannot fit the context or
// the rate limit would only fail at the API.
func canContinue(e Estimate) bool {
	for _, c := range e.Checks {
		if c.Level == LevelRefuse && c.Limit != LimitBudget {
			return false
		}
	}
	return true
}

func (g *Guard) nonInteractive(e Estimate) error {
	c := e.worst()
	if c.Level == LevelWarn && g.Yes {
		if g.Out != nil {
			fmt.Fprintln(g.Out, "sleuth: going on (--yes)")
		}
		return nil
	}
	code, hint := CodeBudget, defaultHints[CodeBudget]
	switch c.Limit {
	case LimitContext:
		code, hint = CodeContextExceeded, defaultHints[CodeContextExceeded]
	case LimitRate:
		code = CodeRateLimited
		hint = "this one call is larger than the model's tokens-per-minute limit; raise llm.tier or llm.tpm if your account allows more, or send less evidence"
	}
	if c.Level == LevelWarn {
		hint = "pass --yes to accept the cost, or " + hint
	}
	return &Error{Code: code, Provider: g.Provider, Model: e.Model.Name, Msg: "call not made: " + c.Msg, Hint: hint}
}

func (g *Guard) printChecks(e Estimate) {
	for _, c := range e.Checks {
		switch c.Level {
		case LevelWarn:
			fmt.Fprintf(g.Out, "sleuth: warning: %s\n", c.Msg)
		case LevelRefuse:
			fmt.Fprintf(g.Out, "sleuth: over the limit: %s\n", c.Msg)
		}
	}
}

// alternatives are other catalog models of the same provider, priced for
// the same request, cheapest first; Azure and Ollama have none because
// sleuth cannot know which deployments or local models exist.
func (g *Guard) alternatives(req Request, cur Estimate) []Estimate {
	if g.Provider != ProviderOpenAI && g.Provider != ProviderAnthropic {
		return nil
	}
	var out []Estimate
	for _, m := range g.Catalog.Models() {
		if m.Provider != g.Provider || m.Name == cur.Model.Name {
			continue
		}
		alt := req
		alt.Model = m.Name
		alt.MaxOutputTokens = min(cur.MaxOutput, m.MaxOutput)
		if e := g.Estimate(alt); e.Level() == LevelOK {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CostUSD < out[j].CostUSD })
	return out[:min(len(out), 4)]
}
