package sigma

import (
	"fmt"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Column names of the correlation KQL.
const (
	ruleColumn    = "SigmaRule"
	startColumn   = "WindowStart"
	endColumn     = "WindowEnd"
	measureColumn = "SigmaMeasure"
	allGroup      = "SigmaGroup" // the group of a correlation without group-by
)

// kqlBuilder collects the let statements of a correlation query.
type kqlBuilder struct {
	lets  []kql.Stmt
	n     int
	notes []string
}

func (kb *kqlBuilder) let(prefix string, x kql.Expr) string {
	kb.n++
	name := fmt.Sprintf("%s_%d", prefix, kb.n)
	kb.lets = append(kb.lets, &kql.LetStmt{Name: kIdent(name), Value: x})
	return name
}

// kql renders the correlation for Sentinel. Windows slide exactly as in
// Evaluate: a self-join on the group-by fields gives every event the events
// within the timespan after it; the last summarize keeps one row per group
// with the span of its qualifying windows and the peak measure.
func (cc *CompiledCorrelation) kql() (*kql.Query, string, error) {
	kb := &kqlBuilder{}
	windows, err := cc.windows(kb)
	if err != nil {
		return nil, "", err
	}
	groups := cc.groupNames()
	var by []*kql.NamedExpr
	for _, g := range groups {
		by = append(by, &kql.NamedExpr{X: kIdent(g)})
	}
	final := &kql.SummarizeOp{Aggs: []*kql.NamedExpr{
		named("StartTime", kCall("min", kIdent(startColumn))),
		named("EndTime", kCall("max", kIdent(endColumn))),
		named(measureColumn, kCall("max", kIdent(measureColumn))),
		named("Windows", kCall("count")),
	}, By: by}
	p := &kql.PipeExpr{Source: windows, Ops: []kql.Operator{final}}
	cc.Notes = append(cc.Notes, kb.notes...)
	stmts := append(kb.lets, &kql.ExprStmt{X: p})
	method := fmt.Sprintf("exact sliding windows of %s (each event opens one; self-join on %s), one row per group", cc.Rule.Correlation.Timespan, strings.Join(groups, ", "))
	return &kql.Query{Stmts: stmts}, method, nil
}

func named(name string, x kql.Expr) *kql.NamedExpr {
	return &kql.NamedExpr{Names: []*kql.Ident{kIdent(name)}, X: x}
}

// namedAs is name = x, or just x when x is already the column name.
func namedAs(name string, x kql.Expr) *kql.NamedExpr {
	if id, ok := x.(*kql.Ident); ok && id.Name == name {
		return &kql.NamedExpr{X: x}
	}
	return named(name, x)
}

func (cc *CompiledCorrelation) groupNames() []string {
	if len(cc.GroupBy) == 0 {
		return []string{allGroup}
	}
	return cc.GroupBy
}

// windows is a tabular expression with one row per qualifying window: the
// group columns, WindowStart, WindowEnd and SigmaMeasure.
func (cc *CompiledCorrelation) windows(kb *kqlBuilder) (kql.Expr, error) {
	var events []string
	for _, b := range cc.Bases {
		x, err := cc.baseKQL(kb, b)
		if err != nil {
			return nil, err
		}
		events = append(events, kb.let("sigma_events", x))
	}
	if cc.Type == TemporalOrdered {
		return cc.orderedKQL(kb, events), nil
	}
	all := events[0]
	if len(events) > 1 {
		var tables []kql.Expr
		for _, e := range events {
			tables = append(tables, kIdent(e))
		}
		all = kb.let("sigma_all", &kql.UnionExpr{Tables: tables})
	}
	return cc.slidingKQL(all), nil
}

// baseKQL projects a base to TimeGenerated, the group columns, the
// value and the rule's reference.
func (cc *CompiledCorrelation) baseKQL(kb *kqlBuilder, b *Base) (kql.Expr, error) {
	groups := cc.groupNames()
	if b.Nested != nil {
		inner, err := b.Nested.windows(kb)
		if err != nil {
			return nil, err
		}
		cols := []*kql.NamedExpr{named("TimeGenerated", kIdent(endColumn))}
		for _, g := range groups {
			src := g
			if g == allGroup {
				cols = append(cols, named(g, kStr("")))
				continue
			}
			cols = append(cols, namedAs(g, kIdent(src)))
		}
		cols = append(cols, named(ValueColumn, kIdent(measureColumn)), named(ruleColumn, kStr(b.Ref)))
		return &kql.PipeExpr{Source: inner, Ops: []kql.Operator{&kql.ProjectOp{Cols: cols}}}, nil
	}
	p := b.Detection.Pipe()
	out := &kql.PipeExpr{Source: p.Source, Ops: append([]kql.Operator(nil), p.Ops...)}
	cols := []*kql.NamedExpr{{X: kIdent("TimeGenerated")}}
	for i, g := range groups {
		if g == allGroup {
			cols = append(cols, named(g, kStr("")))
			continue
		}
		cols = append(cols, namedAs(g, b.group[i]))
	}
	if b.value != nil {
		cols = append(cols, named(ValueColumn, b.value))
	}
	cols = append(cols, named(ruleColumn, kStr(b.Ref)))
	out.Ops = append(out.Ops, &kql.ProjectOp{Cols: cols})
	return out, nil
}

// slidingKQL: every event joined with the events of its group within the
// timespan after it, measured per anchor.
func (cc *CompiledCorrelation) slidingKQL(all string) kql.Expr {
	groups := cc.groupNames()
	right := []*kql.NamedExpr{named("SigmaTime2", kIdent("TimeGenerated"))}
	for _, g := range groups {
		right = append(right, &kql.NamedExpr{X: kIdent(g)})
	}
	if cc.Type == Temporal {
		right = append(right, named("SigmaRule2", kIdent(ruleColumn)))
	}
	if cc.hasValue() {
		right = append(right, named("SigmaValue2", kIdent(ValueColumn)))
	}
	rightPipe := &kql.PipeExpr{Source: kIdent(all), Ops: []kql.Operator{&kql.ProjectOp{Cols: right}}}
	var by []*kql.NamedExpr
	for _, g := range groups {
		by = append(by, &kql.NamedExpr{X: kIdent(g)})
	}
	by = append(by, named(startColumn, kIdent("TimeGenerated")))
	ops := []kql.Operator{
		cc.join(rightPipe, groups),
		&kql.WhereOp{Pred: cc.within(kIdent("SigmaTime2"), kIdent("TimeGenerated"), kIdent("TimeGenerated"))},
		&kql.SummarizeOp{Aggs: []*kql.NamedExpr{named(measureColumn, cc.measure()), named(endColumn, kCall("max", kIdent("SigmaTime2")))}, By: by},
		&kql.WhereOp{Pred: cc.condExpr(kIdent(measureColumn))},
	}
	return &kql.PipeExpr{Source: kIdent(all), Ops: ops}
}

func (cc *CompiledCorrelation) hasValue() bool {
	switch cc.Type {
	case ValueCount, ValueSum, ValueAvg, ValuePercentile, ValueMedian:
		return true
	}
	return false
}

// measure is the aggregate of a window for each correlation type.
func (cc *CompiledCorrelation) measure() kql.Expr {
	v := kIdent("SigmaValue2")
	num := kCall("toreal", v)
	switch cc.Type {
	case ValueCount:
		return kCall("array_length", kCall("make_set", v))
	case Temporal:
		return kCall("array_length", kCall("make_set", kIdent("SigmaRule2")))
	case ValueSum:
		return kCall("sum", num)
	case ValueAvg:
		return kCall("avg", num)
	case ValuePercentile:
		return kCall("percentile", num, kNum(cc.Cond.Percentile))
	case ValueMedian:
		return kCall("percentile", num, kLong(50))
	}
	return kCall("count")
}

func (cc *CompiledCorrelation) join(right kql.Expr, groups []string) *kql.JoinOp {
	var on []kql.Expr
	for _, g := range groups {
		on = append(on, kIdent(g))
	}
	return &kql.JoinOp{Params: []*kql.OpParam{{Name: "kind", Value: kIdent("inner")}}, Right: right, On: on}
}

// within is t between (from .. anchor + timespan).
func (cc *CompiledCorrelation) within(t, from, anchor kql.Expr) kql.Expr {
	return &kql.BetweenExpr{X: t, Lo: from, Hi: kBin(kql.OpAdd, anchor, &kql.Literal{Type: catalog.Timespan, Value: cc.Span})}
}

// condExpr is the correlation condition over a measure.
func (cc *CompiledCorrelation) condExpr(x kql.Expr) kql.Expr {
	ops := map[string]kql.BinOp{"gt": kql.OpGt, "gte": kql.OpGe, "lt": kql.OpLt, "lte": kql.OpLe, "eq": kql.OpEq, "neq": kql.OpNe}
	var parts []kql.Expr
	for _, op := range condOps {
		if v, ok := cc.Cond.Ops[op]; ok {
			parts = append(parts, kBin(ops[op], x, kNum(v)))
		}
	}
	return kAnd(parts...)
}

// orderedKQL chains joins: an event of the first rule, then one of the
// second at or after it, … all within the timespan of the first.
func (cc *CompiledCorrelation) orderedKQL(kb *kqlBuilder, events []string) kql.Expr {
	groups := cc.groupNames()
	n := cc.orderedLength()
	if n < len(events) {
		kb.notes = append(kb.notes, fmt.Sprintf("the KQL requires the first %d rules in order", n))
	}
	timeCol := func(i int) string { return fmt.Sprintf("SigmaTime%d", i+1) }
	project := func(e string, i int) kql.Expr {
		cols := []*kql.NamedExpr{named(timeCol(i), kIdent("TimeGenerated"))}
		for _, g := range groups {
			cols = append(cols, &kql.NamedExpr{X: kIdent(g)})
		}
		return &kql.PipeExpr{Source: kIdent(e), Ops: []kql.Operator{&kql.ProjectOp{Cols: cols}}}
	}
	p := project(events[0], 0).(*kql.PipeExpr)
	for i := 1; i < n; i++ {
		p.Ops = append(p.Ops, cc.join(project(events[i], i), groups),
			&kql.WhereOp{Pred: cc.within(kIdent(timeCol(i)), kIdent(timeCol(i-1)), kIdent(timeCol(0)))})
	}
	var by []*kql.NamedExpr
	for _, g := range groups {
		by = append(by, &kql.NamedExpr{X: kIdent(g)})
	}
	by = append(by, named(startColumn, kIdent(timeCol(0))))
	p.Ops = append(p.Ops, &kql.SummarizeOp{Aggs: []*kql.NamedExpr{named(endColumn, kCall("min", kIdent(timeCol(n-1))))}, By: by},
		&kql.ExtendOp{Cols: []*kql.NamedExpr{named(measureColumn, kLong(int64(n)))}})
	return p
}

// orderedLength is how many rules in order the condition asks for.
func (cc *CompiledCorrelation) orderedLength() int {
	n := len(cc.Bases)
	for k := 1; k <= n; k++ {
		if cc.Cond.holds(float64(k)) && (cc.Cond.monotone() || k == n) {
			return k
		}
	}
	return n
}
