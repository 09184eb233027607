package kql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// The builders below construct queries in code (the Sigma compiler, hunt
// plans, pivots). Values reach a query only as typed literals, never by
// splicing text, and the printer quotes and escapes them. Built nodes have
// zero spans.

// Name is a column, table or function name. Names that are not plain
// identifiers or that are KQL keywords are marked Quoted and print as
// ['name'].
func Name(s string) *Ident { return &Ident{Name: s, Quoted: needsQuote(s)} }

// Str is a string literal.
func Str(s string) *Literal { return &Literal{Type: catalog.String, Value: s} }

// Long is a long literal.
func Long(n int64) *Literal { return &Literal{Type: catalog.Long, Value: n} }

// Int is an int literal, printed int(n).
func Int(n int32) *Literal { return &Literal{Type: catalog.Int, Value: int64(n)} }

// Real is a real literal.
func Real(f float64) *Literal { return &Literal{Type: catalog.Real, Value: f} }

// Bool is a bool literal.
func Bool(b bool) *Literal { return &Literal{Type: catalog.Bool, Value: b} }

// Datetime is a datetime literal in UTC, truncated to Kusto's tick.
func Datetime(t time.Time) *Literal {
	return &Literal{Type: catalog.Datetime, Value: t.UTC().Truncate(Tick)}
}

// Timespan is a timespan literal, truncated to Kusto's tick.
func Timespan(d time.Duration) *Literal {
	return &Literal{Type: catalog.Timespan, Value: d.Truncate(Tick)}
}

// Null is a typed null such as long(null). Strings have no null in Kusto,
// so Null(catalog.String) prints as "".
func Null(t catalog.Type) *Literal { return &Literal{Type: t} }

// Dyn is a dynamic literal of a Go value: nil, bool, string, numbers,
// time.Time, time.Duration, slices, maps with string keys, or anything
// encoding/json can encode. It panics if v cannot be encoded, like
// regexp.MustCompile; use DynOf to get the error instead.
func Dyn(v any) *Literal {
	l, err := DynOf(v)
	if err != nil {
		panic(err)
	}
	return l
}

// DynOf is Dyn that returns an error for values encoding/json cannot
// encode.
func DynOf(v any) (*Literal, error) {
	nv, err := dynValueOf(v, 0)
	if err != nil {
		return nil, err
	}
	return &Literal{Type: catalog.Dynamic, Value: nv}, nil
}

// dynValueOf converts a Go value to the dynamic model of Literal.Value.
func dynValueOf(v any, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("kql: dynamic value nests deeper than %d levels", MaxDepth)
	}
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case json.Number:
		return x, nil
	case time.Time:
		return x.UTC().Truncate(Tick), nil
	case time.Duration:
		return x.Truncate(Tick), nil
	case float32, float64:
		f, _ := toFloat(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return f, nil
		}
		return json.Number(formatReal(f)), nil
	}
	if n, ok := toInt64(v); ok {
		return json.Number(strconv.FormatInt(n, 10)), nil
	}
	if u, ok := v.(uint64); ok {
		return json.Number(strconv.FormatUint(u, 10)), nil
	}
	return dynComposite(v, depth)
}

