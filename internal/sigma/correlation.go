package sigma

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// CompiledCorrelation is a Sigma 2 correlation rule ready to evaluate: its
// base rules compiled to KQL that projects what the correlation needs, and
// a Sentinel-ready KQL rendering of the whole correlation.
type CompiledCorrelation struct {
	Rule    *Rule
	Type    string
	Span    time.Duration
	GroupBy []string // group-by names, as written (aliases or fields)
	Field   string   // the value field of value_* types
	Cond    CorrelationCondition
	Bases   []*Base
	Query   *kql.Query // Sentinel-ready KQL; see Method
	Method  string     // how Query computes windows, for its comment
	Notes   []string
}

// Base is one rule a correlation refers to.
type Base struct {
	Ref       string // as written under rules:
	Rule      *Rule
	Detection *Compiled            // for a detection rule
	Nested    *CompiledCorrelation // for a correlation rule
	// Events is the detection rule's query projecting TimeGenerated, the
	// group-by fields (named as GroupBy), the value field (ValueColumn)
	// and the table's entity columns for context.
	Events  *kql.Query
	GroupBy []string // the group-by names of the correlation that uses this base
	group   []kql.Expr
	value   kql.Expr
}

// ValueColumn is the column the base query gives the value_* field.
const ValueColumn = "SigmaValue"

// MaxCorrelationDepth bounds chains of correlations over correlations.
const MaxCorrelationDepth = 8

// CompileCorrelation compiles a correlation rule and the rules it refers
// to, found in coll.
func CompileCorrelation(r *Rule, coll *Collection, opts Options) (out *CompiledCorrelation, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, &Error{Code: CodeInternal, File: r.File, RuleID: r.ID, Pos: r.Pos,
				Msg: fmt.Sprintf("correlation compiler panic: %v", p), Hint: "this is a bug in sleuth; please report it with the rule"}
		}
	}()
	return compileCorrelation(r, coll, &opts, map[*Rule]bool{})
}

func compileCorrelation(r *Rule, coll *Collection, opts *Options, visiting map[*Rule]bool) (*CompiledCorrelation, error) {
	cr := r.Correlation
	if cr == nil {
		return nil, corrErr(r, r.Pos, CodeBadCorrelation, "", "rule has no correlation section")
	}
	if visiting[r] || len(visiting) >= MaxCorrelationDepth {
		return nil, corrErr(r, cr.Pos, CodeBadCorrelation, "break the cycle", "correlation refers to itself through its rules (or nests deeper than %d)", MaxCorrelationDepth)
	}
	visiting[r] = true
	defer delete(visiting, r)
	span, err := parseTimespan(cr.Timespan)
	if err != nil {
		return nil, corrErr(r, cr.Pos, CodeBadCorrelation, "", "%v", err)
	}
	cc := &CompiledCorrelation{Rule: r, Type: cr.Type, Span: span, GroupBy: cr.GroupBy, Field: cr.Cond.Field, Cond: cr.Cond}
	for i, ref := range cr.Rules {
		b, err := cc.base(ref, posAt(cr.RulesPos, i, cr.Pos), coll, opts, visiting)
		if err != nil {
			return nil, err
		}
		cc.Bases = append(cc.Bases, b)
	}
	if err := cc.checkTypes(); err != nil {
		return nil, err
	}
	q, method, err := cc.kql()
	if err != nil {
		return nil, err
	}
	cc.Query, cc.Method = q, method
	return cc, nil
}

func posAt(ps []Pos, i int, def Pos) Pos {
	if i < len(ps) {
		return ps[i]
	}
	return def
}

func corrErr(r *Rule, pos Pos, code, hint, format string, args ...any) *Error {
	e := errorf(code, pos, hint, format, args...)
	e.File, e.RuleID = r.File, r.ID
	return e
}

// base resolves and compiles one referenced rule.
func (cc *CompiledCorrelation) base(ref string, pos Pos, coll *Collection, opts *Options, visiting map[*Rule]bool) (*Base, error) {
	r := cc.Rule
	target, ok := coll.Lookup(ref)
	if !ok {
		return nil, corrErr(r, pos, CodeUnknownRule, "load the file that defines it together with the correlation, and check its id or name:", "correlation refers to rule %q, which was not loaded", ref)
	}
	b := &Base{Ref: ref, Rule: target, GroupBy: cc.GroupBy}
	if target.Correlation != nil {
		nested, err := compileCorrelation(target, coll, opts, visiting)
		if err != nil {
			return nil, err
		}
		for _, g := range cc.GroupBy {
			if !contains(nested.GroupBy, g) {
				return nil, corrErr(r, pos, CodeBadCorrelation, "group the inner correlation by "+g+" too",
					"group-by %q is not a group-by field of the correlation %q it builds on", g, ref)
			}
		}
		b.Nested = nested
		return b, nil
	}
	c := &compiler{rule: target, opts: opts, cat: opts.catalog(), searches: map[string]kql.Expr{}}
	det, err := c.run()
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.File, e.RuleID = target.File, target.ID
		}
		return nil, err
	}
	b.Detection = det
	if err := cc.project(b, c); err != nil {
		return nil, err
	}
	return b, nil
}

// project resolves the group-by and value fields in the base's table and
// builds its event query.
func (cc *CompiledCorrelation) project(b *Base, c *compiler) error {
	cr := cc.Rule.Correlation
	for _, g := range cc.GroupBy {
		field := cc.aliasFor(g, b)
		f, err := c.projectField(field, cr.Pos)
		if err != nil {
			return cc.wrapField(err, g, b)
		}
		b.group = append(b.group, f.expr)
	}
	if cc.Field != "" && cc.Type != EventCount && cc.Type != Temporal && cc.Type != TemporalOrdered {
		f, err := c.projectField(cc.aliasFor(cc.Field, b), cr.Cond.Pos)
		if err != nil {
			return cc.wrapField(err, cc.Field, b)
		}
		b.value = f.expr
	}
	b.Events = c.eventQuery(b.Detection, cc.GroupBy, b.group, b.value)
	return nil
}

