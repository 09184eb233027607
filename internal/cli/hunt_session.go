package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/hunt/llmhunt"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/lab"
	"github.com/sleuth-hunt/sleuth/internal/respond"
	rlab "github.com/sleuth-hunt/sleuth/internal/respond/lab"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/embedded"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// huntSession is everything one hunt needs, opened once and closed together.
type huntSession struct {
	a        *app
	engine   *hunt.Engine
	progress *huntProgress
	respond  func(context.Context, *hunt.Report, string, func(*hunt.Report)) error
	llm      *llmhunt.Session // nil offline
	closers  []func() error
}

func (s *huntSession) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// huntSession opens the source (generating the lab on first use of an
// empty embedded store), loads the rules and wires the engine, the audit
// log and the response engine.
func (a *app) huntSession(ctx context.Context, req huntRequest) (*huntSession, error) {
	opts := req.opts
	s := &huntSession{a: a, progress: newHuntProgress(a.stderr, isTerminal(a.stderr))}
	ls, err := a.huntLLM(req)
	if err != nil {
		return nil, err
	}
	s.llm = ls
	src, st, err := a.huntSource(ctx, req.source)
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, src.Close)
	rules, err := detect.Load(detect.LoadOptions{Paths: req.rules})
	if err != nil {
		s.close()
		return nil, err
	}
	for _, e := range rules.Errors {
		fmt.Fprintf(a.stderr, "sleuth: warning: rule not loaded: %s\n", e.Error())
	}
	rs, err := a.newRespondSession()
	if err != nil {
		s.close()
		return nil, err
	}
	s.closers = append(s.closers, rs.Close)
	if st != nil {
		// The lab connector records actions in the store this hunt holds open.
		now := a.now
		rs.Connectors = map[string]respond.Connector{respond.ConnectorLab: rlab.New(st, func() time.Time { return now })}
	}
	cat := attack.Default()
	opts.Technique = func(id string) (string, string) {
		t, ok := cat.Technique(id)
		if !ok {
			return "", ""
		}
		tactic := ""
		if ts := cat.TacticsOf(id); len(ts) > 0 {
			tactic = ts[0].Short
		}
		return t.Name, tactic
	}
	deng := &detect.Engine{Source: src, Rules: rules, Options: detect.Options{Now: opts.Now}}
	s.engine = &hunt.Engine{Source: src, Detector: hunt.DetectorFor(deng), Audit: rs.Audit, Progress: s.progress, Options: opts}
	wireLLM(s.engine, s.llm)
	s.respond = func(ctx context.Context, r *hunt.Report, mode string, before func(*hunt.Report)) error {
		return a.huntRespond(ctx, rs, r, mode, before)
	}
	if err := rs.Audit.Append("hunt.start", map[string]any{"question": req.question, "source": src.Name(), "now": opts.Now}); err != nil {
		fmt.Fprintf(a.stderr, "sleuth: warning: the audit log could not be written: %v\n", err)
	}
	return s, nil
}

// huntSource opens --source, or the embedded store; an embedded store with
// no data gets the lab first, with a notice.
func (a *app) huntSource(ctx context.Context, name string) (source.Source, *store.Store, error) {
	if name != "" && name != source.KindEmbedded {
		src, err := a.openSource(ctx, name)
		return src, nil, err
	}
	st, err := store.Open(ctx, a.dbPath, store.Options{InitSQL: a.storeInitSQL()})
	if err != nil {
		return nil, nil, err
	}
	counts, err := st.RowCounts(ctx)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	var total int64
	for _, n := range counts {
		total += n
	}
	if total == 0 {
		fmt.Fprintf(a.stderr, "sleuth: notice: %s holds no data, so sleuth is generating the lab (a simulated enterprise with attacks woven in) to hunt; this takes a minute, once\n", a.dbPath)
		opt := lab.Options{Seed: 1, End: a.now, Catalog: catalog.Default()}
		if err := lab.Validate(&opt); err != nil {
			st.Close()
			return nil, nil, err
		}
		sum, err := a.writeLab(ctx, st, opt, filepath.Join(filepath.Dir(a.dbPath), "lab-truth.jsonl"))
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		fmt.Fprintf(a.stderr, "sleuth: notice: the lab %s (%d rows, %s to %s) is in %s\n", sum.Org, sum.Rows,
			formatDatetime(sum.Start), formatDatetime(sum.End), a.dbPath)
	}
	return embedded.New(st, true), st, nil
}

