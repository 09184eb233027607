package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
	huntreport "github.com/sleuth-hunt/sleuth/internal/report"
)

const huntHelp = `Plans a hunt from a question in plain language, runs guarded KQL and the
detection rules over the telemetry, groups what it finds into findings mapped
to MITRE ATT&CK, widens or pivots when the evidence is thin, and writes a
report with the exact KQL behind every finding.

With nothing configured it hunts the embedded store, and generates the lab
(a simulated enterprise with attacks woven in) the first time.

Examples:
  sleuth hunt "I'm worried someone has breached our tenant. Can you search for suspicious sign-ins in the last 24 hours?"
  sleuth hunt "I'm worried that web01 may have been maliciously logged into in the last few days"
  sleuth hunt "anything suspicious this week?"
  sleuth hunt --format json "password spray against our users" | jq '.findings[].title'
  sleuth hunt --source prod "lateral movement from jump hosts since Monday"
  sleuth hunt --resume 20240515T143000Z-anything-suspicious-this-week

Output: report.md, report.json, findings.jsonl, attack-layer.json and
queries.kql in --out (default ./hunts/<time>-<question>/); every finding is
also appended to the threats log in sleuth's data directory. Response actions
it proposes wait for approval: --approve ask (the default) asks on a terminal,
one question per action after the findings are shown, and only shows the
calls elsewhere; review them later with 'sleuth respond list'.`

func (a *app) huntCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "hunt",
		Usage:       "hunt for a threat described in plain language",
		ArgsUsage:   `"QUESTION"`,
		Description: huntHelp,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "window", Usage: "the `SPAN` hunted when the question names no time (e.g. 24h, 7d)", Value: "7d"},
			&ucli.IntFlag{Name: "max-iterations", Usage: "widen or pivot at most `N` times when the evidence is thin", Value: 5},
			&ucli.FloatFlag{Name: "threshold", Usage: "the best confidence (0..1) that ends the widening loop", Value: 0.5},
			&ucli.StringSliceFlag{Name: "rules", Usage: "also run the Sigma rules in `DIR` (repeatable)"},
			&ucli.StringFlag{Name: "out", Usage: "write the report into `DIR` (default ./hunts/<time>-<question>)"},
			&ucli.StringFlag{Name: "resume", Usage: "continue the interrupted hunt `ID` (a directory under ./hunts, or a path)"},
			&ucli.StringFlag{Name: "approve", Usage: "what to do with proposed response actions: `MODE` never, ask (on a terminal) or policy (auto-approve what the config allows)", Value: "ask"},
			&ucli.StringFlag{Name: "source", Usage: "hunt the configured source `NAME` instead of the embedded store"},
			&ucli.StringFlag{Name: "llm", Usage: "plan and review with `SPEC`: none|openai:MODEL|azure:DEPLOYMENT|anthropic:MODEL|ollama:MODEL (default: llm: in the config, else none)"},
			&ucli.FloatFlag{Name: "max-cost", Usage: "spend at most `USD` on LLM calls in this hunt (default llm.max_cost_usd; 0 no cap)"},
			&ucli.BoolFlag{Name: "yes", Usage: "accept LLM cost warnings without asking (non-interactive runs)"},
			formatFlag("text", formatJSON),
		},
		Action: a.runHunt,
	}
}

// huntRequest is one hunt as the command line or the interactive session
// asks for it.
type huntRequest struct {
	question string
	resume   string
	out      string
	approve  string
	source   string
	rules    []string
	opts     hunt.Options
	llm      string  // --llm; empty: the config decides
	maxCost  float64 // --max-cost; 0: the config decides
	yes      bool
	// beforeQuestions, when set, runs just before the hunt asks about
	// containment, so the analyst sees the findings first.
	beforeQuestions func(*hunt.Report)
}

func (a *app) runHunt(ctx context.Context, cmd *ucli.Command) error {
	req := huntRequest{question: strings.TrimSpace(strings.Join(cmd.Args().Slice(), " ")), resume: cmd.String("resume"),
		out: cmd.String("out"), approve: cmd.String("approve"), source: cmd.String("source"), rules: cmd.StringSlice("rules"),
		llm: cmd.String("llm"), maxCost: cmd.Float("max-cost"), yes: cmd.Bool("yes")}
	if req.question == "" && req.resume == "" {
		return usagef(`sleuth hunt "suspicious sign-ins in the last 24 hours"`, "sleuth hunt needs a question")
	}
	var err error
	if req.opts, err = a.huntOptions(cmd); err != nil {
		return err
	}
	asJSON := cmd.String("format") == formatJSON
	summarised := false
	if !asJSON && isTerminal(a.stdout) {
		// On a terminal the findings come before any question about
		// containment; the actions and the report's files follow them.
		req.beforeQuestions = func(r *hunt.Report) {
			huntreport.TerminalSummary(a.stdout, r, huntreport.TerminalOptions{Color: true})
			summarised = true
		}
	}
	r, files, err := a.hunt(ctx, req)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	opts := huntreport.TerminalOptions{Color: isTerminal(a.stdout), Files: &files}
	if summarised {
		return huntreport.TerminalFooter(a.stdout, r, opts)
	}
	return huntreport.Terminal(a.stdout, r, opts)
}