func (cc *CompiledCorrelation) wrapField(err error, field string, b *Base) error {
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	out := *e
	out.File, out.RuleID = cc.Rule.File, cc.Rule.ID
	out.Msg = fmt.Sprintf("%s (in rule %q, which the correlation groups by %q)", e.Msg, b.Ref, field)
	return &out
}

// aliasFor is the field a group-by name means in one base rule: the alias
// mapping for that rule when there is one, else the name itself.
func (cc *CompiledCorrelation) aliasFor(name string, b *Base) string {
	m, ok := cc.Rule.Correlation.Aliases[name]
	if !ok {
		return name
	}
	for _, key := range []string{b.Ref, b.Rule.Name, b.Rule.ID} {
		if f, ok := m[key]; ok && key != "" {
			return f
		}
	}
	return name
}

// projectField resolves a field as one value: a column, or the derived
// expression of a field that joins columns.
func (c *compiler) projectField(name string, pos Pos) (fieldRef, error) {
	if spec, ok := c.tg.src.fields.get(name); ok && spec.special != nil {
		if spec.proj == nil {
			return fieldRef{}, errorf(CodeUnsupportedModifier, pos, "group by a field that is one column",
				"field %q cannot be used as one value in %s", name, c.tg.table.Name)
		}
		return spec.proj(c, pos)
	}
	f, _, err := c.resolveField(name, pos)
	return f, err
}

// eventQuery is the detection query with a projection of what a
// correlation needs: TimeGenerated, the group-by fields under their
// group-by names, the value field, and the table's entity columns (hosts,
// users, addresses, processes, files) as context for the signal.
func (c *compiler) eventQuery(det *Compiled, names []string, group []kql.Expr, value kql.Expr) *kql.Query {
	p := det.Pipe()
	q := &kql.PipeExpr{Source: p.Source, Ops: append([]kql.Operator(nil), p.Ops...)}
	cols := []*kql.NamedExpr{{X: kIdent("TimeGenerated")}}
	used := map[string]bool{"TimeGenerated": true}
	for i, g := range group {
		cols = append(cols, namedAs(names[i], g))
		used[names[i]] = true
	}
	if value != nil {
		cols = append(cols, &kql.NamedExpr{Names: []*kql.Ident{kIdent(ValueColumn)}, X: value})
		used[ValueColumn] = true
	}
	for _, col := range contextColumns(c.tg.table) {
		if !used[col] {
			cols = append(cols, &kql.NamedExpr{X: kIdent(col)})
			used[col] = true
		}
	}
	q.Ops = append(q.Ops, &kql.ProjectOp{Cols: cols})
	return &kql.Query{Stmts: []kql.Stmt{&kql.ExprStmt{X: q}}}
}

// maxContextColumns keeps base rows small: the correlation only needs a few
// columns to show the analyst what happened.
const maxContextColumns = 10

var contextRoles = []catalog.Role{catalog.RoleHost, catalog.RoleUser, catalog.RoleIP, catalog.RoleProcess, catalog.RoleFile, catalog.RoleURL}

func contextColumns(t *catalog.Table) []string {
	var out []string
	for _, role := range contextRoles {
		for _, col := range t.ColumnsWithRole(role) {
			if len(out) < maxContextColumns && !strings.HasPrefix(col.Name, "InitiatingProcessParent") {
				out = append(out, col.Name)
			}
		}
	}
	return out
}

// checkTypes enforces what each correlation type needs.
func (cc *CompiledCorrelation) checkTypes() error {
	cr := cc.Rule.Correlation
	switch cc.Type {
	case Temporal, TemporalOrdered:
		if len(cc.Bases) < 2 {
			return corrErr(cc.Rule, cr.Pos, CodeBadCorrelation, "correlate two or more rules, or use event_count", "%s needs at least two rules", cc.Type)
		}
	case ValueSum, ValueAvg, ValuePercentile, ValueMedian, ValueCount:
		for _, b := range cc.Bases {
			if b.Nested != nil {
				return corrErr(cc.Rule, cr.Pos, CodeBadCorrelation, "", "%s cannot count values of another correlation (%q)", cc.Type, b.Ref)
			}
		}
	}
	for op := range cc.Cond.Ops {
		if !contains(condOps, op) {
			return corrErr(cc.Rule, cc.Cond.Pos, CodeBadCorrelation, "", "unknown condition %q", op)
		}
	}
	return nil
}

// holds reports whether a window's measure meets the condition: every
// comparison of the condition must hold (two make a range).
func (c CorrelationCondition) holds(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	for op, want := range c.Ops {
		ok := false
		switch op {
		case "gt":
			ok = v > want
		case "gte":
			ok = v >= want
		case "lt":
			ok = v < want
		case "lte":
			ok = v <= want
		case "eq":
			ok = v == want
		case "neq":
			ok = v != want
		}
		if !ok {
			return false
		}
	}
	return true
}

// monotone reports whether adding events to a window can only keep the
// condition true (gt, gte): then every qualifying window has an event at
// its start, and anchored windows find them all.
func (c CorrelationCondition) monotone() bool {
	for op := range c.Ops {
		if op != "gt" && op != "gte" {
			return false
		}
	}
	return true
}
