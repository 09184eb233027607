package esql

import (
	"fmt"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// CodeUnsupported is the error code of a construct ES|QL cannot express.
const CodeUnsupported = "esql.unsupported"

// MaxLimit is the largest result ES|QL returns by default
// (esql.query.result_truncation_max_size); a query without LIMIT gets
// only 1,000 rows, so Compile always ends with one.
const MaxLimit = 10_000

// Options configure Compile.
type Options struct {
	// Indices maps each catalog table to the index pattern it lives in.
	Indices map[string]string
	// Fields maps, per table, catalog columns to Elasticsearch field names
	// where they differ; those fields are renamed right after FROM.
	Fields map[string]map[string]string
	// Objects lists, per table, the catalog columns that are object
	// fields in Elasticsearch: ES|QL has no column for an object, only for
	// its leaves, so keeping one keeps Col.* (and Col.a reads a leaf).
	Objects map[string][]string
	// NonText lists, per table, the string columns that are not text in
	// Elasticsearch (ip, version, …): the string functions and LIKE take
	// only keyword and text, so those columns are converted first.
	NonText map[string][]string
	// Limit is the final LIMIT; 0 means MaxLimit.
	Limit int
}

// Result is a compiled query.
type Result struct {
	// Text is the ES|QL query, one command a line.
	Text string
	// Columns is the result schema the checker inferred.
	Columns []check.Column
	// Notices are things the user should know (render ignored, …).
	Notices []string
}

// Compile translates a checked query to ES|QL. A construct ES|QL cannot
// express fails with an *kql.Error of code esql.unsupported naming it.
func Compile(ch *check.Checked, opt Options) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*kql.Error); ok {
				res, err = nil, e
				return
			}
			res, err = nil, &kql.Error{Code: kql.CodeInternal, Msg: fmt.Sprintf("ES|QL compiler failed: %v", r),
				Hint: "this is a bug in sleuth; please report it with the query"}
		}
	}()
	if ch == nil || ch.Body == nil {
		return nil, &kql.Error{Code: kql.CodeInternal, Msg: "nothing to compile"}
	}
	c := &compiler{ch: ch, opt: opt}
	for _, n := range ch.Notices {
		c.notices = append(c.notices, n.Msg)
	}
	table, ops := c.flatten(ch.Body)
	c.source(table)
	for _, op := range ops {
		c.op(op)
	}
	limit := opt.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	c.emit("LIMIT %d", limit)
	return &Result{Text: strings.Join(c.cmds, "\n| "), Columns: ch.Result.Columns, Notices: c.notices}, nil
}

// compiler holds the state of one compilation.
type compiler struct {
	ch      *check.Checked
	opt     Options
	cmds    []string
	notices []string
	temp    int
	// alias maps columns an EVAL overwrites to the temporaries holding
	// their input values, while that EVAL is being written.
	alias map[string]string
	// inAgg is set inside an aggregate item of summarize.
	inAgg bool
	// objects are the object columns of the query's table, nonText its
	// string columns of other Elasticsearch types.
	objects map[string]bool
	nonText map[string]bool
}

func (c *compiler) emit(format string, args ...any) {
	c.cmds = append(c.cmds, fmt.Sprintf(format, args...))
}

