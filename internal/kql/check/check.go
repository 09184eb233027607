// Package check resolves the names of a parsed KQL query against a catalog,
// infers the type of every expression and the schema of every pipeline
// stage, and enforces the guard's query policy.
//
// Check works on a copy of the syntax tree and rewrites it so that the code
// generators see only what they must translate: a reference to a let-bound
// scalar or tabular name is replaced by the bound expression (the same node
// wherever it is used, so a back end can compute it once), a call of a
// user-defined function is replaced by its body with the arguments bound,
// and a name assigned earlier in the same extend or project is replaced by
// its expression. After Check every identifier in a scalar position names a
// column of the operator's input, and every identifier in a tabular
// position names a catalog table.
//
// Names are case-sensitive, as in Kusto. Errors carry stable codes
// (kql.unknown_table, kql.unknown_column, kql.unknown_function,
// kql.type_mismatch, kql.unsupported, kql.policy, kql.limit) and the span of
// the offending text; Check collects up to Options.MaxErrors of them.
package check

import (
	"fmt"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Options configure Check.
type Options struct {
	// Catalog resolves table names; nil means catalog.Default().
	Catalog *catalog.Catalog
	// Now is the reference time of ago() and now(); zero means the wall clock.
	// A "set query_now = datetime(…)" statement overrides it.
	Now time.Time
	// Policy is the guard's query policy; nil allows every catalog table and
	// column and injects no row cap.
	Policy *Policy
	// MaxErrors caps the errors collected; 0 means 20.
	MaxErrors int
	// MaxExpansions caps how many user-function expansions and let
	// substitutions one query may make; 0 means 2000.
	MaxExpansions int
}

// Notice is something the user should know that is not an error, such as
// "render is ignored".
type Notice struct {
	Span kql.Span
	Msg  string
}

// Checked is a query that passed the checker, with everything a code
// generator needs.
type Checked struct {
	// Query is the rewritten copy of the query.
	Query *kql.Query
	// Body is the tabular expression whose result is the query's result
	// (the row cap, when the policy has one, is not part of it).
	Body kql.Expr
	// Result is the schema of Body.
	Result *Schema
	// Now is the reference time for ago() and now().
	Now time.Time
	// RowCap is the policy's row cap (0 for none); back ends apply it as a
	// final take.
	RowCap int
	// Notices are things to tell the user, in source order.
	Notices []Notice

	types   map[kql.Expr]catalog.Type
	schemas map[kql.Node]*Schema
	calls   map[*kql.CallExpr]*Func
	names   map[*kql.NamedExpr][]string
	info    map[kql.Node]any
	tables  map[*kql.Ident]*catalog.Table
}

// TypeOf returns the KQL type of a checked scalar expression (Unknown for
// nodes the checker did not type).
func (c *Checked) TypeOf(e kql.Expr) catalog.Type { return c.types[e] }

// SchemaOf returns the output schema of a checked tabular expression or
// pipeline operator.
func (c *Checked) SchemaOf(n kql.Node) *Schema { return c.schemas[n] }

// Func returns the function a call resolved to.
func (c *Checked) Func(call *kql.CallExpr) *Func { return c.calls[call] }

// Names returns the output column names chosen for an item of extend,
// project, summarize, distinct, serialize, print or make-series (several for
// arg_max(…, *) and percentiles).
func (c *Checked) Names(ne *kql.NamedExpr) []string { return c.names[ne] }

// Info returns the operator-specific resolution of a node: *JoinInfo for
// join and lookup, *UnionInfo for union and search sources, *SummarizeInfo,
// *MvExpandInfo, *ParseInfo, *BagUnpackInfo, *MakeSeriesInfo.
func (c *Checked) Info(n kql.Node) any { return c.info[n] }

// Table returns the catalog table an identifier in a tabular position names.
func (c *Checked) Table(id *kql.Ident) (*catalog.Table, bool) {
	t, ok := c.tables[id]
	return t, ok
}

// checker holds the state of one Check run.
type checker struct {
	opt    Options
	cat    *catalog.Catalog
	out    *Checked
	errs   kql.ErrorList
	budget int // expansions left
	depth  int // nesting of user-function expansions
	// classifying holds the functions whose result kind is being judged,
	// so that a function that calls itself does not recurse forever.
	classifying map[*kql.FuncExpr]bool
}

const maxDepth = 64

// Check checks q. On failure the error is a kql.ErrorList holding every
// problem found (up to Options.MaxErrors), in source order.
func Check(q *kql.Query, opt Options) (ch *Checked, err error) {
	if opt.Catalog == nil {
		opt.Catalog = catalog.Default()
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now().UTC()
	}
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = 20
	}
	if opt.MaxExpansions <= 0 {
		opt.MaxExpansions = 2000
	}
	cat := opt.Catalog
	if opt.Policy != nil {
		cat = opt.Policy.restrict(cat)
	}
	c := &checker{opt: opt, cat: cat, budget: opt.MaxExpansions, out: &Checked{
		Now:     opt.Now.UTC(),
		types:   map[kql.Expr]catalog.Type{},
		schemas: map[kql.Node]*Schema{},
		calls:   map[*kql.CallExpr]*Func{},
		names:   map[*kql.NamedExpr][]string{},
		info:    map[kql.Node]any{},
		tables:  map[*kql.Ident]*catalog.Table{},
	}}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(tooMany); ok {
				ch, err = nil, c.errs
				return
			}
			ch = nil
			err = kql.ErrorList{{Code: kql.CodeInternal, Msg: fmt.Sprintf("checker failed: %v", r),
				Hint: "this is a bug in sleuth; please report it with the query"}}
		}
	}()
	if q == nil {
		return nil, kql.ErrorList{{Code: kql.CodeSyntax, Msg: "empty query"}}
	}
	c.query(clone(q))
	if len(c.errs) > 0 {
		sortErrors(c.errs)
		return nil, c.errs
	}
	return c.out, nil
}

