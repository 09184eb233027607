package detect

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// Engine runs a RuleSet over windows of a source. It never touches a
// store directly: every query goes through source.Source, so the same
// engine runs on the embedded store and on Sentinel.
type Engine struct {
	Source  source.Source
	Rules   *RuleSet
	Options Options
}

// Options tune an engine. The zero value is usable.
type Options struct {
	// Now is the reference time of anything relative in a query.
	Now time.Time
	// ChunkSize is how many rules one scan of a table evaluates (default
	// 100). Larger chunks mean fewer scans and longer queries.
	ChunkSize int
	// MaxRows caps the rows one query may return (default 200,000); a cut
	// result is reported in the Result's warnings.
	MaxRows int
	// Parallel is how many queries run at once (default 2).
	Parallel int
	// Timeout bounds each query; 0 means the source's default.
	Timeout time.Duration
	// SessionGap splits a rule's matches for one subject into separate
	// signals (default 1h).
	SessionGap time.Duration
	// Lookback is how far before the window analytics read history
	// (a user's countries, a destination's peers; default 14 days).
	Lookback time.Duration
	// Progress, when set, hears about each finished query.
	Progress func(done, total int, what string)
	// Attack maps techniques to tactics; nil means attack.Default().
	Attack *attack.Catalog

	// asWritten runs every detection rule as its own query, as compiled,
	// without batching or skipping: the reference the tests hold the
	// batched scans to.
	asWritten bool
}

