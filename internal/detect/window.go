package detect

import (
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// TimeColumn is the column every catalog table has and every window
// bounds.
const TimeColumn = "TimeGenerated"

// between is TimeGenerated between (datetime(start) .. datetime(end)): the
// window every query of a run carries as a node of its tree, so that its
// printed KQL reproduces the rows wherever it is pasted.
func between(start, end time.Time) kql.Expr {
	return kql.Between(kql.Name(TimeColumn), kql.Datetime(start), kql.Datetime(end))
}

// windowed returns a copy of q in which every read of a catalog table T
// becomes (T | where TimeGenerated between (…)): the pipelines of Sigma
// rules, correlation event queries and correlation joins alike. q itself
// is shared by every run of a RuleSet and is never changed.
func windowed(q *kql.Query, cat *catalog.Catalog, start, end time.Time, extra ...kql.Expr) (*kql.Query, error) {
	c, err := kql.Parse(kql.Print(q))
	if err != nil {
		return nil, &kql.Error{Code: kql.CodeInternal, Msg: "a compiled rule does not print and parse back: " + err.Error(),
			Hint: "this is a bug in sleuth; please report it with the rule"}
	}
	pred := kql.And(append([]kql.Expr{between(start, end)}, extra...)...)
	bound := letNames(c)
	kql.Walk(c, func(n kql.Node) bool {
		p, ok := n.(*kql.PipeExpr)
		if !ok {
			return true
		}
		id, ok := p.Source.(*kql.Ident)
		if !ok || bound[id.Name] {
			return true
		}
		if _, isTable := cat.Table(id.Name); isTable {
			p.Ops = append([]kql.Operator{kql.Where(pred)}, p.Ops...)
		}
		return true
	})
	return c, nil
}

func letNames(q *kql.Query) map[string]bool {
	out := map[string]bool{}
	for _, st := range q.Stmts {
		if l, ok := st.(*kql.LetStmt); ok {
			out[l.Name.Name] = true
		}
	}
	return out
}

// validWindow checks a run's window: both ends, the end after the start.
func validWindow(start, end time.Time) error {
	switch {
	case start.IsZero() || end.IsZero():
		return &RuleError{Code: CodeScope, Msg: "the window needs a start and an end", Hint: "give --from and --to, or --window"}
	case !end.After(start):
		return &RuleError{Code: CodeScope, Msg: "the window ends at " + end.UTC().Format(time.RFC3339) + ", not after its start " + start.UTC().Format(time.RFC3339),
			Hint: "swap --from and --to"}
	}
	return nil
}
