package duckdb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// op lowers one pipeline operator applied to in.
func (c *compiler) op(op kql.Operator, in *rel) *rel {
	switch x := op.(type) {
	case *kql.WhereOp:
		return c.where(x, in)
	case *kql.ExtendOp:
		return c.extend(x, x.Cols, in, "extend")
	case *kql.SerializeOp:
		if len(x.Cols) == 0 {
			return in
		}
		return c.extend(x, x.Cols, in, "serialize")
	case *kql.ProjectOp:
		return c.project(x, in)
	case *kql.ProjectAwayOp, *kql.ProjectKeepOp, *kql.ProjectRenameOp, *kql.ProjectReorderOp:
		return c.reshape(op, in)
	case *kql.SummarizeOp:
		return c.summarize(x, in)
	case *kql.CountOp:
		return c.count(x, in)
	case *kql.DistinctOp:
		return c.distinct(x, in)
	case *kql.TakeOp:
		return c.take(x.N, in, "take")
	case *kql.SampleOp:
		out := c.stage("sample", "SELECT * FROM "+in.name+" USING SAMPLE "+c.expr(x.N, ectx{})+" ROWS", in.cols)
		out.part = in.part
		return out
	case *kql.TopOp:
		return c.top(x, in)
	case *kql.SortOp:
		return c.sort(x, in)
	case *kql.JoinOp:
		return c.join(x, x.Right, in)
	case *kql.LookupOp:
		return c.join(x, x.Right, in)
	case *kql.UnionOp:
		return c.union(x, in)
	case *kql.MvExpandOp:
		return c.mvExpand(x, in)
	case *kql.MvApplyOp:
		return c.mvApply(x, in)
	case *kql.ParseOp:
		return c.parse(x, in)
	case *kql.EvaluateOp:
		return c.bagUnpack(x, in)
	case *kql.MakeSeriesOp:
		return c.makeSeries(x, in)
	case *kql.SearchOp:
		return c.searchOp(x, in)
	case *kql.AsOp, *kql.RenderOp:
		return in
	case *kql.GetSchemaOp:
		return c.getschema(x, in)
	}
	panic(fmt.Sprintf("unexpected operator %T", op))
}

// partSelect renders the hidden partition columns (mv-apply's row id) a
// select list carries along.
func partSelect(in *rel) string {
	s := ""
	for _, p := range in.part {
		s += quoteIdent(p) + ", "
	}
	return s
}

func (c *compiler) hasWindow(e kql.Expr) bool {
	found := false
	walkExpr(e, func(n kql.Expr) bool {
		if call, ok := n.(*kql.CallExpr); ok {
			if f := c.ch.Func(call); f != nil && f.Kind == check.Window {
				found = true
			}
		}
		return !found
	})
	return found
}

// walkExpr visits the scalar sub-expressions of e.
func walkExpr(e kql.Expr, fn func(kql.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *kql.ParenExpr:
		walkExpr(x.X, fn)
	case *kql.UnaryExpr:
		walkExpr(x.X, fn)
	case *kql.BinaryExpr:
		walkExpr(x.L, fn)
		walkExpr(x.R, fn)
	case *kql.InExpr:
		walkExpr(x.X, fn)
		for _, i := range x.List {
			walkExpr(i, fn)
		}
	case *kql.BetweenExpr:
		walkExpr(x.X, fn)
		walkExpr(x.Lo, fn)
		walkExpr(x.Hi, fn)
	case *kql.CallExpr:
		for _, a := range x.Args {
			walkExpr(a, fn)
		}
	case *kql.MemberExpr:
		walkExpr(x.X, fn)
	case *kql.IndexExpr:
		walkExpr(x.X, fn)
		walkExpr(x.Index, fn)
	}
}

// columnsRead lists the column names an expression reads.
func columnsRead(e kql.Expr) []string {
	var out []string
	walkExpr(e, func(n kql.Expr) bool {
		if id, ok := n.(*kql.Ident); ok {
			out = append(out, id.Name)
		}
		return true
	})
	return out
}

func (c *compiler) where(x *kql.WhereOp, in *rel) *rel {
	pred := c.expr(x.Pred, ectx{pred: true, order: in.order})
	clause := " WHERE "
	if c.hasWindow(x.Pred) {
		clause = " QUALIFY "
	}
	out := c.stage("where", "SELECT * FROM "+in.name+clause+pred, in.cols)
	out.order, out.open, out.part, out.known = in.order, in.open, in.part, in.known
	return out
}

