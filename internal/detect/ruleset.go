package detect

import (
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/rules"
	"github.com/sleuth-hunt/sleuth/internal/sigma"
)

// LoadOptions say which rules a RuleSet holds and how they compile.
type LoadOptions struct {
	// NoBuiltin leaves out the built-in pack: its Sigma rules and the
	// hunting analytics.
	NoBuiltin bool
	// Paths are user rule files and directories (read recursively for
	// *.yml and *.yaml).
	Paths []string
	// Catalog is what rules compile and check against; nil means
	// catalog.Default().
	Catalog *catalog.Catalog
	// Placeholders give |expand its values.
	Placeholders map[string][]string
	// Attack maps tags to techniques; nil means attack.Default().
	Attack *attack.Catalog
}

// RuleSet is a set of rules compiled once, to be run many times.
type RuleSet struct {
	// Rules holds every rule that parsed, in load order (built-in first),
	// compiled or not (see Rule.Err).
	Rules []*Rule
	// Errors lists every problem: documents that did not parse, duplicate
	// ids, and rules that did not compile, in file order.
	Errors []*RuleError
	// Elapsed is how long loading and compiling took.
	Elapsed time.Duration
}

// Load reads and compiles the built-in pack and the user's rule paths. A
// rule that does not compile is kept with its error and reported in
// Errors; the others run. The error is non-nil only when a path cannot be
// read.
func Load(opt LoadOptions) (*RuleSet, error) {
	began := time.Now()
	if opt.Catalog == nil {
		opt.Catalog = catalog.Default()
	}
	if opt.Attack == nil {
		opt.Attack = attack.Default()
	}
	rs := &RuleSet{}
	var all []*sigma.Rule
	origin := map[*sigma.Rule]string{}
	if !opt.NoBuiltin {
		for _, f := range rules.Files() {
			parsed, errs := sigma.Parse(f.Name, f.Data)
			rs.addParseErrors(errs, OriginBuiltin)
			for _, r := range parsed {
				origin[r] = OriginBuiltin
			}
			all = append(all, parsed...)
		}
	}
	if len(opt.Paths) > 0 {
		coll, err := sigma.LoadPaths(opt.Paths...)
		if err != nil {
			return nil, err
		}
		rs.addParseErrors(coll.Errs, OriginUser)
		for _, r := range coll.Rules {
			origin[r] = OriginUser
		}
		all = append(all, coll.Rules...)
	}
	coll := sigma.NewCollection(all)
	rs.addParseErrors(coll.Errs, "")
	hidden := coll.Referenced()
	for _, sr := range all {
		rs.Rules = append(rs.Rules, newRule(sr, origin[sr], hidden[sr], opt.Attack))
	}
	rs.compile(coll, opt)
	if !opt.NoBuiltin {
		for _, a := range analytics() {
			rs.Rules = append(rs.Rules, a.rule(opt.Attack))
		}
	}
	for _, r := range rs.Rules {
		if r.Err != nil {
			rs.Errors = append(rs.Errors, r.Err)
		}
	}
	sort.SliceStable(rs.Errors, func(i, j int) bool {
		a, b := rs.Errors[i], rs.Errors[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	rs.Elapsed = time.Since(began)
	return rs, nil
}

// addParseErrors records loading problems once each: a duplicate id is
// found both within the user's files and when they join the pack.
func (rs *RuleSet) addParseErrors(errs sigma.ErrorList, origin string) {
	for _, e := range errs {
		dup := false
		for _, have := range rs.Errors {
			if have.File == e.File && have.Line == e.Pos.Line && have.Col == e.Pos.Col && have.Code == e.Code && have.Msg == e.Msg {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		re := &RuleError{RuleID: e.RuleID, File: e.File, Line: e.Pos.Line, Col: e.Pos.Col, Code: e.Code, Msg: e.Msg, Hint: e.Hint, Origin: origin}
		if re.Origin == "" {
			re.Origin = OriginUser
			if len(e.File) > len(rules.Dir) && e.File[:len(rules.Dir)+1] == rules.Dir+"/" {
				re.Origin = OriginBuiltin
			}
		}
		rs.Errors = append(rs.Errors, re)
	}
}

func newRule(sr *sigma.Rule, origin string, hidden bool, cat *attack.Catalog) *Rule {
	r := &Rule{ID: sr.ID, Title: sr.Title, Description: sr.Description, Level: sr.Level, Kind: KindSigma,
		Status: sr.Status, Author: sr.Author, FalsePositives: sr.FalsePositives, Origin: origin,
		File: sr.File, Line: sr.Pos.Line, Hidden: hidden, sigma: sr}
	if r.ID == "" {
		r.ID = sr.Name
	}
	if r.Level == "" {
		r.Level = "medium"
	}
	if sr.Correlation != nil {
		r.Kind = KindCorrelation
	}
	r.Techniques, r.Tactics = attackOf(cat, sr.Tags)
	return r
}

// compile compiles every Sigma rule, on as many goroutines as there are
// CPUs: SigmaHQ's thousands of rules take seconds on one.
func (rs *RuleSet) compile(coll *sigma.Collection, opt LoadOptions) {
	sopt := sigma.Options{Catalog: opt.Catalog, Placeholders: opt.Placeholders}
	work := make(chan *Rule)
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				compileRule(r, coll, sopt, opt.Catalog)
			}
		}()
	}
	for _, r := range rs.Rules {
		if r.sigma != nil {
			r.attack = opt.Attack
			work <- r
		}
	}
	close(work)
	wg.Wait()
}

func compileRule(r *Rule, coll *sigma.Collection, sopt sigma.Options, cat *catalog.Catalog) {
	if r.sigma.Correlation != nil {
		cc, err := sigma.CompileCorrelation(r.sigma, coll, sopt)
		if err != nil {
			r.Err = ruleError(r, err)
			return
		}
		r.corr, r.Notes = cc, cc.Notes
		r.Tables = correlationTables(cc)
		if len(r.Techniques) == 0 {
			r.Techniques, r.Tactics = baseAttack(r.attack, cc)
		}
		return
	}
	c, err := sigma.Compile(r.sigma, sopt)
	if err != nil {
		r.Err = ruleError(r, err)
		return
	}
	if _, err := check.Check(c.Query, check.Options{Catalog: cat}); err != nil {
		r.Err = ruleError(r, err)
		return
	}
	r.det, r.Notes, r.Tables = c, c.Notes, []string{c.Table}
	t, _ := cat.Table(c.Table)
	r.pred, r.derived, r.batched = splitPipe(c.Pipe())
	if r.batched {
		r.bpred, r.bcols = rewrite(t, r.pred, r.derived)
		r.guard = guardOf(t, r.pred)
	}
	r.fields = columnsRead(t, c.Query)
}

// splitPipe takes a compiled rule apart for batching: T | where … [|
// extend …] | where … becomes one predicate (the wheres ANDed) and the
// extended columns it reads. Any other shape runs on its own.
func splitPipe(p *kql.PipeExpr) (kql.Expr, []*kql.NamedExpr, bool) {
	if _, ok := p.Source.(*kql.Ident); !ok {
		return nil, nil, false
	}
	var preds []kql.Expr
	var derived []*kql.NamedExpr
	for _, op := range p.Ops {
		switch x := op.(type) {
		case *kql.WhereOp:
			preds = append(preds, paren(x.Pred))
		case *kql.ExtendOp:
			for _, c := range x.Cols {
				if len(c.Names) != 1 {
					return nil, nil, false
				}
			}
			derived = append(derived, x.Cols...)
		default:
			return nil, nil, false
		}
	}
	if len(preds) == 0 {
		return kql.Bool(true), derived, true
	}
	return kql.And(preds...), derived, true
}

// paren keeps an or-predicate whole when it is ANDed with another.
func paren(x kql.Expr) kql.Expr {
	if b, ok := x.(*kql.BinaryExpr); ok && b.Op == kql.OpOr {
		return &kql.ParenExpr{X: x}
	}
	return x
}

// columnsRead lists the table's columns a query mentions, in table order:
// what a sample row shows to explain the match.
func columnsRead(t *catalog.Table, q *kql.Query) []string {
	if t == nil {
		return nil
	}
	seen := map[string]bool{}
	kql.Walk(q, func(n kql.Node) bool {
		if id, ok := n.(*kql.Ident); ok {
			if _, isCol := t.Column(id.Name); isCol {
				seen[id.Name] = true
			}
		}
		return true
	})
	var out []string
	for _, c := range t.Columns {
		if seen[c.Name] && c.Name != "TimeGenerated" {
			out = append(out, c.Name)
		}
	}
	return out
}

func correlationTables(cc *sigma.CompiledCorrelation) []string {
	seen := map[string]bool{}
	var walk func(cc *sigma.CompiledCorrelation)
	walk = func(cc *sigma.CompiledCorrelation) {
		for _, b := range cc.Bases {
			if b.Detection != nil {
				seen[b.Detection.Table] = true
			}
			if b.Nested != nil {
				walk(b.Nested)
			}
		}
	}
	walk(cc)
	return sortedKeys(seen)
}

// baseAttack is the ATT&CK mapping of a correlation without tags of its
// own: the union of its rules'.
func baseAttack(cat *attack.Catalog, cc *sigma.CompiledCorrelation) (techniques, tactics []string) {
	var tags []string
	var walk func(cc *sigma.CompiledCorrelation)
	walk = func(cc *sigma.CompiledCorrelation) {
		for _, b := range cc.Bases {
			tags = append(tags, b.Rule.Tags...)
			if b.Nested != nil {
				walk(b.Nested)
			}
		}
	}
	walk(cc)
	return attackOf(cat, tags)
}

// Runnable lists the rules a run may use: compiled, not hidden.
func (rs *RuleSet) Runnable() []*Rule {
	var out []*Rule
	for _, r := range rs.Rules {
		if r.Err == nil && !r.Hidden {
			out = append(out, r)
		}
	}
	return out
}

// Tables lists every table the runnable rules read, sorted.
func (rs *RuleSet) Tables() []string {
	seen := map[string]bool{}
	for _, r := range rs.Runnable() {
		for _, t := range r.Tables {
			seen[t] = true
		}
	}
	return sortedKeys(seen)
}

// Rule finds a rule by id.
func (rs *RuleSet) Rule(id string) (*Rule, bool) {
	for _, r := range rs.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}