// hunt runs (or resumes) one hunt, proposes its response actions, writes
// its report and appends its findings to the threats log.
func (a *app) hunt(ctx context.Context, req huntRequest) (*hunt.Report, huntreport.Files, error) {
	var st *hunt.State
	var err error
	dir := req.out
	if req.resume != "" {
		if dir, st, err = a.loadCheckpoint(req.resume); err != nil {
			return nil, huntreport.Files{}, err
		}
		req.question = st.Question
		req.opts.Now = st.Report.Now
	}
	if dir == "" {
		dir = filepath.Join("hunts", huntreport.DirName(req.opts.Now, req.question))
	}
	s, err := a.huntSession(ctx, req)
	if err != nil {
		return nil, huntreport.Files{}, err
	}
	defer s.close()
	s.engine.Checkpoint = func(st *hunt.State) error { return saveCheckpoint(dir, st) }

	var r *hunt.Report
	if st != nil {
		r, err = s.engine.Resume(ctx, st)
	} else {
		r, err = s.engine.Run(ctx, req.question)
	}
	s.progress.done()
	if s.llm != nil && r != nil {
		s.llm.Record(r) // calls the analyst did not get to record
		a.llmNotices(r)
		auditLLMCalls(a, s.engine.Audit, r)
	}
	if err != nil {
		return nil, huntreport.Files{}, huntError(err, dir)
	}
	r.ID = filepath.Base(dir)
	if err := s.respond(ctx, r, req.approve, req.beforeQuestions); err != nil {
		fmt.Fprintf(a.stderr, "sleuth: warning: response actions: %v\n", err)
	}
	files, err := huntreport.Write(dir, r)
	if err != nil {
		return nil, files, err
	}
	if err := huntreport.AppendThreats(filepath.Join(a.dataDir(), "threats.jsonl"), r); err != nil {
		fmt.Fprintf(a.stderr, "sleuth: warning: the threats log was not updated: %v\n", err)
	}
	os.Remove(filepath.Join(dir, checkpointFile)) // the hunt is complete; report.json holds it
	return r, files, nil
}

// auditLLMCalls records each model call of the hunt in the audit log: the
// model, the tokens, the cost and the SHA-256 of the prompt (not the prompt,
// which holds log data).
func auditLLMCalls(a *app, log hunt.Auditor, r *hunt.Report) {
	if log == nil {
		return
	}
	for _, c := range r.LLM.PerCall {
		err := log.Append("llm.call", map[string]any{"purpose": c.Purpose, "model": c.Model, "input_tokens": c.InputTokens,
			"output_tokens": c.OutputTokens, "cost_usd": c.CostUSD, "prompt_sha256": c.PromptSHA256, "error": c.Error})
		if err != nil {
			fmt.Fprintf(a.stderr, "sleuth: warning: the audit log could not be written: %v\n", err)
			return
		}
	}
}

// huntOptions reads the flags and the config's guard section.
func (a *app) huntOptions(cmd *ucli.Command) (hunt.Options, error) {
	window, err := parseSpan(cmd.String("window"))
	if err != nil {
		return hunt.Options{}, usagef("use a span such as 24h, 3d or 2w", "bad --window %q: %v", cmd.String("window"), err)
	}
	if n := cmd.Int("max-iterations"); n < 1 {
		return hunt.Options{}, usagef("one iteration is the plan itself", "--max-iterations must be at least 1, not %d", n)
	}
	if th := cmd.Float("threshold"); th <= 0 || th > 1 {
		return hunt.Options{}, usagef("confidence is between 0 and 1", "bad --threshold %g", th)
	}
	opts := hunt.Options{Now: a.now, DefaultWindow: window, MaxIterations: cmd.Int("max-iterations"), Threshold: cmd.Float("threshold")}
	return a.applyGuard(opts)
}

// parseSpan reads 90m, 24h, 7d or 2w.
func parseSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if n := len(s); n > 1 {
		if u, ok := unit[s[n-1]]; ok {
			var v float64
			if _, err := fmt.Sscanf(s[:n-1], "%g", &v); err != nil || v <= 0 {
				return 0, errors.New("not a positive number of days or weeks")
			}
			return time.Duration(v * float64(u)), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("not a positive span")
	}
	return d, nil
}

// huntError adds the resume hint to an interrupted hunt.
func huntError(err error, dir string) error {
	var he *hunt.Error
	if errors.As(err, &he) && he.Code == "hunt.interrupted" {
		he.Hint = "resume it with 'sleuth hunt --resume " + dir + "'"
	}
	return err
}

const checkpointFile = "state.json"

func saveCheckpoint(dir string, st *hunt.State) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, checkpointFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, checkpointFile))
}

// loadCheckpoint finds an interrupted hunt by directory or by its id under ./hunts.
func (a *app) loadCheckpoint(id string) (string, *hunt.State, error) {
	dir := id
	if _, err := os.Stat(filepath.Join(dir, checkpointFile)); err != nil {
		dir = filepath.Join("hunts", id)
	}
	b, err := os.ReadFile(filepath.Join(dir, checkpointFile))
	if err != nil {
		hint := "list ./hunts for hunt ids; a finished hunt has report.json and no state.json"
		return "", nil, usagef(hint, "no interrupted hunt %q: %v", id, err)
	}
	var st hunt.State
	if err := json.Unmarshal(b, &st); err != nil {
		return "", nil, fmt.Errorf("%s: %w", filepath.Join(dir, checkpointFile), err)
	}
	if st.Report == nil {
		return "", nil, fmt.Errorf("%s holds no hunt", filepath.Join(dir, checkpointFile))
	}
	return dir, &st, nil
}