// extend computes columns in place or appends them, in the checker's
// output order; later items already see earlier ones (the checker inlined
// them).
func (c *compiler) extend(op kql.Operator, cols []*kql.NamedExpr, in *rel, label string) *rel {
	ex := ectx{order: in.order}
	assigned := map[string]string{}
	var newNames []string
	for _, ne := range cols {
		name := c.ch.Names(ne)[0]
		if _, seen := assigned[name]; !seen && !in.has(name) {
			newNames = append(newNames, name)
		}
		assigned[name] = c.nonNull(c.expr(ne.X, ex), ne.X)
	}
	outCols := c.schemaCols(op)
	var sql string
	if in.open {
		var repl, adds []string
		for name, v := range assigned {
			if in.has(name) {
				repl = append(repl, v+" AS "+quoteIdent(name))
			}
		}
		for _, name := range newNames {
			adds = append(adds, assigned[name]+" AS "+quoteIdent(name))
		}
		sql = "SELECT *"
		if len(repl) > 0 {
			sortStrings(repl)
			sql = "SELECT * REPLACE (" + join(repl) + ")"
		}
		if len(adds) > 0 {
			sql += ", " + join(adds)
		}
		sql += " FROM " + in.name
	} else {
		sel := make([]string, 0, len(outCols))
		for _, col := range outCols {
			if v, ok := assigned[col.Name]; ok {
				sel = append(sel, v+" AS "+quoteIdent(col.Name))
			} else {
				sel = append(sel, quoteIdent(col.Name))
			}
		}
		sql = "SELECT " + partSelect(in) + join(sel) + " FROM " + in.name
	}
	out := c.stage(label, sql, outCols)
	changed := map[string]bool{}
	for n := range assigned {
		changed[n] = true
	}
	keepOrder(in, out, changed)
	out.open, out.part, out.known = in.open, in.part, in.known
	return out
}

func (c *compiler) project(x *kql.ProjectOp, in *rel) *rel {
	ex := ectx{order: in.order}
	var sel []string
	changed := map[string]bool{}
	for _, ne := range x.Cols {
		name := c.ch.Names(ne)[0]
		v := c.nonNull(c.expr(ne.X, ex), ne.X)
		if id, ok := ne.X.(*kql.Ident); ok && id.Name == name {
			sel = append(sel, quoteIdent(name))
			continue
		}
		changed[name] = true
		sel = append(sel, v+" AS "+quoteIdent(name))
	}
	out := c.stage("project", "SELECT "+partSelect(in)+join(sel)+" FROM "+in.name, c.schemaCols(x))
	keepOrder(in, out, changed)
	out.part = in.part
	return out
}

// reshape lowers project-away, project-keep, project-rename and
// project-reorder: a select of the output columns by name.
func (c *compiler) reshape(op kql.Operator, in *rel) *rel {
	outCols := c.schemaCols(op)
	renamed := map[string]string{} // new → old
	changed := map[string]bool{}
	label := "project-away"
	switch x := op.(type) {
	case *kql.ProjectRenameOp:
		label = "project-rename"
		for _, rn := range x.Cols {
			renamed[rn.New.Name] = rn.Old.Name
			changed[rn.Old.Name] = true
		}
	case *kql.ProjectKeepOp:
		label = "project-keep"
	case *kql.ProjectReorderOp:
		label = "project-reorder"
	}
	if in.open {
		if d, ok := c.ch.Info(op).(*check.DropInfo); ok && len(d.Names) > 0 {
			var ex []string
			for _, n := range d.Names {
				ex = append(ex, quoteIdent(n))
			}
			out := c.stage(label, "SELECT * EXCLUDE ("+join(ex)+") FROM "+in.name, outCols)
			out.open, out.order = true, in.order
			for _, k := range in.known {
				if !contains(d.Names, k) {
					out.known = append(out.known, k)
				}
			}
			return out
		}
	}
	sel := make([]string, len(outCols))
	for i, col := range outCols {
		if old, ok := renamed[col.Name]; ok {
			sel[i] = quoteIdent(old) + " AS " + quoteIdent(col.Name)
		} else {
			sel[i] = quoteIdent(col.Name)
		}
	}
	out := c.stage(label, "SELECT "+partSelect(in)+join(sel)+" FROM "+in.name, outCols)
	keepOrder(in, out, changed)
	out.part = in.part
	return out
}

func (c *compiler) count(x *kql.CountOp, in *rel) *rel {
	sql := "SELECT " + partSelect(in) + "count(*) AS \"Count\" FROM " + in.name
	if len(in.part) > 0 {
		sql += " GROUP BY ALL"
	}
	out := c.stage("count", sql, c.schemaCols(x))
	out.part = in.part
	return out
}

func (c *compiler) distinct(x *kql.DistinctOp, in *rel) *rel {
	info, _ := c.ch.Info(x).(*check.DistinctInfo)
	if info == nil || info.Star {
		out := c.stage("distinct", "SELECT DISTINCT * FROM "+in.name, in.cols)
		out.part = in.part
		return out
	}
	sel := make([]string, len(x.Cols))
	for i, e := range x.Cols {
		sel[i] = c.nonNull(c.expr(e, ectx{}), e) + " AS " + quoteIdent(info.Names[i])
	}
	out := c.stage("distinct", "SELECT DISTINCT "+partSelect(in)+join(sel)+" FROM "+in.name, c.schemaCols(x))
	out.part = in.part
	return out
}

