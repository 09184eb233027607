package hunt

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
)

// Run hunts for the question from the start.
func (e *Engine) Run(ctx context.Context, question string) (*Report, error) {
	e.Options.defaults()
	st := &State{Version: StateVersion, Question: question, Report: &Report{
		Question: question, Now: e.Options.Now, Source: e.Source.Name(), Started: time.Now().UTC(),
	}}
	return e.Resume(ctx, st)
}

// step is one stage of the hunt.
type step struct {
	name string
	run  func(context.Context, *catalog.Catalog) error
}

// Resume continues a hunt from its last checkpoint (or runs a new State).
func (e *Engine) Resume(ctx context.Context, st *State) (*Report, error) {
	e.Options.defaults()
	if st.Version != StateVersion {
		return nil, &Error{Code: "hunt.checkpoint", Msg: fmt.Sprintf("the checkpoint is version %d; this sleuth reads version %d", st.Version, StateVersion),
			Hint: "run the hunt again instead of resuming it"}
	}
	e.state = st
	cat, err := e.catalog(ctx)
	if err != nil {
		return nil, err
	}
	steps := []step{
		{"profile", e.stepProfile}, {"plan", e.stepPlan}, {"guard", e.stepGuard}, {"scope", e.stepScope},
		{"detect", e.stepDetect}, {"enrich", e.stepEnrich}, {"analyse", e.stepAnalyse}, {"summarise", e.stepSummarise},
	}
	for _, s := range steps {
		if st.done(s.name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return st.Report, &Error{Code: "hunt.interrupted", Msg: "the hunt was interrupted before " + s.name,
				Hint: "resume it with 'sleuth hunt --resume " + st.Report.ID + "'", Err: err}
		}
		e.progress(s.name, "")
		began := time.Now()
		if err := s.run(ctx, cat); err != nil {
			return st.Report, err
		}
		st.Report.Steps = append(st.Report.Steps, StepTiming{Step: s.name, Elapsed: time.Since(began)})
		st.Completed = append(st.Completed, s.name)
		if e.Checkpoint != nil {
			if err := e.Checkpoint(st); err != nil {
				e.notice("checkpoint not saved: " + err.Error())
			}
		}
	}
	st.Report.Finished = time.Now().UTC()
	return st.Report, nil
}

func (e *Engine) stepProfile(ctx context.Context, cat *catalog.Catalog) error {
	p, err := e.profile(ctx, cat)
	if err != nil {
		return err
	}
	e.state.Profile = p
	if p.DataEnd.IsZero() {
		return &Error{Code: "hunt.no_data", Msg: "the source holds no events in the tables sleuth hunts",
			Hint: "load data with 'sleuth lab generate' or 'sleuth ingest', or check --source"}
	}
	return nil
}

func (e *Engine) stepPlan(ctx context.Context, cat *catalog.Catalog) error {
	p := e.state.Profile
	in := plan.Input{
		Question: e.state.Question, Now: e.Options.Now, DefaultWindow: e.Options.DefaultWindow, Catalog: cat,
		Index: plan.NewIndex(p.Names), DataStart: p.DataStart, DataEnd: p.DataEnd,
		HasRows: func(t string) bool { return p.Tables[t].Rows > 0 },
	}
	planner := e.Planner
	if planner == nil {
		planner = OfflinePlanner{}
	}
	pl, err := planner.Plan(ctx, in)
	if err != nil && e.Planner != nil {
		// An LLM planner that fails falls back to the rules, and says so.
		e.state.Report.LLM.Notices = append(e.state.Report.LLM.Notices, "the LLM planner failed ("+err.Error()+"); the offline planner made the plan")
		pl, err = plan.Offline(in)
	}
	if err != nil {
		return err
	}
	e.state.Plan = pl
	e.state.Scope = pl.Entities
	e.state.Report.Plan = *pl
	e.audit("plan", pl)
	return nil
}

// stepGuard refuses a plan that breaks the query policy.
func (e *Engine) stepGuard(_ context.Context, cat *catalog.Catalog) error {
	pl := e.state.Plan
	if w := pl.End.Sub(pl.Start); w > e.Options.MaxWindow {
		return &Error{Code: "guard.window", Msg: fmt.Sprintf("the plan covers %s, more than the %s the policy allows", human(w), human(e.Options.MaxWindow)),
			Hint: "ask about a shorter period, or raise guard.max_window in the config"}
	}
	if !pl.End.After(pl.Start) {
		return &Error{Code: "guard.window", Msg: "the plan's window is empty", Hint: "name a period that has a start before its end"}
	}
	var kept []string
	for _, t := range pl.Tables {
		if _, ok := cat.Table(t); ok {
			kept = append(kept, t)
		} else {
			e.state.Report.NotLookedAt = append(e.state.Report.NotLookedAt, t+": not allowed by the policy or not present in the source")
		}
	}
	if len(kept) == 0 {
		return &Error{Code: "guard.tables", Msg: "the policy allows none of the tables this hunt needs: " + strings.Join(pl.Tables, ", "),
			Hint: "add them to guard.allowed_tables in the config"}
	}
	pl.Tables = kept
	e.state.Report.Plan.Tables = kept
	return nil
}

