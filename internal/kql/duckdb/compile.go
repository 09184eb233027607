// Package duckdb compiles checked KQL queries to DuckDB SQL for sleuth's
// embedded store.
//
// The compiler is an ordered list of passes, each testable alone:
//
//	check   the checker's output: the result schema and notices
//	lower   one SQL SELECT per pipeline operator, as named common table
//	        expressions (a tabular expression used twice, such as a let
//	        bound table, is lowered once)
//	emit    the final statement: WITH … SELECT, with the row cap
//
// Kusto semantics that plain SQL does not share are handled here and in
// the SQL macros of Prelude, which the store runs on every connection: see
// the Semantics section of package kql's documentation. The package never
// imports DuckDB; the store runs what it produces.
package duckdb

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// Options configure Compile.
type Options struct {
	// Now is the reference time of ago() and now(); zero means the checked
	// query's (Options.Now of the checker, or set query_now).
	Now time.Time
	// MaxRows, when positive, caps the result as a final take (the policy's
	// row cap applies as well; the smaller wins).
	MaxRows int
}

// Pass is the output of one compiler pass, for --explain.
type Pass struct {
	Name string
	Text string
}

// Result is a compiled query.
type Result struct {
	// SQL is one DuckDB SELECT statement.
	SQL string
	// Explain is the same statement laid out for people: one common table
	// expression a line, each under a comment naming the KQL it implements.
	Explain string
	// Ordered reports whether the result has a defined row order (a sort,
	// top or order-preserving operators after one).
	Ordered bool
	// Columns is the result schema the checker inferred.
	Columns []check.Column
	// Notices are things the user should know (render ignored, …).
	Notices []string
	// Passes holds each pass's output, in order.
	Passes []Pass
}

// Stage is one lowered pipeline operator: a named SELECT.
type Stage struct {
	Name  string // the common table expression's name
	Label string // the KQL it implements
	SQL   string
}

// Compile lowers a checked query to SQL. It fails only on a bug (an
// unhandled construct the checker let through), with code kql.internal.
func Compile(ch *check.Checked, opt Options) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &kql.Error{Code: kql.CodeInternal, Msg: fmt.Sprintf("compiler failed: %v", r),
				Hint: "this is a bug in sleuth; please report it with the query"}
		}
	}()
	if ch == nil || ch.Body == nil {
		return nil, &kql.Error{Code: kql.CodeInternal, Msg: "nothing to compile"}
	}
	now := opt.Now
	if now.IsZero() {
		now = ch.Now
	}
	res = &Result{Columns: ch.Result.Columns}
	for _, n := range ch.Notices {
		res.Notices = append(res.Notices, n.Msg)
	}
	res.Passes = append(res.Passes, Pass{Name: "check", Text: checkPass(ch)})

	stages, final := Lower(ch, now)
	res.Passes = append(res.Passes, Pass{Name: "lower", Text: lowerPass(stages)})

	limit := ch.RowCap
	if opt.MaxRows > 0 && (limit == 0 || opt.MaxRows < limit) {
		limit = opt.MaxRows
	}
	res.SQL = Emit(stages, final, limit)
	res.Explain = explainHeader(ch) + assemble(stages, final, limit, true)
	res.Ordered = len(final.OrderBy) > 0
	res.Passes = append(res.Passes, Pass{Name: "emit", Text: res.SQL})
	return res, nil
}

func checkPass(ch *check.Checked) string {
	var b strings.Builder
	fmt.Fprintf(&b, "now: %s\nresult: %s\n", ch.Now.Format(time.RFC3339Nano), ch.Result)
	if ch.RowCap > 0 {
		fmt.Fprintf(&b, "row cap: %d\n", ch.RowCap)
	}
	for _, n := range ch.Notices {
		fmt.Fprintf(&b, "notice: %s\n", n.Msg)
	}
	return b.String()
}

// explainHeader is the checker's view of the query, as SQL comments.
func explainHeader(ch *check.Checked) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- result: %s\n", ch.Result)
	fmt.Fprintf(&b, "-- now: %s\n", ch.Now.Format(time.RFC3339Nano))
	if ch.RowCap > 0 {
		fmt.Fprintf(&b, "-- row cap: %d\n", ch.RowCap)
	}
	return b.String()
}

func lowerPass(stages []Stage) string {
	var b strings.Builder
	for _, s := range stages {
		fmt.Fprintf(&b, "-- %s\n%s AS (%s)\n", s.Label, s.Name, s.SQL)
	}
	return b.String()
}

// Final is the relation the query returns and how it is ordered.
type Final struct {
	Name    string
	Cols    []string
	OrderBy []string
}

// Lower lowers a checked query to its stages and final relation.
func Lower(ch *check.Checked, now time.Time) ([]Stage, Final) {
	c := &compiler{ch: ch, now: now, memo: map[kql.Node]*rel{}}
	r := c.tab(ch.Body)
	f := Final{Name: r.name}
	for _, col := range ch.Result.Columns {
		f.Cols = append(f.Cols, col.Name)
	}
	if r.open {
		f.Cols = nil
	}
	if r.order != nil {
		f.OrderBy = r.order.keys
	}
	return c.stages, f
}

