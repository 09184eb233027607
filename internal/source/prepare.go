package source

import (
	"fmt"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// Prepared is a query checked against a source's catalog and rewritten
// for sending.
type Prepared struct {
	// Query is the rewritten query: windowed and capped as the
	// PrepareOptions asked. The caller's tree is never changed.
	Query *kql.Query
	// Checked is Query checked against the catalog (lets inlined, types
	// known), for the compilers.
	Checked *check.Checked
	// Original is the caller's query checked, before any rewriting: a
	// compiler that refuses a construct reports it with spans into the
	// caller's text by compiling this first.
	Original *check.Checked
	// Limit is the number of rows the caller may receive (0: no cap).
	Limit int
	// Fetch is the number of rows to ask for: Limit+1, so that a cut can
	// be told from an exact fit, or Limit when that is the service's
	// ceiling (0: no cap).
	Fetch int
	// Text is Query printed as KQL.
	Text string
	// Warnings are notices from the checker and about the caps applied.
	Warnings []string
}

// PrepareOptions say how a source wants its queries rewritten.
type PrepareOptions struct {
	// Catalog is the source's catalog.
	Catalog *catalog.Catalog
	// Window filters every table the query reads on TimeGenerated within
	// Options.Start/End, for services without a timespan parameter.
	Window bool
	// Wrap returns operators to apply to every read of a table (Defender
	// tables get TimeGenerated as an alias of Timestamp); nil for none.
	Wrap func(table string) []kql.Operator
	// HardLimit is the service's row ceiling (0: none).
	HardLimit int
	// Take appends "| take Fetch" to the query, for services that run the
	// KQL text; compilers apply Fetch themselves.
	Take bool
}

// Prepare checks q against the source's catalog and the guard's policy,
// then rewrites a copy for sending. Errors in the query come back as the
// checker's kql.ErrorList, with spans into the caller's query.
func Prepare(q *kql.Query, opt Options, po PrepareOptions) (*Prepared, error) {
	if q == nil {
		return nil, kql.ErrorList{{Code: kql.CodeSyntax, Msg: "empty query"}}
	}
	copts := check.Options{Catalog: po.Catalog, Now: opt.Now, Policy: uncapped(opt.Policy)}
	first, err := check.Check(q, copts)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Original: first}
	for _, n := range first.Notices {
		p.Warnings = append(p.Warnings, n.Msg)
	}
	p.Limit, p.Fetch = limits(opt, po.HardLimit, &p.Warnings)

	p.Query, err = reparse(q)
	if err != nil {
		return nil, err
	}
	if po.Window && opt.Windowed() || po.Wrap != nil {
		wrapTables(p.Query, po.Catalog, func(table string) []kql.Operator {
			var ops []kql.Operator
			if po.Wrap != nil {
				ops = po.Wrap(table)
			}
			if po.Window && opt.Windowed() {
				ops = append(ops, kql.Where(windowPredicate(opt)))
			}
			return ops
		})
	}
	// A cap that is only the service's own ceiling needs no take: the
	// service applies it anyway.
	if po.Take && p.Fetch > 0 && (opt.MaxRows > 0 || opt.Policy != nil && opt.Policy.MaxRows > 0) {
		appendTake(p.Query, p.Fetch)
	}
	p.Checked, err = check.Check(p.Query, copts)
	if err != nil {
		return nil, &kql.Error{Code: kql.CodeInternal, Msg: fmt.Sprintf("the query rewritten for the source does not check: %v", err),
			Hint: "this is a bug in sleuth; please report it with the query"}
	}
	p.Text = kql.Print(p.Query)
	return p, nil
}

// uncapped returns the policy without its row cap: Prepare applies the cap
// itself, one row higher, so that a cut result can be detected.
func uncapped(p *check.Policy) *check.Policy {
	if p == nil {
		return nil
	}
	c := *p
	c.MaxRows = 0
	return &c
}

// limits works out the row cap from the caller's, the policy's and the
// service's, and the number of rows to fetch.
func limits(opt Options, hard int, warnings *[]string) (limit, fetch int) {
	limit = opt.MaxRows
	if p := opt.Policy; p != nil && p.MaxRows > 0 && (limit == 0 || p.MaxRows < limit) {
		limit = p.MaxRows
	}
	if hard > 0 && (limit == 0 || limit > hard) {
		if limit > hard {
			*warnings = append(*warnings, fmt.Sprintf("the service returns at most %d rows a query; asked for %d", hard, limit))
		}
		limit = hard
	}
	switch {
	case limit == 0:
		return 0, 0
	case limit == hard:
		return limit, limit
	}
	return limit, limit + 1
}

