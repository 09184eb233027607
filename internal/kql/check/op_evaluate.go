package check

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// BagUnpackInfo is the resolution of evaluate bag_unpack(Col [, Prefix]).
type BagUnpackInfo struct {
	Bag    kql.Expr
	Prefix string
	// Unpack is the open part of the output schema; its Known list holds
	// the names later operators read from the bag.
	Unpack *Unpack
	// Removed is the bag column's name when it is a column (it leaves the
	// output).
	Removed string
}

// evaluate supports the bag_unpack plugin; every other plugin is refused.
func (c *checker) evaluate(x *kql.EvaluateOp, in *Schema, sc *scope) *Schema {
	name := x.Call.Fn.Name
	if name != "bag_unpack" {
		c.errorf(kql.CodeUnsupported, x.Call.Fn, "only evaluate bag_unpack(…) runs on the embedded store", "evaluate plugin '%s' is not supported", name)
		return in
	}
	if len(x.Call.Args) < 1 || len(x.Call.Args) > 2 {
		c.errorf(kql.CodeTypeMismatch, x.Call, "", "bag_unpack takes a column and an optional prefix, found %d arguments", len(x.Call.Args))
		return in
	}
	r := sc.rowScope(in)
	bag := c.expr(x.Call.Args[0], r)
	x.Call.Args[0] = bag
	if t := c.typeOf(bag); t != Unknown && t != catalog.Dynamic {
		c.errorf(kql.CodeTypeMismatch, bag, "", "bag_unpack needs a dynamic property bag, found %s", t)
	}
	info := &BagUnpackInfo{Bag: bag}
	if len(x.Call.Args) == 2 {
		info.Prefix, _ = constString(x.Call.Args[1])
	}
	out := &Schema{Open: true}
	if id, ok := bag.(*kql.Ident); ok {
		info.Removed = id.Name
	}
	for _, col := range in.Columns {
		if col.Name != info.Removed {
			out.Columns = append(out.Columns, col)
		}
	}
	info.Unpack = &Unpack{Bag: info.Removed, Prefix: info.Prefix}
	out.Unpack = info.Unpack
	c.out.info[x] = info
	return out
}