// Emit assembles the final statement.
func Emit(stages []Stage, f Final, limit int) string { return assemble(stages, f, limit, false) }

func assemble(stages []Stage, f Final, limit int, annotate bool) string {
	var b strings.Builder
	if len(stages) > 0 {
		b.WriteString("WITH")
		for i, s := range stages {
			if i > 0 {
				b.WriteString(",")
			}
			if annotate {
				fmt.Fprintf(&b, "\n-- %s\n", strings.ReplaceAll(s.Label, "\n", " "))
			} else if i > 0 {
				b.WriteString("\n")
			} else {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%s AS (%s)", s.Name, s.SQL)
		}
		b.WriteString("\n")
	}
	b.WriteString("SELECT ")
	if f.Cols == nil {
		b.WriteString("*")
	} else {
		for i, n := range f.Cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteIdent(n))
		}
	}
	b.WriteString(" FROM " + f.Name)
	if len(f.OrderBy) > 0 {
		b.WriteString(" ORDER BY " + strings.Join(f.OrderBy, ", "))
	}
	if limit > 0 {
		fmt.Fprintf(&b, " LIMIT %d", limit)
	}
	return b.String()
}

// compiler holds the state of one lowering.
type compiler struct {
	ch     *check.Checked
	now    time.Time
	stages []Stage
	memo   map[kql.Node]*rel
	seq    int
}

// rel is a lowered relation: a common table expression with the columns of
// its KQL schema, in order.
type rel struct {
	name  string
	cols  []check.Column
	order *ordering // the row order a sort established, if still valid
	open  bool      // columns unknown to the checker follow (bag_unpack)
	// part lists hidden columns carried through every stage and treated as
	// a partition: mv-apply's row id, so that its sub-query runs per row.
	part []string
	// known lists the columns read from an unpacked bag (open relations).
	known []string
}

// ordering is the row order of a relation: ORDER BY items and the columns
// they read (the order is lost when one of those changes).
type ordering struct {
	keys []string
	deps []string
}

func (r *rel) colType(name string) catalog.Type {
	for _, c := range r.cols {
		if c.Name == name {
			return c.Type
		}
	}
	return ""
}

func (r *rel) has(name string) bool {
	for _, c := range r.cols {
		if c.Name == name {
			return true
		}
	}
	for _, k := range r.known {
		if k == name {
			return true
		}
	}
	return false
}

// stage adds a CTE and returns its relation.
func (c *compiler) stage(label, sql string, cols []check.Column) *rel {
	c.seq++
	name := fmt.Sprintf("_s%d", c.seq)
	c.stages = append(c.stages, Stage{Name: name, Label: label, SQL: sql})
	return &rel{name: name, cols: cols}
}

// keepOrder carries in's order to out when every column it reads is still
// there unchanged (changed lists columns the operator recomputed).
func keepOrder(in, out *rel, changed map[string]bool) {
	if in.order == nil {
		return
	}
	for _, d := range in.order.deps {
		if changed[d] || !out.has(d) {
			return
		}
	}
	out.order = in.order
}

// colList renders a select list of plain columns.
func colList(cols []check.Column) string {
	if len(cols) == 0 {
		return "NULL AS \"__empty\""
	}
	parts := make([]string, len(cols))
	for i, col := range cols {
		parts[i] = quoteIdent(col.Name)
	}
	return strings.Join(parts, ", ")
}

// tab lowers a tabular expression.
func (c *compiler) tab(e kql.Expr) *rel {
	if r, ok := c.memo[e]; ok {
		return r
	}
	var r *rel
	switch x := e.(type) {
	case *kql.Ident:
		r = c.table(x)
	case *kql.ParenExpr:
		r = c.tab(x.X)
	case *kql.PipeExpr:
		r = c.pipe(x)
	case *kql.DatatableExpr:
		r = c.datatable(x)
	case *kql.PrintExpr:
		r = c.print(x)
	case *kql.RangeExpr:
		r = c.rangeSource(x)
	case *kql.UnionExpr:
		r = c.union(x, nil)
	case *kql.SearchExpr:
		r = c.searchSource(x)
	default:
		panic(fmt.Sprintf("unexpected tabular expression %T", e))
	}
	c.memo[e] = r
	return r
}

func (c *compiler) table(id *kql.Ident) *rel {
	t, ok := c.ch.Table(id)
	if !ok {
		panic("unresolved table " + id.Name)
	}
	cols := c.ch.SchemaOf(id).Columns
	return c.stage(id.Name, "SELECT "+colList(cols)+" FROM "+quoteIdent(t.Name), cols)
}

func (c *compiler) pipe(p *kql.PipeExpr) *rel {
	r := c.tab(p.Source)
	for _, op := range p.Ops {
		if m, ok := c.memo[op]; ok {
			r = m
			continue
		}
		r = c.op(op, r)
		c.memo[op] = r
	}
	return r
}

// schemaCols returns the checked output columns of a node.
func (c *compiler) schemaCols(n kql.Node) []check.Column {
	if s := c.ch.SchemaOf(n); s != nil {
		return s.Columns
	}
	return nil
}

func sortStrings(s []string) { sort.Strings(s) }