func (o *Options) defaults() {
	if o.ChunkSize <= 0 {
		o.ChunkSize = 50
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 200_000
	}
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	if o.SessionGap <= 0 {
		o.SessionGap = time.Hour
	}
	if o.Lookback <= 0 {
		o.Lookback = 14 * 24 * time.Hour
	}
	if o.Attack == nil {
		o.Attack = attack.Default()
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
}

// Scope is what one run looks at.
type Scope struct {
	// Start and End bound TimeGenerated, both included.
	Start, End time.Time
	// Tables limits the run; nil means every table the rules read that
	// the source has.
	Tables []string
	// MinLevel drops rules below this level ("" keeps all).
	MinLevel string
	// Entities, when not empty, keeps only signals touching one of them.
	Entities entity.Set
	// RuleIDs, when set, runs only these rules.
	RuleIDs []string
}

// Result is what a run found and everything it did to find it.
type Result struct {
	Signals []Signal `json:"signals"`
	// Queries holds every query sent, in the order they finished.
	Queries []Query `json:"queries"`
	// Errors are rules that failed to run (their query failed at the
	// source); the other rules' signals are still there.
	Errors []*RuleError `json:"errors,omitempty"`
	// Warnings are cut results and other notices.
	Warnings []string `json:"warnings,omitempty"`
	// Rules is how many rules ran; Tables the tables scanned.
	Rules int `json:"rules"`
	// Skipped counts the rules left out of their scan because their
	// leading tests (channel, event ID, action type) match no row of the
	// window.
	Skipped int      `json:"skipped"`
	Tables  []string `json:"tables"`
	// Elapsed is the wall time of the run.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Query is one query a run sent, for the hunt's record.
type Query struct {
	Purpose string   `json:"purpose"`
	Table   string   `json:"table,omitempty"`
	Rules   []string `json:"rules,omitempty"`
	KQL     string   `json:"kql"`
	Rows    int      `json:"rows"`
	// RowsSHA256 is the digest of the rows the query returned (rows.Set.SHA256).
	RowsSHA256 string        `json:"rows_sha256,omitempty"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	Error      string        `json:"error,omitempty"`
	Warnings   []string      `json:"warnings,omitempty"`
}

// run is the state of one Engine.Run.
type run struct {
	e     *Engine
	opt   Options
	scope Scope
	cat   *catalog.Catalog

	mu     sync.Mutex
	res    *Result
	done   int
	total  int
	subjs  map[string]subject
	sem    chan struct{}
	failed map[string]bool
}

// Run runs the rules over the scope's window. Rules that fail at the
// source are reported in Result.Errors and the others still run; the
// error is for the run as a whole (a bad scope, an unreachable source, a
// cancelled context).
func (e *Engine) Run(ctx context.Context, scope Scope) (*Result, error) {
	began := time.Now()
	if err := validWindow(scope.Start, scope.End); err != nil {
		return nil, err
	}
	if scope.MinLevel != "" && !ValidLevel(scope.MinLevel) {
		return nil, &RuleError{Code: CodeScope, Msg: fmt.Sprintf("unknown level %q", scope.MinLevel), Hint: "use one of " + strings.Join(Levels, ", ")}
	}
	cat, err := e.Source.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	opt := e.Options
	opt.defaults()
	x := &run{e: e, opt: opt, scope: scope, cat: cat, res: &Result{}, subjs: map[string]subject{},
		sem: make(chan struct{}, opt.Parallel), failed: map[string]bool{}}
	selected, tables := x.selectRules()
	x.res.Rules, x.res.Tables = len(selected), tables
	sigs, err := x.runAll(ctx, selected)
	if err != nil {
		return nil, err
	}
	x.res.Signals = x.finish(sigs)
	x.res.Elapsed = time.Since(began)
	return x.res, nil
}

// selectRules picks the runnable rules whose tables the source has and
// the scope allows.
func (x *run) selectRules() ([]*Rule, []string) {
	allowed := map[string]bool{}
	for _, t := range x.scope.Tables {
		allowed[t] = true
	}
	ids := map[string]bool{}
	for _, id := range x.scope.RuleIDs {
		ids[id] = true
	}
	var out []*Rule
	used := map[string]bool{}
	for _, r := range x.e.Rules.Runnable() {
		if !levelOK(r.Level, x.scope.MinLevel) || len(ids) > 0 && !ids[r.ID] || !x.hasTables(r, allowed) {
			continue
		}
		out = append(out, r)
		for _, t := range r.Tables {
			used[t] = true
		}
	}
	return out, sortedKeys(used)
}

// hasTables reports whether the source has every table r reads and the
// scope allows at least one of them.
func (x *run) hasTables(r *Rule, allowed map[string]bool) bool {
	inScope := len(allowed) == 0
	for _, t := range r.Tables {
		if _, ok := x.cat.Table(t); !ok {
			return false
		}
		inScope = inScope || allowed[t]
	}
	return inScope
}

// runAll runs the batched scans, the correlations and the analytics,
// several queries at a time.
func (x *run) runAll(ctx context.Context, selected []*Rule) ([]Signal, error) {
	var scans, corrs, anas []*Rule
	for _, r := range selected {
		switch {
		case r.corr != nil:
			corrs = append(corrs, r)
		case r.analytic != nil:
			anas = append(anas, r)
		default:
			scans = append(scans, r)
		}
	}
	var batches []*batch
	if x.opt.asWritten {
		for _, r := range scans {
			batches = append(batches, &batch{table: r.Tables[0], rules: []*Rule{r}, alone: true})
		}
	} else {
		kept, err := x.prune(ctx, scans)
		if err != nil {
			return nil, err
		}
		batches = planBatches(kept, x.opt.ChunkSize)
	}
	x.total = len(batches) + len(corrs) + len(anas)
	var tasks []func(context.Context) ([]Signal, error)
	for _, b := range batches {
		tasks = append(tasks, func(ctx context.Context) ([]Signal, error) { return x.scan(ctx, b) })
	}
	for _, r := range corrs {
		tasks = append(tasks, func(ctx context.Context) ([]Signal, error) { return x.correlation(ctx, r) })
	}
	for _, r := range anas {
		tasks = append(tasks, func(ctx context.Context) ([]Signal, error) { return x.analytic(ctx, r) })
	}
	return x.parallel(ctx, tasks)
}

// parallel runs tasks Options.Parallel at a time and gathers their
// signals in task order. It stops at the first error that ends the run.
func (x *run) parallel(ctx context.Context, tasks []func(context.Context) ([]Signal, error)) ([]Signal, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([][]Signal, len(tasks))
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = task(ctx)
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	var all []Signal
	for i := range tasks {
		if errs[i] != nil {
			return nil, errs[i]
		}
		all = append(all, out[i]...)
	}
	return all, nil
}

// query sends one query through the source, a slot of the semaphore at a
// time, and records it.
func (x *run) query(ctx context.Context, purpose, table string, ruleIDs []string, q *kql.Query) (*rows.Set, error) {
	select {
	case x.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-x.sem }()
	rec := Query{Purpose: purpose, Table: table, Rules: ruleIDs, KQL: kql.Pretty(q)}
	began := time.Now()
	res, err := x.e.Source.Query(ctx, q, source.Options{Now: x.opt.Now, MaxRows: x.opt.MaxRows, Timeout: x.opt.Timeout})
	rec.Elapsed = time.Since(began)
	if err != nil {
		rec.Error = err.Error()
		x.record(rec)
		return nil, err
	}
	rec.Rows, rec.RowsSHA256, rec.Warnings = len(res.Set.Rows), res.Set.SHA256(), res.Warnings
	x.record(rec)
	if res.Set.Truncated {
		x.warn(fmt.Sprintf("%s: cut at %d rows; signals of %s may be incomplete", purpose, x.opt.MaxRows, ruleList(ruleIDs)))
	}
	return res.Set, nil
}

func ruleList(ids []string) string {
	if len(ids) <= 3 {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more rules", strings.Join(ids[:3], ", "), len(ids)-3)
}

func (x *run) record(q Query) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.res.Queries = append(x.res.Queries, q)
}

func (x *run) warn(msg string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.res.Warnings = append(x.res.Warnings, msg)
}

// fail records that rule r could not run.
func (x *run) fail(r *Rule, err error) {
	re := ruleError(r, err)
	re.Msg = "the rule's query failed: " + re.Msg
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.failed[r.ID] {
		x.failed[r.ID] = true
		x.res.Errors = append(x.res.Errors, re)
	}
}

// progress counts a finished task.
func (x *run) progress(what string) {
	x.mu.Lock()
	x.done++
	done, total := x.done, x.total
	x.mu.Unlock()
	if x.opt.Progress != nil {
		x.opt.Progress(done, total, what)
	}
}

// subjectOf caches the subject of a table.
func (x *run) subjectOf(t *catalog.Table) subject {
	x.mu.Lock()
	defer x.mu.Unlock()
	s, ok := x.subjs[t.Name]
	if !ok {
		s = subjectOf(t)
		x.subjs[t.Name] = s
	}
	return s
}

// finish filters signals to the scope's entities and orders them.
func (x *run) finish(sigs []Signal) []Signal {
	out := sigs[:0]
	for _, s := range sigs {
		if x.scope.Entities.Empty() || s.Entities.Shares(x.scope.Entities) {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Subject < b.Subject
	})
	sort.Slice(x.res.Errors, func(i, j int) bool { return x.res.Errors[i].RuleID < x.res.Errors[j].RuleID })
	if out == nil {
		out = []Signal{}
	}
	return out
}
