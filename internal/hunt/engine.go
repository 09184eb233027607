package hunt

import (
	"context"
	"fmt"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// Detector finds signals in a time window; internal/detect's engine is the
// usual one, adapted by the caller.
type Detector interface {
	Detect(ctx context.Context, req DetectRequest) (*DetectResult, error)
}

// DetectRequest scopes one detection run.
type DetectRequest struct {
	Start, End time.Time
	Tables     []string
}

// DetectResult is what a detection run found and every query it ran.
type DetectResult struct {
	Signals []detect.Signal
	Queries []QueryRecord
	Errors  []string // rules that failed, by id and reason
	// RulesByTable counts the rules that ran on each table.
	RulesByTable map[string]int
}

// Planner turns a question into a plan. The offline planner is the default;
// an LLM planner must produce the same Plan, which then meets the same guard.
type Planner interface {
	Plan(ctx context.Context, in plan.Input) (*plan.Plan, error)
}

// OfflinePlanner plans by rules, with no LLM.
type OfflinePlanner struct{}

// Plan implements Planner.
func (OfflinePlanner) Plan(_ context.Context, in plan.Input) (*plan.Plan, error) {
	return plan.Offline(in)
}

// Analyst reviews findings (an LLM, optionally). It may add verdicts and
// narrative and change confidence, but never removes a finding.
type Analyst interface {
	Analyse(ctx context.Context, r *Report) error
}

// Auditor records what the hunt did; internal/audit's log is the usual one.
type Auditor interface {
	Append(kind string, data any) error
}

// Progress hears about each step, for a spinner on a terminal.
type Progress interface {
	Step(name, detail string)
}

// Options tune a hunt.
type Options struct {
	Now           time.Time
	DefaultWindow time.Duration // when the question names no time (default 7 days)
	MaxWindow     time.Duration // the guard's longest window (default 30 days)
	MaxIterations int           // detect-and-triage rounds at most (default 5)
	Threshold     float64       // the best confidence that ends the loop (default 0.5)
	MaxRows       int           // cap per query (default 10,000)
	EnrichSpan    time.Duration // pivots look this far around each finding (default 5m)
	BaselineDays  int           // days before the window that context reads (default 7)
	// AllowedTables, when set, is the only tables a plan may read.
	AllowedTables []string
	// Policy is the checker's query policy (denied columns, row cap).
	Policy *check.Policy
	// Technique names ATT&CK techniques for findings.
	Technique func(id string) (name, tactic string)
}

func (o *Options) defaults() {
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	if o.DefaultWindow <= 0 {
		o.DefaultWindow = plan.DefaultWindow
	}
	if o.MaxWindow <= 0 {
		o.MaxWindow = 30 * 24 * time.Hour
	}
	if o.MaxIterations <= 0 {
		o.MaxIterations = 5
	}
	if o.Threshold <= 0 {
		o.Threshold = 0.5
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 10000
	}
	if o.EnrichSpan <= 0 {
		o.EnrichSpan = 5 * time.Minute
	}
	if o.BaselineDays <= 0 {
		o.BaselineDays = 7
	}
}

// Engine runs hunts against one source.
type Engine struct {
	Source   source.Source
	Detector Detector
	Planner  Planner  // nil: offline
	Analyst  Analyst  // nil: none
	Audit    Auditor  // nil: not recorded
	Progress Progress // nil: silent
	// Checkpoint is called after each step with the state so far; an
	// interrupted hunt resumes from it.
	Checkpoint func(*State) error
	Options    Options

	state *State
}

// Error is a hunt failure with a stable code.
type Error struct {
	Code string
	Msg  string
	Hint string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}
func (e *Error) Unwrap() error     { return e.Err }
func (e *Error) ErrorCode() string { return e.Code }
func (e *Error) ErrorHint() string { return e.Hint }

// query runs one KQL query through the source and records it in the report.
func (e *Engine) query(ctx context.Context, step, purpose string, q *kql.Query, opt source.Options) (*rows.Set, error) {
	if opt.MaxRows == 0 {
		opt.MaxRows = e.Options.MaxRows
	}
	if opt.Now.IsZero() {
		opt.Now = e.Options.Now
	}
	opt.Policy = e.Options.Policy
	text := kql.Print(q)
	rec := QueryRecord{Step: step, Purpose: purpose, KQL: windowed(text, opt)}
	began := time.Now()
	res, err := e.Source.Query(ctx, q, opt)
	rec.Elapsed = time.Since(began)
	if err != nil {
		rec.Error = err.Error()
		e.record(rec)
		return nil, &Error{Code: "hunt.query", Msg: fmt.Sprintf("the %s query failed (%s)", step, purpose), Err: err}
	}
	rec.Rows, rec.RowsSHA256 = len(res.Set.Rows), res.Set.SHA256()
	e.record(rec)
	for _, w := range res.Warnings {
		e.notice(fmt.Sprintf("%s query (%s): %s", step, purpose, w))
	}
	return res.Set, nil
}

// windowed shows the time bound a source adds to a query, so the recorded
// KQL reproduces the rows when pasted elsewhere.
func windowed(text string, opt source.Options) string {
	if opt.Start.IsZero() && opt.End.IsZero() {
		return text
	}
	return fmt.Sprintf("// time range: %s .. %s (TimeGenerated)\n%s", kqlTime(opt.Start), kqlTime(opt.End), text)
}

func kqlTime(t time.Time) string {
	if t.IsZero() {
		return "unbounded"
	}
	return kql.Print(kql.Datetime(t))
}

func (e *Engine) record(q QueryRecord) {
	e.state.Report.Queries = append(e.state.Report.Queries, q)
	if e.Audit != nil {
		e.auditQuery(q)
	}
}

// auditQuery records a query with its row count and the digest of its rows.
func (e *Engine) auditQuery(q QueryRecord) {
	e.audit("query", map[string]any{"step": q.Step, "kql": q.KQL, "rows": q.Rows, "rows_sha256": q.RowsSHA256, "error": q.Error})
}

func (e *Engine) notice(msg string) {
	e.state.Report.Notices = append(e.state.Report.Notices, msg)
}

func (e *Engine) audit(kind string, data any) {
	if e.Audit == nil {
		return
	}
	if err := e.Audit.Append(kind, data); err != nil {
		e.notice("the audit log could not be written: " + err.Error())
	}
}

func (e *Engine) progress(step, detail string) {
	if e.Progress != nil {
		e.Progress.Step(step, detail)
	}
}

// catalog is the source's tables, limited to the allowed ones.
func (e *Engine) catalog(ctx context.Context) (*catalog.Catalog, error) {
	cat, err := e.Source.Catalog(ctx)
	if err != nil {
		return nil, &Error{Code: "hunt.source", Msg: "cannot read the source's tables", Err: err}
	}
	if len(e.Options.AllowedTables) > 0 {
		cat = cat.Restrict(e.Options.AllowedTables)
	}
	return cat, nil
}
