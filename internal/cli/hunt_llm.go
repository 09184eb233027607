package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/hunt/llmhunt"
	"github.com/sleuth-hunt/sleuth/internal/llm"
	"github.com/sleuth-hunt/sleuth/internal/llm/providers"
)

// huntLLM resolves --llm and the config's llm section into a guarded
// client for this hunt, as sleuth models reads them, or returns nil when
// the hunt runs offline. --max-cost caps the hunt's spend; --yes accepts
// warnings that need consent when nobody is at a terminal to ask.
func (a *app) huntLLM(req huntRequest) (*llmhunt.Session, error) {
	cfg, _, err := config.Load(a.configPath)
	if err != nil {
		return nil, err
	}
	s, err := llm.Resolve(cfg.LLM, req.llm, a.getenv)
	if err != nil {
		if e, ok := llm.AsError(err); ok && e.Code == llm.CodeConfig {
			return nil, usagef(e.ErrorHint(), "--llm: %s", e.Msg)
		}
		return nil, err
	}
	if s.None() {
		return nil, nil
	}
	if req.maxCost < 0 {
		return nil, usagef("use 0 for no cap", "--max-cost %g: a budget cannot be negative", req.maxCost)
	}
	if req.maxCost > 0 {
		s.MaxCostUSD = req.maxCost
	}
	c, err := providers.Client(s)
	if err != nil {
		return nil, err
	}
	// On a terminal (or with --verbose) the cost table comes before every
	// call, as the analyst expects to see what a call will cost; piped
	// runs print it only with a warning or a refusal.
	quiet := !isTerminal(a.stderr) && !a.log.Enabled(context.Background(), slog.LevelDebug)
	c.Guard.Out, c.Guard.Yes, c.Guard.Quiet = a.stderr, req.yes, quiet
	if isTerminal(a.stdin) && isTerminal(a.stderr) {
		c.Guard.Prompter = llm.NewTerminalPrompter(a.stdin, a.stderr)
	}
	return llmhunt.NewSession(c, s.Model), nil
}

// wireLLM gives the engine the LLM planner and analyst.
func wireLLM(e *hunt.Engine, s *llmhunt.Session) {
	if s == nil {
		return
	}
	e.Planner = &llmhunt.Planner{S: s, MaxWindow: e.Options.MaxWindow}
	e.Analyst = &llmhunt.Analyst{S: s, Rows: llmhunt.SourceRows(e.Source, e.Options.Now, e.Options.Policy)}
}

// llmNotices shows on stderr what the LLM did not do: fallbacks to the
// offline planner or analysis, dropped items, dismissals left beside the
// evidence. The report holds them too.
func (a *app) llmNotices(r *hunt.Report) {
	for _, n := range r.LLM.Notices {
		fmt.Fprintf(a.stderr, "sleuth: notice: llm: %s\n", strings.ReplaceAll(n, "\n", " "))
	}
}