// reparse copies q by printing and parsing it: the printer guarantees the
// round trip, and the copy can be rewritten freely.
func reparse(q *kql.Query) (*kql.Query, error) {
	c, err := kql.Parse(kql.Print(q))
	if err != nil {
		return nil, &kql.Error{Code: kql.CodeInternal, Msg: fmt.Sprintf("the printed query does not parse back: %v", err),
			Hint: "this is a bug in sleuth; please report it with the query"}
	}
	return c, nil
}

func windowPredicate(opt Options) kql.Expr {
	tg := func() kql.Expr { return kql.Name("TimeGenerated") }
	var parts []kql.Expr
	if !opt.Start.IsZero() {
		parts = append(parts, kql.Bin(kql.OpGe, tg(), kql.Datetime(opt.Start.UTC())))
	}
	if !opt.End.IsZero() {
		parts = append(parts, kql.Bin(kql.OpLt, tg(), kql.Datetime(opt.End.UTC())))
	}
	return kql.And(parts...)
}

// appendTake caps the query's result: the last tabular statement gets a
// final take.
func appendTake(q *kql.Query, n int) {
	for i := len(q.Stmts) - 1; i >= 0; i-- {
		st, ok := q.Stmts[i].(*kql.ExprStmt)
		if !ok {
			continue
		}
		if p, ok := st.X.(*kql.PipeExpr); ok {
			p.Ops = append(p.Ops, kql.Take(int64(n)))
		} else {
			st.X = kql.Pipe(st.X, kql.Take(int64(n)))
		}
		return
	}
}

// wrapTables replaces every read of a catalog table T in q by
// (T | ops(T)…). Names bound by let or function parameters are not
// tables, whatever they are called.
func wrapTables(q *kql.Query, cat *catalog.Catalog, ops func(table string) []kql.Operator) {
	bound := boundNames(q)
	done := map[*kql.Ident]bool{}
	var slot func(e kql.Expr) kql.Expr
	slot = func(e kql.Expr) kql.Expr {
		switch x := e.(type) {
		case *kql.ParenExpr:
			x.X = slot(x.X)
		case *kql.Ident:
			if done[x] || bound[x.Name] {
				return e
			}
			if _, ok := cat.Table(x.Name); !ok {
				return e
			}
			done[x] = true
			add := ops(x.Name)
			if len(add) == 0 {
				return e
			}
			return &kql.ParenExpr{X: kql.Pipe(x, add...)}
		}
		return e
	}
	slots := func(xs []kql.Expr) {
		for i := range xs {
			xs[i] = slot(xs[i])
		}
	}
	kql.Walk(q, func(n kql.Node) bool {
		switch x := n.(type) {
		case *kql.ExprStmt:
			x.X = slot(x.X)
		case *kql.LetStmt:
			x.Value = slot(x.Value)
		case *kql.PipeExpr:
			x.Source = slot(x.Source)
		case *kql.UnionExpr:
			slots(x.Tables)
		case *kql.UnionOp:
			slots(x.Tables)
		case *kql.JoinOp:
			x.Right = slot(x.Right)
		case *kql.LookupOp:
			x.Right = slot(x.Right)
		case *kql.SearchExpr:
			slots(x.In)
		}
		return true
	})
}

// boundNames collects the names let statements and function parameters
// bind anywhere in q.
func boundNames(q *kql.Query) map[string]bool {
	names := map[string]bool{}
	kql.Walk(q, func(n kql.Node) bool {
		switch x := n.(type) {
		case *kql.LetStmt:
			names[x.Name.Name] = true
		case *kql.Param:
			names[x.Name.Name] = true
		}
		return true
	})
	return names
}

// RowWise reports whether a checked query's result is a row-by-row
// function of the rows it reads (filters, projections, a final take), so
// that running it over two halves of a time window and concatenating the
// results gives the result over the whole window. Aggregations, sorts and
// joins are not.
func RowWise(ch *check.Checked) bool {
	return rowWise(ch.Body, true)
}

func rowWise(e kql.Expr, last bool) bool {
	switch x := e.(type) {
	case *kql.Ident:
		return true
	case *kql.ParenExpr:
		return rowWise(x.X, false)
	case *kql.UnionExpr:
		for _, t := range x.Tables {
			if !rowWise(t, false) {
				return false
			}
		}
		return true
	case *kql.PipeExpr:
		if !rowWise(x.Source, false) {
			return false
		}
		for i, op := range x.Ops {
			if !rowWiseOp(op, last && i == len(x.Ops)-1) {
				return false
			}
		}
		return true
	}
	return false
}

func rowWiseOp(op kql.Operator, last bool) bool {
	switch op.(type) {
	case *kql.WhereOp, *kql.ProjectOp, *kql.ProjectAwayOp, *kql.ProjectKeepOp, *kql.ProjectRenameOp,
		*kql.ProjectReorderOp, *kql.ExtendOp, *kql.ParseOp, *kql.MvExpandOp, *kql.RenderOp:
		return true
	case *kql.TakeOp:
		return last // the merge applies the final cap again
	}
	return false
}
