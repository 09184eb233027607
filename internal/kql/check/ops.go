package check

import (
	"regexp"
	"sort"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// op checks one pipeline operator on an input with schema in and returns
// its output schema (never nil).
func (c *checker) op(op kql.Operator, in *Schema, sc *scope) *Schema {
	out := c.op1(op, in, sc)
	if out == nil {
		out = in
	}
	if out != in {
		c.checkClash(op, out)
	}
	return out
}

func (c *checker) op1(op kql.Operator, in *Schema, sc *scope) *Schema {
	switch x := op.(type) {
	case *kql.WhereOp:
		return c.where(x, in, sc)
	case *kql.ExtendOp:
		return c.extend(x, x.Cols, in, sc)
	case *kql.SerializeOp:
		return c.extend(x, x.Cols, in, sc)
	case *kql.ProjectOp:
		return c.project(x, in, sc)
	case *kql.ProjectAwayOp:
		return c.projectAway(x, in)
	case *kql.ProjectKeepOp:
		return c.projectKeep(x, in)
	case *kql.ProjectRenameOp:
		return c.projectRename(x, in)
	case *kql.ProjectReorderOp:
		return c.projectReorder(x, in)
	case *kql.SummarizeOp:
		return c.summarize(x, in, sc)
	case *kql.CountOp:
		return &Schema{Columns: []Column{{Name: "Count", Type: catalog.Long}}}
	case *kql.DistinctOp:
		return c.distinct(x, in, sc)
	case *kql.TakeOp:
		x.N = c.rowCount(x.N, sc, "take")
		return in
	case *kql.SampleOp:
		x.N = c.rowCount(x.N, sc, "sample")
		return in
	case *kql.TopOp:
		x.N = c.rowCount(x.N, sc, "top")
		c.sortKeys([]*kql.SortKey{x.By}, in, sc)
		return in
	case *kql.SortOp:
		c.sortKeys(x.By, in, sc)
		return in
	case *kql.JoinOp:
		return c.join(x, in, sc)
	case *kql.LookupOp:
		return c.lookup(x, in, sc)
	case *kql.UnionOp:
		return c.union(x, x.Params, in, x.Tables, sc)
	case *kql.MvExpandOp:
		return c.mvExpand(x, in, sc)
	case *kql.MvApplyOp:
		return c.mvApply(x, in, sc)
	case *kql.ParseOp:
		return c.parse(x, in, sc)
	case *kql.EvaluateOp:
		return c.evaluate(x, in, sc)
	case *kql.MakeSeriesOp:
		return c.makeSeries(x, in, sc)
	case *kql.SearchOp:
		return c.searchOp(x, in, sc)
	case *kql.AsOp:
		return in
	case *kql.RenderOp:
		c.notice(x, "render is ignored: sleuth returns the rows, not a chart")
		return in
	case *kql.GetSchemaOp:
		if in.Open {
			c.errorf(kql.CodeUnsupported, x, "", "getschema after bag_unpack is not supported")
		}
		return &Schema{Columns: []Column{
			{Name: "ColumnName", Type: catalog.String}, {Name: "ColumnOrdinal", Type: catalog.Int},
			{Name: "DataType", Type: catalog.String}, {Name: "ColumnType", Type: catalog.String},
		}}
	case *kql.InvokeOp:
		c.errorf(kql.CodeInternal, x, "", "invoke was not expanded")
		return in
	}
	c.errorf(kql.CodeUnsupported, op, "", "this operator is not supported by the embedded store")
	return in
}

func (c *checker) where(x *kql.WhereOp, in *Schema, sc *scope) *Schema {
	x.Pred = c.expr(x.Pred, sc.rowScope(in))
	if t := c.typeOf(x.Pred); t != Unknown && t != catalog.Bool && t != catalog.Dynamic {
		c.errorf(kql.CodeTypeMismatch, x.Pred, "compare it with a value, e.g. "+exampleCompare(t), "where needs a bool predicate, found %s", t)
	}
	return in
}

func exampleCompare(t catalog.Type) string {
	switch t {
	case catalog.String:
		return `Col == "value" or isnotempty(Col)`
	case catalog.Datetime:
		return "Col > ago(1d)"
	}
	return "Col > 0"
}

// itemNames returns the output names of an extend/project/summarize item:
// the written names, the expression's own name, or the next ColumnN.
func (c *checker) itemNames(ne *kql.NamedExpr, nm *namer) []string {
	if len(ne.Names) > 0 {
		out := make([]string, len(ne.Names))
		for i, n := range ne.Names {
			out[i] = n.Name
		}
		return out
	}
	if n := autoName(ne.X); n != "" {
		return []string{n}
	}
	return []string{nm.next()}
}

// extend adds or replaces columns; later items see earlier ones.
func (c *checker) extend(op kql.Operator, cols []*kql.NamedExpr, in *Schema, sc *scope) *Schema {
	out := in.copy()
	r := sc.rowScope(in)
	r.locals = map[string]kql.Expr{}
	nm := &namer{taken: func(n string) bool { return out.Index(n) >= 0 }}
	for _, ne := range cols {
		ne.X = c.expr(ne.X, r)
		names := c.itemNames(ne, nm)
		if len(names) != 1 {
			c.errorf(kql.CodeUnsupported, ne, "assign each value on its own", "assigning several columns at once is not supported")
			continue
		}
		if out.Open && len(ne.Names) == 0 && autoName(ne.X) == "" {
			c.errorf(kql.CodeUnsupported, ne, "name the column: extend Name = …", "an unnamed extend after bag_unpack is not supported")
		}
		out.set(names[0], c.typeOf(ne.X))
		r.locals[names[0]] = ne.X
		c.out.names[ne] = names
	}
	return out
}

// project keeps and computes exactly the listed columns.
func (c *checker) project(x *kql.ProjectOp, in *Schema, sc *scope) *Schema {
	out := &Schema{}
	r := sc.rowScope(in)
	r.locals = map[string]kql.Expr{}
	nm := &namer{taken: func(n string) bool { return out.Index(n) >= 0 || in.Index(n) >= 0 }}
	for _, ne := range x.Cols {
		ne.X = c.expr(ne.X, r)
		names := c.itemNames(ne, nm)
		if len(names) != 1 {
			c.errorf(kql.CodeUnsupported, ne, "assign each value on its own", "assigning several columns at once is not supported")
			continue
		}
		if out.Index(names[0]) >= 0 {
			c.errorf(kql.CodeTypeMismatch, ne, "give one of them another name with Name = …", "column '%s' is projected twice", names[0])
			continue
		}
		out.Columns = append(out.Columns, Column{Name: names[0], Type: c.typeOf(ne.X)})
		r.locals[names[0]] = ne.X
		c.out.names[ne] = names
	}
	return out
}

// matchColumns returns the columns of in matching a project-away/keep
// pattern, reporting a plain name that matches nothing.
func (c *checker) matchColumns(id *kql.Ident, in *Schema) []string {
	var out []string
	for _, col := range in.Columns {
		if wildcardMatch(id.Name, col.Name) {
			out = append(out, col.Name)
		}
	}
	if len(out) == 0 && !isWildcard(id.Name) && !in.Open {
		c.errorf(kql.CodeUnknownColumn, id, suggestHint(id.Name, in.Names(), ""), "column '%s' not found", id.Name)
	}
	return out
}

func (c *checker) projectAway(x *kql.ProjectAwayOp, in *Schema) *Schema {
	drop := map[string]bool{}
	for _, id := range x.Cols {
		for _, n := range c.matchColumns(id, in) {
			drop[n] = true
		}
		if in.Open && !isWildcard(id.Name) && in.Index(id.Name) < 0 {
			in.Unpack.Known = appendUnique(in.Unpack.Known, id.Name)
			drop[id.Name] = true
		}
	}
	out := &Schema{Open: in.Open, Unpack: in.Unpack}
	for _, col := range in.Columns {
		if !drop[col.Name] {
			out.Columns = append(out.Columns, col)
		}
	}
	c.out.info[x] = &DropInfo{Names: keys(drop)}
	return out
}

// DropInfo lists the columns project-away removes (for open schemas).
type DropInfo struct{ Names []string }

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func (c *checker) projectKeep(x *kql.ProjectKeepOp, in *Schema) *Schema {
	keep := map[string]bool{}
	for _, id := range x.Cols {
		for _, n := range c.matchColumns(id, in) {
			keep[n] = true
		}
	}
	out := &Schema{}
	for _, col := range in.Columns {
		if keep[col.Name] {
			out.Columns = append(out.Columns, col)
		}
	}
	return out
}

func (c *checker) projectRename(x *kql.ProjectRenameOp, in *Schema) *Schema {
	out := in.copy()
	for _, rn := range x.Cols {
		i := out.Index(rn.Old.Name)
		if i < 0 {
			c.errorf(kql.CodeUnknownColumn, rn.Old, suggestHint(rn.Old.Name, in.Names(), ""), "column '%s' not found", rn.Old.Name)
			continue
		}
		if j := out.Index(rn.New.Name); j >= 0 && j != i {
			c.errorf(kql.CodeTypeMismatch, rn.New, "project it away first, or pick another name", "column '%s' already exists", rn.New.Name)
			continue
		}
		out.Columns[i].Name = rn.New.Name
	}
	return out
}

func (c *checker) projectReorder(x *kql.ProjectReorderOp, in *Schema) *Schema {
	out := &Schema{Open: in.Open, Unpack: in.Unpack}
	used := map[string]bool{}
	for _, rc := range x.Cols {
		var group []Column
		for _, n := range c.matchColumns(rc.Name, in) {
			if !used[n] {
				used[n] = true
				col, _ := in.Lookup(n)
				group = append(group, col)
			}
		}
		switch rc.Order {
		case "asc", "granny-asc":
			sortColumns(group, false)
		case "desc", "granny-desc":
			sortColumns(group, true)
		}
		out.Columns = append(out.Columns, group...)
	}
	for _, col := range in.Columns {
		if !used[col.Name] {
			out.Columns = append(out.Columns, col)
		}
	}
	return out
}

func (c *checker) distinct(x *kql.DistinctOp, in *Schema, sc *scope) *Schema {
	if len(x.Cols) == 1 {
		if _, star := x.Cols[0].(*kql.StarExpr); star {
			if in.Open {
				c.errorf(kql.CodeUnsupported, x, "project the columns you need first", "distinct * after bag_unpack is not supported")
			}
			c.out.info[x] = &DistinctInfo{Star: true, Names: in.Names()}
			return in.copy()
		}
	}
	out := &Schema{}
	r := sc.rowScope(in)
	nm := &namer{taken: func(n string) bool { return out.Index(n) >= 0 }}
	info := &DistinctInfo{}
	for i, e := range x.Cols {
		e = c.expr(e, r)
		x.Cols[i] = e
		name := autoName(e)
		if name == "" {
			name = nm.next()
		}
		if out.Index(name) >= 0 {
			c.errorf(kql.CodeTypeMismatch, e, "", "column '%s' is listed twice", name)
			continue
		}
		info.Names = append(info.Names, name)
		out.Columns = append(out.Columns, Column{Name: name, Type: c.typeOf(e)})
	}
	c.out.info[x] = info
	return out
}

// DistinctInfo names the output columns of distinct, in order.
type DistinctInfo struct {
	Star  bool
	Names []string
}

// rowCount checks the N of take, top and sample: a constant integer.
func (c *checker) rowCount(n kql.Expr, sc *scope, op string) kql.Expr {
	n = c.expr(n, newScope(sc))
	if v, ok := constInt(n); !ok || v < 0 {
		if t := c.typeOf(n); t != Unknown {
			c.errorf(kql.CodeTypeMismatch, n, "", "the row count of %s must be a constant non-negative integer", op)
		}
	}
	return n
}

func (c *checker) sortKeys(keys []*kql.SortKey, in *Schema, sc *scope) {
	r := sc.rowScope(in)
	for _, k := range keys {
		k.X = c.expr(k.X, r)
	}
}

// checkRegex reports a regular expression RE2 (DuckDB's and Kusto's
// engine) rejects.
func (a *call) checkRegex(i int) {
	s, _ := constString(a.arg(i))
	if err := CheckRegex(s); err != nil {
		a.c.errorf(kql.CodeSyntax, a.arg(i), "", "invalid regular expression: %s", err)
	}
}

// CheckRegex validates a regular expression with RE2 syntax.
func CheckRegex(s string) error {
	_, err := regexp.Compile(s)
	if err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "error parsing regexp: ")
		return errString(msg)
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

func sortStrings(s []string) { sort.Strings(s) }

func sortColumns(cols []Column, desc bool) {
	sort.SliceStable(cols, func(i, j int) bool {
		if desc {
			return cols[i].Name > cols[j].Name
		}
		return cols[i].Name < cols[j].Name
	})
}