// take keeps the first n rows: of each partition inside mv-apply, in the
// input's order when a sort established one.
func (c *compiler) take(n kql.Expr, in *rel, label string) *rel {
	lim := c.expr(n, ectx{})
	if l, ok := unparen(n).(*kql.Literal); ok {
		lim = literal(l, true)
	}
	var sql string
	if len(in.part) > 0 {
		sql = "SELECT * FROM " + in.name + " QUALIFY row_number() OVER (PARTITION BY " + partList(in) + " " + orderClause(in.order) + ") <= " + lim
	} else {
		sql = "SELECT * FROM " + in.name
		if in.order != nil {
			sql += " " + orderClause(in.order)
		}
		sql += " LIMIT " + lim
	}
	out := c.stage(label, sql, in.cols)
	out.order, out.open, out.part, out.known = in.order, in.open, in.part, in.known
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func partList(in *rel) string {
	parts := make([]string, len(in.part))
	for i, p := range in.part {
		parts[i] = quoteIdent(p)
	}
	return join(parts)
}

// sortKeys lowers sort keys: desc (the default) puts nulls last, asc puts
// them first, unless nulls first/last says otherwise.
func (c *compiler) sortKeys(keys []*kql.SortKey, in *rel) *ordering {
	o := &ordering{}
	for _, k := range keys {
		if _, ok := unparen(k.X).(*kql.Literal); ok {
			// Sorting by a constant changes nothing, and DuckDB would read
			// an integer as a column position.
			continue
		}
		v := c.expr(k.X, ectx{order: in.order})
		dir := "DESC"
		nulls := "LAST"
		if strings.EqualFold(k.Order, "asc") {
			dir, nulls = "ASC", "FIRST"
		}
		switch strings.ToLower(k.Nulls) {
		case "first":
			nulls = "FIRST"
		case "last":
			nulls = "LAST"
		}
		o.keys = append(o.keys, v+" "+dir+" NULLS "+nulls)
		o.deps = append(o.deps, columnsRead(k.X)...)
	}
	return o
}

func (c *compiler) sort(x *kql.SortOp, in *rel) *rel {
	o := c.sortKeys(x.By, in)
	if len(o.keys) == 0 {
		return in
	}
	out := c.stage("sort", "SELECT * FROM "+in.name+" "+orderClause(o), in.cols)
	out.order, out.open, out.part, out.known = o, in.open, in.part, in.known
	return out
}

func (c *compiler) top(x *kql.TopOp, in *rel) *rel {
	o := c.sortKeys([]*kql.SortKey{x.By}, in)
	if len(o.keys) == 0 {
		o = nil
	}
	lim := c.expr(x.N, ectx{})
	if l, ok := unparen(x.N).(*kql.Literal); ok {
		lim = literal(l, true)
	}
	var sql string
	if len(in.part) > 0 {
		sql = "SELECT * FROM " + in.name + " QUALIFY row_number() OVER (PARTITION BY " + partList(in) + " " + orderClause(o) + ") <= " + lim
	} else {
		sql = "SELECT * FROM " + in.name + " " + orderClause(o) + " LIMIT " + lim
	}
	out := c.stage("top", sql, in.cols)
	out.order, out.open, out.part, out.known = o, in.open, in.part, in.known
	return out
}

func (c *compiler) getschema(x *kql.GetSchemaOp, in *rel) *rel {
	var rows []string
	for i, col := range in.cols {
		rows = append(rows, fmt.Sprintf("(%s, %d, %s, %s)", quoteString(col.Name), i,
			quoteString(dotnetType(col.Type)), quoteString(string(col.Type))))
	}
	cols := c.schemaCols(x)
	if len(rows) == 0 {
		return c.stage("getschema", "SELECT '' AS \"ColumnName\", 0 AS \"ColumnOrdinal\", '' AS \"DataType\", '' AS \"ColumnType\" WHERE FALSE", cols)
	}
	sql := "SELECT * FROM (VALUES " + join(rows) + ") AS t(\"ColumnName\", \"ColumnOrdinal\", \"DataType\", \"ColumnType\")"
	return c.stage("getschema", sql, cols)
}

// dotnetType is the DataType getschema reports.
func dotnetType(t catalog.Type) string {
	switch t {
	case catalog.String:
		return "System.String"
	case catalog.Int:
		return "System.Int32"
	case catalog.Long:
		return "System.Int64"
	case catalog.Real:
		return "System.Double"
	case catalog.Decimal:
		return "System.Data.SqlTypes.SqlDecimal"
	case catalog.Bool:
		return "System.SByte"
	case catalog.Datetime:
		return "System.DateTime"
	case catalog.Timespan:
		return "System.TimeSpan"
	case catalog.GUID:
		return "System.Guid"
	case catalog.Dynamic:
		return "System.Object"
	}
	return "System.Object"
}

func itoa(i int) string { return strconv.Itoa(i) }