// applyGuard reads the config's guard section into the hunt's options.
func (a *app) applyGuard(opts hunt.Options) (hunt.Options, error) {
	cfg, _, err := config.Load(a.configPath)
	if err != nil {
		return opts, err
	}
	g := cfg.Guard
	if g.MaxWindow != "" {
		d, err := parseSpan(g.MaxWindow)
		if err != nil {
			return opts, &config.Error{Path: a.configPath, Msg: fmt.Sprintf("guard.max_window %q: %v", g.MaxWindow, err)}
		}
		opts.MaxWindow = d
	}
	opts.MaxRows = g.MaxRows
	opts.AllowedTables = g.AllowedTables
	if len(g.AllowedTables) > 0 || len(g.DeniedColumns) > 0 {
		opts.Policy = &check.Policy{AllowedTables: g.AllowedTables, DeniedColumns: g.DeniedColumns}
	}
	return opts, nil
}

// huntRespond turns the findings into proposals and runs them through the
// response engine as --approve says; the report lists them. Before asking
// about any, it calls before (when set) to show the findings, or else lists
// them on stderr.
func (a *app) huntRespond(ctx context.Context, rs *respondSession, r *hunt.Report, mode string, before func(*hunt.Report)) error {
	m, err := respond.ParseApproveMode(mode)
	if err != nil {
		return usagef("use never, ask or policy", "%v", err)
	}
	var fs []respond.Finding
	for _, f := range r.Findings {
		rf := respond.Finding{ID: f.ID, Title: f.Title, Severity: f.Severity, Confidence: f.Confidence,
			Hosts: actedOn(f, catalog.RoleHost, f.Entities.Hosts), Users: actedOn(f, catalog.RoleUser, f.Entities.Users), IPs: actedOn(f, catalog.RoleIP, f.Entities.IPs), Evidence: f.Rules, HuntID: r.ID}
		for _, t := range f.Techniques {
			rf.Techniques = append(rf.Techniques, t.ID)
			if t.Tactic != "" {
				rf.Tactics = append(rf.Tactics, t.Tactic)
			}
		}
		fs = append(fs, rf)
	}
	proposals := respond.Propose(fs, rs.Policy)
	switch {
	case m != respond.Ask || rs.Prompter == nil || len(proposals) == 0:
	case before != nil:
		before(r)
		fmt.Fprintf(a.stderr, "\nsleuth: containment for these findings, one question each (the report is written either way):\n")
	default:
		// The questions come before the summary: say what they are about.
		fmt.Fprintf(a.stderr, "sleuth: %d finding(s); containment for them follows, one question each (the report is written either way):\n", len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(a.stderr, "  %-8s %3.0f%%  %s  %s\n", strings.ToUpper(f.Severity), f.Confidence*100, f.ID, clipLine(f.Title, 80))
		}
	}
	actions, err := rs.Process(ctx, proposals, m)
	for _, x := range actions {
		r.Actions = append(r.Actions, hunt.ActionSummary{ID: x.ID, Type: string(x.Type), Target: x.Target, Status: string(x.Status),
			FindingID: x.FindingID, Connector: x.Connector})
	}
	return err
}

func clipLine(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// actedOn is the finding's entities of one kind that containment may act
// on, in order of preference:
//   - those a signal was about (its subject): a brute force isolates the
//     host it broke into, not the attacker's workstation name from the
//     failed logons;
//   - those named by a signal that names only a few of that kind: the
//     account that ran an LSASS dump, the account a spray compromised, not
//     the hundred accounts the spray tried;
//   - all of them when the finding touched only a few.
//
// A finding that touched many and has no narrower signal (internet scanners
// behind an exposed server) offers none, so scanners do not become a block
// list.
func actedOn(f *hunt.Finding, role catalog.Role, all []string) []string {
	const few = 5
	pick := func(keep func(string) bool) []string {
		var out []string
		for _, v := range all {
			if keep(strings.ToLower(v)) {
				out = append(out, v)
			}
		}
		return out
	}
	subjects := f.Subjects()
	if out := pick(func(v string) bool { return subjects[v] }); len(out) > 0 {
		return out
	}
	narrow := map[string]bool{}
	for _, ev := range f.Evidence {
		if vals := *ev.Entities.Of(role); len(vals) <= few {
			for _, v := range vals {
				narrow[strings.ToLower(v)] = true
			}
		}
	}
	if out := pick(func(v string) bool { return narrow[v] }); len(out) > 0 {
		return out
	}
	if len(all) <= few {
		return all
	}
	return nil
}

// huntProgress shows the step a hunt is in, on one line of a terminal.
type huntProgress struct {
	mu   sync.Mutex
	w    interface{ Write([]byte) (int, error) }
	tty  bool
	last int
}

func newHuntProgress(w interface{ Write([]byte) (int, error) }, tty bool) *huntProgress {
	return &huntProgress{w: w, tty: tty}
}

// Step implements hunt.Progress.
func (p *huntProgress) Step(name, detail string) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := "sleuth: " + name
	if detail != "" {
		line += ": " + detail
	}
	if len(line) > 100 {
		line = line[:99] + "…"
	}
	pad := max(p.last-len(line), 0)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
	p.last = len(line)
}

func (p *huntProgress) done() {
	if !p.tty || p.last == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.last))
	p.last = 0
}
