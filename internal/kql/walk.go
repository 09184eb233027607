package kql

import (
	"iter"
	"reflect"
)

// Walk calls fn for n and then, if fn returns true, for each of n's
// descendants in source order (pre-order). Nil nodes are skipped.
func Walk(n Node, fn func(Node) bool) {
	if isNilNode(n) || !fn(n) {
		return
	}
	for _, c := range Children(n) {
		Walk(c, fn)
	}
}

// Inspect traverses n like go/ast.Inspect: it calls fn(node), then, if fn
// returned true, Inspect of each child, then fn(nil) to mark the end of the
// node's children.
func Inspect(n Node, fn func(Node) bool) {
	if isNilNode(n) || !fn(n) {
		return
	}
	for _, c := range Children(n) {
		Inspect(c, fn)
	}
	fn(nil)
}

// All yields n and its descendants in pre-order.
func All(n Node) iter.Seq[Node] {
	return func(yield func(Node) bool) {
		stopped := false
		Walk(n, func(c Node) bool {
			if stopped || !yield(c) {
				stopped = true
			}
			return !stopped
		})
	}
}

func isNilNode(n Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// kids collects the non-nil children of a node.
type kids []Node

func (k *kids) add(ns ...Node) {
	for _, n := range ns {
		if !isNilNode(n) {
			*k = append(*k, n)
		}
	}
}

func addAll[T Node](k *kids, xs []T) {
	for _, x := range xs {
		k.add(x)
	}
}

// Children returns the direct children of n in source order.
func Children(n Node) []Node {
	if isNilNode(n) {
		return nil
	}
	var k kids
	switch n := n.(type) {
	case *Query:
		addAll(&k, n.Stmts)
	case *LetStmt:
		k.add(n.Name, n.Value)
	case *SetStmt:
		k.add(n.Name, n.Value)
	case *ExprStmt:
		k.add(n.X)
	default:
		if !exprChildren(&k, n) && !opChildren(&k, n) {
			partChildren(&k, n)
		}
	}
	return k
}

func exprChildren(k *kids, n Node) bool {
	switch n := n.(type) {
	case *Ident, *Literal, *StarExpr:
	case *BinaryExpr:
		k.add(n.L, n.R)
	case *UnaryExpr:
		k.add(n.X)
	case *InExpr:
		k.add(n.X)
		addAll(k, n.List)
	case *BetweenExpr:
		k.add(n.X, n.Lo, n.Hi)
	case *CallExpr:
		k.add(n.Fn)
		addAll(k, n.Args)
	case *MemberExpr:
		k.add(n.X, n.Name)
	case *IndexExpr:
		k.add(n.X, n.Index)
	case *ParenExpr:
		k.add(n.X)
	case *PipeExpr:
		k.add(n.Source)
		addAll(k, n.Ops)
	case *FuncExpr:
		addAll(k, n.Params)
		addAll(k, n.Body)
	case *DatatableExpr:
		addAll(k, n.Columns)
		addAll(k, n.Values)
	case *ExternalDataExpr:
		addAll(k, n.Columns)
		addAll(k, n.URLs)
		addAll(k, n.With)
	case *UnionExpr:
		addAll(k, n.Params)
		addAll(k, n.Tables)
	case *PrintExpr:
		addAll(k, n.Cols)
	case *RangeExpr:
		k.add(n.Name, n.From, n.To, n.Step)
	case *SearchExpr:
		addAll(k, n.Params)
		addAll(k, n.In)
		k.add(n.Pred)
	default:
		return false
	}
	return true
}

func opChildren(k *kids, n Node) bool {
	switch n := n.(type) {
	case *CountOp, *GetSchemaOp:
	case *WhereOp:
		k.add(n.Pred)
	case *ProjectOp:
		addAll(k, n.Cols)
	case *ProjectAwayOp:
		addAll(k, n.Cols)
	case *ProjectKeepOp:
		addAll(k, n.Cols)
	case *ProjectRenameOp:
		addAll(k, n.Cols)
	case *ProjectReorderOp:
		addAll(k, n.Cols)
	case *ExtendOp:
		addAll(k, n.Cols)
	case *SummarizeOp:
		addAll(k, n.Params)
		addAll(k, n.Aggs)
		addAll(k, n.By)
	case *DistinctOp:
		addAll(k, n.Cols)
	case *TakeOp:
		k.add(n.N)
	case *SampleOp:
		k.add(n.N)
	case *TopOp:
		k.add(n.N, n.By)
	case *SortOp:
		addAll(k, n.By)
	case *JoinOp:
		addAll(k, n.Params)
		k.add(n.Right)
		addAll(k, n.On)
	case *LookupOp:
		addAll(k, n.Params)
		k.add(n.Right)
		addAll(k, n.On)
	case *UnionOp:
		addAll(k, n.Params)
		addAll(k, n.Tables)
	default:
		return moreOpChildren(k, n)
	}
	return true
}

func moreOpChildren(k *kids, n Node) bool {
	switch n := n.(type) {
	case *MvExpandOp:
		addAll(k, n.Params)
		addAll(k, n.Items)
		k.add(n.Limit)
	case *MvApplyOp:
		addAll(k, n.Params)
		addAll(k, n.Items)
		k.add(n.Limit)
		addAll(k, n.Sub)
	case *ParseOp:
		addAll(k, n.Params)
		k.add(n.X)
		for i := range n.Pattern {
			k.add(&n.Pattern[i])
		}
	case *SerializeOp:
		addAll(k, n.Cols)
	case *EvaluateOp:
		addAll(k, n.Params)
		k.add(n.Call)
		addAll(k, n.Schema)
	case *MakeSeriesOp:
		addAll(k, n.Params)
		addAll(k, n.Aggs)
		k.add(n.On, n.From, n.To, n.Step)
		addAll(k, n.By)
	case *SearchOp:
		addAll(k, n.Params)
		k.add(n.Pred)
	case *AsOp:
		addAll(k, n.Params)
		k.add(n.Name)
	case *RenderOp:
		k.add(n.Chart)
		addAll(k, n.With)
	case *InvokeOp:
		k.add(n.Call)
	default:
		return false
	}
	return true
}

func partChildren(k *kids, n Node) {
	switch n := n.(type) {
	case *OpParam:
		k.add(n.Value)
	case *NamedExpr:
		addAll(k, n.Names)
		k.add(n.X)
	case *SortKey:
		k.add(n.X)
	case *Rename:
		k.add(n.New, n.Old)
	case *ReorderCol:
		k.add(n.Name)
	case *MvItem:
		k.add(n.Col)
	case *ParsePart:
		k.add(n.Lit, n.Col)
	case *SeriesAgg:
		k.add(n.Agg, n.Default)
	case *Param:
		k.add(n.Name)
		addAll(k, n.Columns)
		k.add(n.Default)
	case *ColumnDecl:
		k.add(n.Name)
	}
}

// Unparen returns x without any enclosing parentheses.
func Unparen(x Expr) Expr {
	for {
		p, ok := x.(*ParenExpr)
		if !ok || p == nil {
			return x
		}
		x = p.X
	}
}