// unsupported stops the compilation with esql.unsupported at n.
func unsupported(n kql.Node, hint, format string, args ...any) {
	var sp kql.Span
	if n != nil {
		sp = n.NodeSpan()
	}
	panic(&kql.Error{Code: CodeUnsupported, Span: sp, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// flatten turns the query into one table and the operators applied to it
// in order. ES|QL commands run one after the other, so a parenthesised
// pipeline used as a source ((T | where …) | …) is the same as its
// operators followed by the outer ones.
func (c *compiler) flatten(e kql.Expr) (*kql.Ident, []kql.Operator) {
	switch x := e.(type) {
	case *kql.Ident:
		return x, nil
	case *kql.ParenExpr:
		return c.flatten(x.X)
	case *kql.PipeExpr:
		t, ops := c.flatten(x.Source)
		return t, append(ops, x.Ops...)
	case *kql.UnionExpr:
		unsupported(x, "query one table at a time", "union is not supported by ES|QL")
	case *kql.DatatableExpr:
		unsupported(x, "", "datatable is not supported by ES|QL")
	case *kql.PrintExpr:
		unsupported(x, "", "print is not supported by ES|QL")
	case *kql.RangeExpr:
		unsupported(x, "", "range is not supported by ES|QL")
	case *kql.SearchExpr:
		unsupported(x, "use where with has or contains on named columns", "search is not supported by ES|QL")
	}
	unsupported(e, "", "this tabular expression is not supported by ES|QL")
	return nil, nil
}

// source emits FROM, the renames of fields whose names differ from the
// catalog's, and a KEEP of the catalog's columns so that the result has
// the table's schema rather than every field of the index.
func (c *compiler) source(id *kql.Ident) {
	t, ok := c.ch.Table(id)
	if !ok {
		unsupported(id, "", "'%s' is not a table", id.Name)
	}
	index := c.opt.Indices[t.Name]
	if index == "" {
		unsupported(id, "map it to an index pattern under indices: in the source's config", "table %s has no Elasticsearch index", t.Name)
	}
	c.emit("FROM %s", index)
	c.objects, c.nonText = map[string]bool{}, map[string]bool{}
	for _, o := range c.opt.Objects[t.Name] {
		c.objects[o] = true
	}
	for _, o := range c.opt.NonText[t.Name] {
		c.nonText[o] = true
	}
	if fields := c.opt.Fields[t.Name]; len(fields) > 0 {
		var renames []string
		for _, col := range c.ch.SchemaOf(id).Columns {
			if f, ok := fields[col.Name]; ok && f != col.Name {
				renames = append(renames, ident(f)+" AS "+ident(col.Name))
			}
		}
		if len(renames) > 0 {
			c.emit("RENAME %s", strings.Join(renames, ", "))
		}
	}
	c.emit("KEEP %s", c.keepList(schemaNames(c.ch.SchemaOf(id))))
}

// keepList renders the columns of a KEEP, an object column as all its leaves.
func (c *compiler) keepList(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		if c.objects[n] {
			out[i] = pattern(n + ".*")
			continue
		}
		out[i] = ident(n)
	}
	return strings.Join(out, ", ")
}

func schemaNames(s *check.Schema) []string {
	if s == nil {
		return nil
	}
	return s.Names()
}

// pattern renders a name pattern with * wildcards. ES|QL reads a pattern
// only unquoted (a quoted * is a literal), as dot-separated plain parts.
func pattern(p string) string {
	for _, part := range strings.Split(p, ".") {
		if !isPlain(strings.ReplaceAll(part, "*", "x")) && part != "*" {
			unsupported(nil, "rename the columns to plain names first", "the column pattern %q cannot be written in ES|QL", p)
		}
	}
	return p
}

// op emits one operator.
func (c *compiler) op(op kql.Operator) {
	switch x := op.(type) {
	case *kql.WhereOp:
		c.emit("WHERE %s", c.pred(x.Pred, false))
	case *kql.ExtendOp:
		c.eval(x.Cols)
	case *kql.ProjectOp:
		c.project(x)
	case *kql.ProjectAwayOp:
		c.emit("DROP %s", c.patterns(x.Cols))
	case *kql.ProjectKeepOp:
		c.emit("KEEP %s", c.patterns(x.Cols))
	case *kql.ProjectRenameOp:
		var parts []string
		for _, r := range x.Cols {
			parts = append(parts, ident(r.Old.Name)+" AS "+ident(r.New.Name))
		}
		c.emit("RENAME %s", strings.Join(parts, ", "))
	case *kql.ProjectReorderOp:
		c.reorder(x)
	case *kql.SummarizeOp:
		c.summarize(x)
	case *kql.CountOp:
		c.emit("STATS Count = COUNT(*)")
	case *kql.DistinctOp:
		c.distinct(x)
	case *kql.TakeOp:
		c.emit("LIMIT %d", c.count(x.N, "take"))
	case *kql.TopOp:
		c.sort([]*kql.SortKey{x.By})
		c.emit("LIMIT %d", c.count(x.N, "top"))
	case *kql.SortOp:
		c.sort(x.By)
	case *kql.RenderOp:
		// The checker has already noted that render is ignored.
	case *kql.AsOp:
		// Naming the result changes nothing in a single pipeline.
	case *kql.SerializeOp:
		if len(x.Cols) > 0 {
			unsupported(x, "", "serialize with window functions is not supported by ES|QL")
		}
	default:
		c.unsupportedOp(op)
	}
}

func (c *compiler) unsupportedOp(op kql.Operator) {
	name, hint := "this operator", ""
	switch op.(type) {
	case *kql.JoinOp:
		name, hint = "join", "run the two sides as separate queries, or hunt this on the embedded store"
	case *kql.LookupOp:
		name = "lookup"
	case *kql.UnionOp:
		name, hint = "union", "query one table at a time"
	case *kql.MvExpandOp:
		name = "mv-expand"
	case *kql.MvApplyOp:
		name = "mv-apply"
	case *kql.ParseOp:
		name, hint = "parse", "extract with where … contains, or parse the field at ingest"
	case *kql.EvaluateOp:
		name = "evaluate"
	case *kql.MakeSeriesOp:
		name, hint = "make-series", "use summarize … by bin(TimeGenerated, 1h)"
	case *kql.SearchOp:
		name = "search"
	case *kql.SampleOp:
		name = "sample"
	case *kql.GetSchemaOp:
		name = "getschema"
	case *kql.InvokeOp:
		name = "invoke"
	}
	unsupported(op, hint, "%s is not supported by ES|QL", name)
}

// count reads the row count of take and top, a constant.
func (c *compiler) count(e kql.Expr, what string) int64 {
	if l, ok := kql.Unparen(e).(*kql.Literal); ok {
		if n, ok := l.Value.(int64); ok && n >= 0 {
			return n
		}
	}
	unsupported(e, "", "the row count of %s must be a constant for ES|QL", what)
	return 0
}

// patterns renders column names and wildcard patterns for KEEP and DROP;
// ES|QL patterns use * as KQL's do.
func (c *compiler) patterns(ids []*kql.Ident) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		switch {
		case c.objects[id.Name]:
			out[i] = pattern(id.Name + ".*")
		case strings.Contains(id.Name, "*"):
			out[i] = pattern(id.Name)
		default:
			out[i] = ident(id.Name)
		}
	}
	return strings.Join(out, ", ")
}