func (c *checker) query(q *kql.Query) {
	c.out.Query = q
	sc := newScope(nil)
	var body kql.Expr
	var bodySchema *Schema
	for _, st := range q.Stmts {
		switch s := st.(type) {
		case *kql.LetStmt:
			c.let(s, sc)
		case *kql.SetStmt:
			c.set(s)
		case *kql.ExprStmt:
			if body != nil {
				c.errorf(kql.CodeUnsupported, s, "", "a query with several result sets is not supported; found a second tabular expression")
				continue
			}
			if !c.isTabular(s.X, sc) && !isNameOrCall(s.X, sc) {
				c.errorf(kql.CodeUnsupported, s.X, "start the query with a table name, such as SigninLogs | …", "a query must end with a tabular expression; found a scalar expression")
				body = s.X
				continue
			}
			s.X, bodySchema = c.tabular(s.X, sc)
			body = s.X
		}
	}
	if body == nil {
		c.errorf(kql.CodeSyntax, q, "end the query with a tabular expression, such as a table name", "the query has no tabular expression")
		return
	}
	if bodySchema == nil {
		bodySchema = &Schema{}
	}
	c.out.Body = body
	c.out.Result = bodySchema
	if c.opt.Policy != nil {
		c.out.RowCap = c.opt.Policy.MaxRows
	}
}

// set handles "set name = value;" request properties. query_now sets the
// reference time; the others change nothing here and are reported. A guard
// policy refuses every option it does not allow.
func (c *checker) set(s *kql.SetStmt) {
	name := s.Name.Name
	if c.opt.Policy != nil && !c.opt.Policy.allowsOption(name) {
		c.errorf(kql.CodePolicy, s, "remove the set statement", "the query policy does not allow 'set %s'", name)
		return
	}
	if name == "query_now" && s.Value != nil {
		v := c.expr(s.Value, newScope(nil))
		if lit, ok := constValue(v).(time.Time); ok {
			c.out.Now = lit.UTC()
			return
		}
		c.errorf(kql.CodeTypeMismatch, s.Value, "write set query_now = datetime(2024-05-01T12:00:00Z);", "query_now must be a datetime literal")
		return
	}
	c.notice(s, "set %s is ignored by the embedded store", name)
}

// isNameOrCall reports whether a final statement is a bare name or a call
// of a user function: it is checked as a table, so that an unknown name is
// reported as an unknown table.
func isNameOrCall(e kql.Expr, sc *scope) bool {
	switch x := e.(type) {
	case *kql.Ident:
		b := sc.lookup(x.Name)
		return b == nil || b.scalar == nil
	case *kql.CallExpr:
		b := sc.lookup(x.Fn.Name)
		return b != nil && b.fn != nil
	}
	return false
}

type tooMany struct{}

// errorf records an error at node n.
func (c *checker) errorf(code string, n kql.Node, hint, format string, args ...any) {
	var sp kql.Span
	if n != nil {
		sp = n.NodeSpan()
	}
	c.errs = append(c.errs, &kql.Error{Code: code, Span: sp, Msg: fmt.Sprintf(format, args...), Hint: hint})
	if len(c.errs) >= c.opt.MaxErrors {
		panic(tooMany{})
	}
}

func (c *checker) notice(n kql.Node, format string, args ...any) {
	c.out.Notices = append(c.out.Notices, Notice{Span: n.NodeSpan(), Msg: fmt.Sprintf(format, args...)})
}

// spend takes one expansion from the budget; false means the query is too
// large (or a function calls itself).
func (c *checker) spend(n kql.Node) bool {
	c.budget--
	if c.budget < 0 {
		if c.budget == -1 {
			c.errorf(kql.CodeLimit, n, "simplify the query or reduce the use of let-bound functions", "the query expands to too many let substitutions and function calls (more than %d)", c.opt.MaxExpansions)
		}
		return false
	}
	return true
}

func sortErrors(l kql.ErrorList) {
	// Insertion sort keeps errors at the same position in discovery order.
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && l[j].Span.Start < l[j-1].Span.Start; j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
}

func (c *checker) setType(e kql.Expr, t catalog.Type) catalog.Type {
	c.out.types[e] = t
	return t
}

func (c *checker) typeOf(e kql.Expr) catalog.Type { return c.out.types[e] }