func (e *Engine) stepScope(ctx context.Context, cat *catalog.Catalog) error {
	pl := e.state.Plan
	cov, err := e.coverage(ctx, cat, pl.Tables, pl.Start, pl.End, e.state.Scope)
	if err != nil {
		return err
	}
	e.state.Report.Coverage = cov
	for _, c := range cov {
		if c.Events == 0 {
			e.state.Report.NotLookedAt = append(e.state.Report.NotLookedAt, c.Table+": no events in the window"+forEntities(e.state.Scope))
		}
	}
	for _, u := range pl.Unresolved {
		msg := fmt.Sprintf("%q: not found in the data", u.Text)
		if len(u.Suggestions) > 0 {
			msg += " (closest: " + strings.Join(u.Suggestions, ", ") + ")"
		}
		e.state.Report.NotLookedAt = append(e.state.Report.NotLookedAt, msg)
	}
	return nil
}

func forEntities(s entity.Set) string {
	if s.Empty() {
		return ""
	}
	return " for the named entities"
}

// stepDetect is the loop: detect over the window (with a baseline before it
// for context), triage, and while the best confidence stays below the
// threshold, widen the window or pivot on the entities found.
func (e *Engine) stepDetect(ctx context.Context, cat *catalog.Catalog) error {
	pl, r := e.state.Plan, e.state.Report
	start, end := pl.Start, pl.End
	tables := slices.Clone(pl.Tables)
	reason := "the plan"
	var pivots []string
	for iter := 1; ; iter++ {
		e.progress("detect", fmt.Sprintf("round %d: %s", iter, reason))
		base := start.Add(-time.Duration(e.Options.BaselineDays) * 24 * time.Hour)
		if ds := e.state.Profile.DataStart; base.Before(ds) {
			base = ds
		}
		res, err := e.Detector.Detect(ctx, DetectRequest{Start: base, End: end, Tables: tables})
		if err != nil {
			return &Error{Code: "hunt.detect", Msg: "detection failed", Err: err}
		}
		r.Queries = append(r.Queries, res.Queries...)
		for i := range r.Coverage {
			r.Coverage[i].Rules = max(r.Coverage[i].Rules, res.RulesByTable[r.Coverage[i].Table])
		}
		for _, q := range res.Queries {
			e.auditQuery(q)
		}
		for _, msg := range res.Errors {
			e.notice("rule not run: " + msg)
		}
		var inWindow []detect.Signal
		for _, s := range res.Signals {
			if s.LastSeen.Before(start) || !s.FirstSeen.Before(end) {
				continue
			}
			inWindow = append(inWindow, s)
		}
		annotated, err := e.annotate(ctx, cat, inWindow, res.Signals)
		if err != nil {
			return err
		}
		findings, obs := Triage(annotated, TriageOptions{Technique: e.Options.Technique})
		findings, obs, others := e.relevant(findings, obs)
		e.state.Signals = annotated
		r.Findings, r.Observations = findings, obs
		best := 0.0
		for _, f := range findings {
			best = max(best, f.Confidence)
		}
		r.IterationLog = append(r.IterationLog, Iteration{N: iter, Start: start, End: end, Reason: reason, Pivots: pivots, Signals: len(inWindow), BestConfidence: best})
		r.Iterations = iter
		if others > 0 && iter == 1 {
			e.notice(fmt.Sprintf("%d other group(s) of signals in the window involve none of the named entities; ask without naming them to see those", others))
		}
		if best >= e.Options.Threshold || iter >= e.Options.MaxIterations {
			break
		}
		// Below the threshold: pivot first (the entities the weak signals
		// name may lead somewhere), then widen.
		if p := e.pivot(cat, findings, obs); len(p) > 0 {
			pivots = p
			reason = fmt.Sprintf("best confidence %.2f is below %.2f: pivoting on %s", best, e.Options.Threshold, strings.Join(p, ", "))
			tables = e.entityTables(cat, tables)
			continue
		}
		if ns, ok := e.widen(start, end); ok {
			reason = fmt.Sprintf("best confidence %.2f is below %.2f: widening the window from %s to %s", best, e.Options.Threshold, human(end.Sub(start)), human(end.Sub(ns)))
			start, pivots = ns, nil
			continue
		}
		break
	}
	r.Plan.Start, r.Plan.End = start, end
	for _, f := range r.Findings {
		e.audit("finding", map[string]any{"id": f.ID, "title": f.Title, "severity": f.Severity, "confidence": f.Confidence})
	}
	return nil
}