func dynComposite(v any, depth int) (any, error) {
	rv := reflect.ValueOf(v)
	switch {
	case (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array) && rv.Type().Elem().Kind() != reflect.Uint8:
		out := make([]any, rv.Len())
		for i := range out {
			e, err := dynValueOf(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String:
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			e, err := dynValueOf(it.Value().Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			out[it.Key().String()] = e
		}
		return out, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("kql: cannot make a dynamic value of %T: %w", v, err)
	}
	var decoded any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&decoded); err != nil {
		return nil, fmt.Errorf("kql: cannot make a dynamic value of %T: %w", v, err)
	}
	return dynValueOf(decoded, depth+1)
}

// Call is a function call: Call("ago", Timespan(time.Hour)).
func Call(fn string, args ...Expr) *CallExpr {
	return &CallExpr{Fn: &Ident{Name: fn}, Args: args}
}

// Star is * as an argument: count(*), arg_max(TimeGenerated, *).
func Star() *StarExpr { return &StarExpr{} }

// Bin is a binary expression l op r. Use In and Between for set and range
// tests.
func Bin(op BinOp, l, r Expr) *BinaryExpr { return &BinaryExpr{Op: op, L: l, R: r} }

// And joins xs with and; no operands give true and one gives itself.
func And(xs ...Expr) Expr { return fold(OpAnd, true, xs) }

// Or joins xs with or; no operands give false and one gives itself.
func Or(xs ...Expr) Expr { return fold(OpOr, false, xs) }

func fold(op BinOp, empty bool, xs []Expr) Expr {
	if len(xs) == 0 {
		return Bool(empty)
	}
	x := xs[0]
	for _, y := range xs[1:] {
		x = Bin(op, x, y)
	}
	return x
}

// Not is not(x); KQL has no prefix not operator.
func Not(x Expr) *CallExpr { return Call("not", x) }

// In is x op (list…) for in, !in, in~, !in~, has_any and has_all.
func In(x Expr, op BinOp, list ...Expr) *InExpr { return &InExpr{Op: op, X: x, List: list} }

// Between is x between (lo .. hi).
func Between(x, lo, hi Expr) *BetweenExpr { return &BetweenExpr{X: x, Lo: lo, Hi: hi} }

// Member is x.name.
func Member(x Expr, name string) *MemberExpr { return &MemberExpr{X: x, Name: Name(name)} }

// Index is x[i].
func Index(x, i Expr) *IndexExpr { return &IndexExpr{X: x, Index: i} }

// Named is name = x, for project, extend and summarize; an empty name
// leaves the output name implied (summarize … by Col).
func Named(name string, x Expr) *NamedExpr {
	if name == "" {
		return &NamedExpr{X: x}
	}
	return &NamedExpr{Names: []*Ident{Name(name)}, X: x}
}

// Pipe is src | ops…; if src is already a pipeline the operators are
// appended to a copy of it.
func Pipe(src Expr, ops ...Operator) *PipeExpr {
	if p, ok := src.(*PipeExpr); ok && p != nil {
		return &PipeExpr{Source: p.Source, Ops: append(append([]Operator(nil), p.Ops...), ops...)}
	}
	return &PipeExpr{Source: src, Ops: ops}
}

// Where is where pred.
func Where(pred Expr) *WhereOp { return &WhereOp{Pred: pred} }

// Project is project of plain columns.
func Project(names ...string) *ProjectOp {
	op := &ProjectOp{}
	for _, n := range names {
		op.Cols = append(op.Cols, &NamedExpr{X: Name(n)})
	}
	return op
}

// ProjectExprs is project with computed columns.
func ProjectExprs(cols ...*NamedExpr) *ProjectOp { return &ProjectOp{Cols: cols} }

// Extend is extend name = x, ….
func Extend(cols ...*NamedExpr) *ExtendOp { return &ExtendOp{Cols: cols} }

// Summarize is summarize aggs by keys.
func Summarize(aggs []*NamedExpr, by ...*NamedExpr) *SummarizeOp {
	return &SummarizeOp{Aggs: aggs, By: by}
}

// Take is take n.
func Take(n int64) *TakeOp { return &TakeOp{N: Long(n)} }

// Top is top n by key.
func Top(n int64, key *SortKey) *TopOp { return &TopOp{N: Long(n), By: key} }

// Sort is sort by keys.
func Sort(keys ...*SortKey) *SortOp { return &SortOp{By: keys} }

// Asc and Desc are sort keys.
func Asc(x Expr) *SortKey  { return &SortKey{X: x, Order: "asc"} }
func Desc(x Expr) *SortKey { return &SortKey{X: x, Order: "desc"} }

// Count is the count operator.
func Count() *CountOp { return &CountOp{} }

// Distinct is distinct of plain columns.
func Distinct(names ...string) *DistinctOp {
	op := &DistinctOp{}
	for _, n := range names {
		op.Cols = append(op.Cols, Name(n))
	}
	return op
}

// Let is let name = value.
func Let(name string, value Expr) *LetStmt { return &LetStmt{Name: Name(name), Value: value} }

// NewQuery is a query of statements; Statement wraps its final expression.
func NewQuery(stmts ...Stmt) *Query { return &Query{Stmts: stmts} }

// Statement is an expression statement, normally the query's result.
func Statement(x Expr) *ExprStmt { return &ExprStmt{X: x} }
