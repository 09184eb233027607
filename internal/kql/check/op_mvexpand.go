package check

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// MvExpandInfo is the resolution of mv-expand and of mv-apply's expansion.
type MvExpandInfo struct {
	Items []MvItemInfo
	// Index is the with_itemindex= column, or "".
	Index string
	// Limit caps the rows made from one input row; -1 for none.
	Limit int64
	// BagArray expands a property bag into [key, value] arrays
	// (kind=array) instead of single-key bags.
	BagArray bool
	// Sub is mv-apply's sub-pipeline input schema; SubOut its output.
	Sub, SubOut *Schema
	// Keep lists the input columns mv-apply passes through.
	Keep []Column
}

// MvItemInfo is one expanded expression.
type MvItemInfo struct {
	Expr kql.Expr
	Name string
	// Type is the element type after to typeof(T); dynamic without it.
	Type catalog.Type
}

func (c *checker) mvItems(params []*kql.OpParam, items []*kql.MvItem, limit kql.Expr, in *Schema, sc *scope) *MvExpandInfo {
	info := &MvExpandInfo{Limit: -1}
	for _, p := range params {
		switch strings.ToLower(p.Name) {
		case "bagexpansion", "kind":
			switch v := paramValue(p); v {
			case "array":
				info.BagArray = true
			case "bag":
			default:
				c.errorf(kql.CodeTypeMismatch, p, "use bag or array", "unknown expansion kind '%s'", v)
			}
		case "with_itemindex":
			info.Index = paramValue(p)
		default:
			c.errorf(kql.CodeUnsupported, p, "", "parameter '%s' is not supported", p.Name)
		}
	}
	if limit != nil {
		v, ok := constInt(c.expr(limit, newScope(sc)))
		if !ok || v < 0 {
			c.errorf(kql.CodeTypeMismatch, limit, "", "the limit must be a constant non-negative integer")
		}
		info.Limit = v
	}
	r := sc.rowScope(in)
	nm := &namer{taken: func(n string) bool { return in.Index(n) >= 0 }}
	for _, it := range items {
		it.Col.X = c.expr(it.Col.X, r)
		if t := c.typeOf(it.Col.X); t != Unknown && t != catalog.Dynamic && t != catalog.String {
			c.errorf(kql.CodeTypeMismatch, it.Col.X, "", "mv-expand needs a dynamic array or property bag, found %s", t)
		}
		names := c.itemNames(it.Col, nm)
		t := catalog.Dynamic
		if it.ToType != "" {
			tt, ok := typeName(it.ToType)
			if !ok {
				c.errorf(kql.CodeTypeMismatch, it, "", "unknown type '%s'", it.ToType)
			} else {
				t = tt
			}
		}
		c.out.names[it.Col] = names
		info.Items = append(info.Items, MvItemInfo{Expr: it.Col.X, Name: names[0], Type: t})
	}
	return info
}

// mvExpand replaces each expanded column in place (or appends it under its
// new name) and appends the item index column last.
func (c *checker) mvExpand(x *kql.MvExpandOp, in *Schema, sc *scope) *Schema {
	info := c.mvItems(x.Params, x.Items, x.Limit, in, sc)
	out := in.copy()
	for _, it := range info.Items {
		out.set(it.Name, it.Type)
	}
	if info.Index != "" {
		out.set(info.Index, catalog.Long)
	}
	c.out.info[x] = info
	return out
}

// mvApply runs a sub-pipeline over each row's expanded items; the result is
// the row's other columns followed by the sub-pipeline's columns.
func (c *checker) mvApply(x *kql.MvApplyOp, in *Schema, sc *scope) *Schema {
	if in.Open {
		c.errorf(kql.CodeUnsupported, x, "project the columns you need first", "mv-apply after bag_unpack is not supported")
	}
	info := c.mvItems(x.Params, x.Items, x.Limit, in, sc)
	sub := &Schema{}
	replaced := map[string]bool{}
	for _, it := range info.Items {
		sub.set(it.Name, it.Type)
		if id, ok := it.Expr.(*kql.Ident); ok {
			replaced[id.Name] = true
		}
		replaced[it.Name] = true
	}
	if info.Index != "" {
		sub.set(info.Index, catalog.Long)
	}
	info.Sub = sub
	sch := sub
	for _, op := range x.Sub {
		switch op.(type) {
		case *kql.WhereOp, *kql.ExtendOp, *kql.ProjectOp, *kql.ProjectAwayOp, *kql.ProjectKeepOp,
			*kql.ProjectRenameOp, *kql.ProjectReorderOp, *kql.SummarizeOp, *kql.TopOp, *kql.TakeOp,
			*kql.SortOp, *kql.CountOp, *kql.DistinctOp, *kql.SerializeOp:
		default:
			c.errorf(kql.CodeUnsupported, op, "use where, extend, project, summarize, top, take, sort, count or distinct", "this operator is not supported inside mv-apply")
			continue
		}
		sch = c.op(op, sch, sc)
		c.out.schemas[op] = sch
	}
	info.SubOut = sch
	out := &Schema{}
	for _, col := range in.Columns {
		if !replaced[col.Name] {
			info.Keep = append(info.Keep, col)
			out.Columns = append(out.Columns, col)
		}
	}
	for _, col := range sch.Columns {
		if out.Index(col.Name) >= 0 {
			c.errorf(kql.CodeTypeMismatch, x, "rename it inside the sub-query", "mv-apply produces column '%s', which the input already has", col.Name)
			continue
		}
		out.Columns = append(out.Columns, col)
	}
	c.out.info[x] = info
	return out
}