// relevant keeps the groups that involve the scope's entities when the
// question named any, and counts the others.
func (e *Engine) relevant(findings, obs []*Finding) ([]*Finding, []*Finding, int) {
	scope := e.state.Scope
	if scope.Empty() {
		return findings, obs, 0
	}
	keep := func(fs []*Finding) ([]*Finding, int) {
		var out []*Finding
		dropped := 0
		for _, f := range fs {
			if overlaps(f.Entities, scope) {
				out = append(out, f)
			} else {
				dropped++
			}
		}
		return out, dropped
	}
	f, d1 := keep(findings)
	o, d2 := keep(obs)
	return f, o, d1 + d2
}

func overlaps(a, b entity.Set) bool {
	for _, r := range entity.Roles {
		for _, x := range *a.Of(r) {
			for _, y := range *b.Of(r) {
				if entity.Key(r, x) == entity.Key(r, y) {
					return true
				}
			}
		}
	}
	return false
}

// pivot adds to the scope the hosts, users and addresses of the strongest
// groups that the scope does not hold yet; it returns what it added.
func (e *Engine) pivot(cat *catalog.Catalog, findings, obs []*Finding) []string {
	if e.state.Scope.Empty() {
		return nil // a broad hunt already looks at everything in the window
	}
	var added []string
	for _, f := range append(append([]*Finding{}, findings...), obs...) {
		for _, r := range []catalogRole{{"host", &f.Entities.Hosts}, {"user", &f.Entities.Users}, {"ip", &f.Entities.IPs}} {
			for _, v := range *r.vals {
				if len(added) >= 5 {
					return added
				}
				if !e.inScope(r.name, v) {
					e.addScope(r.name, v)
					added = append(added, r.name+" "+v)
				}
			}
		}
	}
	return added
}

type catalogRole struct {
	name string
	vals *[]string
}

func (e *Engine) inScope(role, v string) bool {
	var probe entity.Set
	e.addTo(&probe, role, v)
	return overlaps(probe, e.state.Scope)
}

func (e *Engine) addScope(role, v string) { e.addTo(&e.state.Scope, role, v) }

func (e *Engine) addTo(s *entity.Set, role, v string) {
	switch role {
	case "host":
		s.Add(catalog.RoleHost, v)
	case "user":
		s.Add(catalog.RoleUser, v)
	case "ip":
		s.Add(catalog.RoleIP, v)
	}
}

// entityTables adds the hunted tables that can name the scope's entities.
func (e *Engine) entityTables(cat *catalog.Catalog, tables []string) []string {
	for _, tn := range plan.HuntTables() {
		t, ok := cat.Table(tn)
		if !ok || slices.Contains(tables, tn) || e.state.Profile.Tables[tn].Rows == 0 {
			continue
		}
		if entityFilter(t, e.state.Scope) != nil {
			tables = append(tables, tn)
		}
	}
	return tables
}

// widen doubles the window backwards, within the data and the policy.
func (e *Engine) widen(start, end time.Time) (time.Time, bool) {
	ds := e.state.Profile.DataStart
	if !start.After(ds) {
		return start, false
	}
	ns := end.Add(-2 * end.Sub(start))
	if lim := end.Add(-e.Options.MaxWindow); ns.Before(lim) {
		ns = lim
	}
	if ns.Before(ds) {
		ns = ds.Truncate(time.Hour)
	}
	return ns, ns.Before(start)
}

func (e *Engine) stepAnalyse(ctx context.Context, _ *catalog.Catalog) error {
	if e.Analyst == nil {
		return nil
	}
	if err := e.Analyst.Analyse(ctx, e.state.Report); err != nil {
		e.state.Report.LLM.Notices = append(e.state.Report.LLM.Notices, "the LLM analysis failed ("+err.Error()+"); the report stands on the offline analysis")
	}
	return nil
}

func human(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%.0f hours", d.Hours())
	}
	return d.Round(time.Minute).String()
}
