package check

import (
	"fmt"
	"sort"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// FuncKind says where a function may be called.
type FuncKind int

// Function kinds.
const (
	Scalar    FuncKind = iota // anywhere a value is expected
	Aggregate                 // in summarize and make-series
	Window                    // row_number, prev, next, row_cumsum: over the serialized row order
)

// Func is a built-in function a call resolved to.
type Func struct {
	// Name is the canonical KQL name (aliases such as makeset, iif and
	// todouble resolve to make_set, iff and toreal).
	Name string
	Kind FuncKind
	// Alias is the name the query used, when it differs from Name.
	Alias string

	min, max int                        // arity; max -1 is unbounded
	typer    func(a *call) catalog.Type // checks the arguments and types the result
	raw      bool                       // the typer checks its own arguments (stars, tables, names)
	prefix   string                     // aggregates: the output name prefix, when not Name
}

// call is a function call being checked.
type call struct {
	c  *checker
	x  *kql.CallExpr
	sc *scope
	fn *Func
}

func (a *call) n() int               { return len(a.x.Args) }
func (a *call) arg(i int) kql.Expr   { return a.x.Args[i] }
func (a *call) t(i int) catalog.Type { return a.c.typeOf(a.x.Args[i]) }
func (a *call) has(i int) bool       { return i < len(a.x.Args) }
func (a *call) name() string         { return a.x.Fn.Name }
func (a *call) errorf(i int, f string, args ...any) {
	var n kql.Node = a.x
	if i >= 0 && i < len(a.x.Args) {
		n = a.x.Args[i]
	}
	a.c.errorf(kql.CodeTypeMismatch, n, "", f, args...)
}

// want checks that argument i (when present) has a type satisfying ok.
func (a *call) want(i int, what string, ok func(catalog.Type) bool) {
	if !a.has(i) {
		return
	}
	if t := a.t(i); t != Unknown && !ok(t) {
		a.errorf(i, "argument %d of %s must be %s, found %s", i+1, a.name(), what, t)
	}
}

// constStr returns argument i as a string constant, reporting an error when
// it is not one.
func (a *call) constStr(i int) (string, bool) {
	if !a.has(i) {
		return "", false
	}
	s, ok := constString(a.arg(i))
	if !ok {
		a.c.errorf(kql.CodeUnsupported, a.arg(i), "", "argument %d of %s must be a constant string", i+1, a.name())
	}
	return s, ok
}

func (a *call) constNum(i int) (float64, bool) {
	if !a.has(i) {
		return 0, false
	}
	switch v := constValue(a.arg(i)).(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	a.c.errorf(kql.CodeUnsupported, a.arg(i), "", "argument %d of %s must be a constant number", i+1, a.name())
	return 0, false
}

var funcs = map[string]*Func{}

// aliases maps deprecated or alternative names to a canonical function and
// the output-name prefix the alias gives aggregates.
var aliases = map[string]struct{ name, prefix string }{}

func register(list ...*Func) {
	for _, f := range list {
		if _, dup := funcs[f.Name]; dup {
			panic("check: function registered twice: " + f.Name)
		}
		funcs[f.Name] = f
	}
}

func alias(name, canonical, prefix string) {
	aliases[name] = struct{ name, prefix string }{canonical, prefix}
}

// Lookup returns the built-in function with this name (or alias).
func Lookup(name string) (*Func, bool) {
	if f, ok := funcs[name]; ok {
		return f, true
	}
	if al, ok := aliases[name]; ok {
		f := *funcs[al.name]
		f.Alias = name
		if al.prefix != "" {
			f.prefix = al.prefix
		}
		return &f, true
	}
	return nil, false
}

// Funcs returns the canonical names of every built-in function, sorted.
func Funcs() []string {
	out := make([]string, 0, len(funcs))
	for n := range funcs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Aliases returns the alternative names of functions, sorted.
func Aliases() []string {
	out := make([]string, 0, len(aliases))
	for n := range aliases {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// call checks a function call: a user function is expanded, a built-in
// one is checked by its typer.
func (c *checker) call(x *kql.CallExpr, sc *scope) kql.Expr {
	if b := sc.lookup(x.Fn.Name); b != nil && b.fn != nil {
		e, sch := c.expand(x, b, sc, nil, nil)
		if sch != nil {
			c.errorf(kql.CodeTypeMismatch, x, "use toscalar(…) to turn a one-row table into a value", "function '%s' returns a table where a scalar is expected", x.Fn.Name)
		}
		return e
	}
	f, ok := Lookup(x.Fn.Name)
	if !ok {
		if c.isTabular(x, sc) {
			c.errorf(kql.CodeTypeMismatch, x, "", "'%s' returns a table where a scalar is expected", x.Fn.Name)
			return x
		}
		c.errorf(kql.CodeUnknownFunction, x.Fn, c.fnHint(x.Fn.Name, sc), "function '%s' is not defined", x.Fn.Name)
		for i, arg := range x.Args { // still check the arguments, for their own errors
			if _, star := arg.(*kql.StarExpr); !star && !c.isTabular(arg, sc) {
				x.Args[i] = c.expr(arg, sc)
			}
		}
		return x
	}
	if f.Name == "column_ifexists" {
		return c.columnIfExists(x, sc)
	}
	if n := len(x.Args); n < f.min || (f.max >= 0 && n > f.max) {
		c.errorf(kql.CodeTypeMismatch, x, "", "%s takes %s, found %d", x.Fn.Name, arity(f.min, f.max), n)
		c.setType(x, Unknown)
		return x
	}
	argSc := sc
	switch f.Kind {
	case Aggregate:
		if !sc.agg || sc.inAgg {
			c.errorf(kql.CodeTypeMismatch, x, "use it in summarize, e.g. summarize "+x.Fn.Name+"(…) by …", "%s() is an aggregate and is only allowed in summarize and make-series", x.Fn.Name)
			c.setType(x, Unknown)
			return x
		}
		cp := *sc
		cp.inAgg = true
		argSc = &cp
	case Window:
		if sc.agg {
			c.errorf(kql.CodeTypeMismatch, x, "compute it with extend after serialize or sort", "%s() is not allowed in summarize", x.Fn.Name)
		}
	}
	a := &call{c: c, x: x, sc: argSc, fn: f}
	if !f.raw {
		for i, arg := range x.Args {
			x.Args[i] = c.expr(arg, argSc)
		}
	}
	c.out.calls[x] = f
	c.setType(x, f.typer(a))
	return x
}

func arity(min, max int) string {
	switch {
	case min == max && min == 1:
		return "1 argument"
	case min == max:
		return fmt.Sprintf("%d arguments", min)
	case max < 0:
		return fmt.Sprintf("at least %d arguments", min)
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

func (c *checker) fnHint(name string, sc *scope) string {
	cands := append(Funcs(), Aliases()...)
	cands = append(cands, sc.varNames(true)...)
	return suggestHint(name, cands, "")
}

// columnIfExists resolves column_ifexists("Name", default) to the column
// when the input has it, else to the default.
func (c *checker) columnIfExists(x *kql.CallExpr, sc *scope) kql.Expr {
	if len(x.Args) != 2 {
		c.errorf(kql.CodeTypeMismatch, x, "", "%s takes 2 arguments, found %d", x.Fn.Name, len(x.Args))
		return x
	}
	x.Args[0] = c.expr(x.Args[0], newScope(sc))
	name, ok := constString(x.Args[0])
	if !ok {
		c.errorf(kql.CodeUnsupported, x.Args[0], "", "the column name of %s must be a constant string", x.Fn.Name)
		return x
	}
	if sc.row != nil {
		if _, ok := sc.row.Lookup(name); ok {
			return c.expr(&kql.Ident{Span: x.Args[0].NodeSpan(), Name: name}, sc)
		}
	}
	return c.expr(x.Args[1], sc)
}

// result-type helpers used by the typers.
func fixed(t catalog.Type) func(*call) catalog.Type { return func(*call) catalog.Type { return t } }

func isStr(t catalog.Type) bool { return stringish(t) || t.Numeric() }
func isNum(t catalog.Type) bool { return t.Numeric() || t == catalog.Dynamic }
func isDT(t catalog.Type) bool {
	return t == catalog.Datetime || t == catalog.Dynamic || t == catalog.String
}
func isSpan(t catalog.Type) bool { return t == catalog.Timespan || t == catalog.Dynamic }
func isDyn(t catalog.Type) bool  { return t == catalog.Dynamic || t == catalog.String }
func isBool(t catalog.Type) bool { return t == catalog.Bool || t == catalog.Dynamic }
func isInteger(t catalog.Type) bool {
	return t == catalog.Int || t == catalog.Long || t == catalog.Dynamic
}

// common is the type two branches of iff, case or coalesce share.
func common(a, b catalog.Type) (catalog.Type, bool) {
	switch {
	case a == Unknown:
		return b, true
	case b == Unknown || a == b:
		return a, true
	case a.Numeric() && b.Numeric():
		return promote(a, b), true
	case (a == catalog.String && b == catalog.GUID) || (a == catalog.GUID && b == catalog.String):
		return catalog.String, true
	case a == catalog.Dynamic || b == catalog.Dynamic:
		// A dynamic branch makes the result dynamic; the other value is
		// wrapped, as Kusto does.
		return catalog.Dynamic, true
	}
	return Unknown, false
}
