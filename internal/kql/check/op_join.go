package check

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// JoinInfo is the resolution of a join or lookup.
type JoinInfo struct {
	// Kind is innerunique (join's default), inner, leftouter, rightouter,
	// fullouter, leftsemi, rightsemi, leftanti or rightanti.
	Kind   string
	Lookup bool
	Keys   []JoinKey
	// Out lists the output columns: where each comes from and its name.
	Out []JoinCol
	// Left and Right are the input schemas.
	Left, Right *Schema
}

// JoinKey is one equality of the join condition.
type JoinKey struct {
	Left, Right string
	Type        catalog.Type
}

// JoinCol is one output column of a join.
type JoinCol struct {
	Right bool   // from the right side
	Src   string // its name on that side
	Name  string // its output name
	Type  catalog.Type
}

type joinSides struct{ left, right *Schema }

var joinKinds = map[string]string{
	"innerunique": "innerunique", "inner": "inner", "leftouter": "leftouter", "rightouter": "rightouter",
	"fullouter": "fullouter", "leftsemi": "leftsemi", "rightsemi": "rightsemi", "leftanti": "leftanti",
	"rightanti": "rightanti", "anti": "leftanti", "leftantisemi": "leftanti", "rightantisemi": "rightanti",
	"semi": "leftsemi",
}

// paramValue returns the text of an operator parameter (kind=inner → "inner").
func paramValue(p *kql.OpParam) string {
	switch v := p.Value.(type) {
	case *kql.Ident:
		return v.Name
	case *kql.Literal:
		switch x := v.Value.(type) {
		case string:
			return x
		case bool:
			if x {
				return "true"
			}
			return "false"
		}
		return v.Raw
	}
	return ""
}

func findParam(params []*kql.OpParam, name string) *kql.OpParam {
	for _, p := range params {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

func (c *checker) join(x *kql.JoinOp, in *Schema, sc *scope) *Schema {
	kind := "innerunique"
	if p := findParam(x.Params, "kind"); p != nil {
		k, ok := joinKinds[paramValue(p)]
		if !ok {
			c.errorf(kql.CodeTypeMismatch, p, "use innerunique, inner, leftouter, rightouter, fullouter, leftsemi, rightsemi, leftanti or rightanti", "unknown join kind '%s'", paramValue(p))
		} else {
			kind = k
		}
	}
	right, rs := c.tabular(x.Right, sc)
	x.Right = right
	info := &JoinInfo{Kind: kind, Left: in, Right: rs}
	info.Keys = c.joinKeys(x, x.On, in, rs, sc)
	c.openSide(x, in, rs)
	switch kind {
	case "leftsemi", "leftanti":
		for _, col := range in.Columns {
			info.Out = append(info.Out, JoinCol{Src: col.Name, Name: col.Name, Type: col.Type})
		}
	case "rightsemi", "rightanti":
		for _, col := range rs.Columns {
			info.Out = append(info.Out, JoinCol{Right: true, Src: col.Name, Name: col.Name, Type: col.Type})
		}
	default:
		info.Out = joinColumns(in, rs, nil)
	}
	c.out.info[x] = info
	return joinSchema(info)
}

func (c *checker) lookup(x *kql.LookupOp, in *Schema, sc *scope) *Schema {
	kind := "leftouter"
	if p := findParam(x.Params, "kind"); p != nil {
		switch k := paramValue(p); k {
		case "leftouter", "inner":
			kind = k
		default:
			c.errorf(kql.CodeTypeMismatch, p, "use leftouter or inner", "lookup supports kind=leftouter and kind=inner, found '%s'", k)
		}
	}
	right, rs := c.tabular(x.Right, sc)
	x.Right = right
	info := &JoinInfo{Kind: kind, Lookup: true, Left: in, Right: rs}
	info.Keys = c.joinKeys(x, x.On, in, rs, sc)
	c.openSide(x, in, rs)
	drop := map[string]bool{}
	for _, k := range info.Keys {
		drop[k.Right] = true
	}
	info.Out = joinColumns(in, rs, drop)
	c.out.info[x] = info
	return joinSchema(info)
}

func (c *checker) openSide(n kql.Node, l, r *Schema) {
	if l.Open || r.Open {
		c.errorf(kql.CodeUnsupported, n, "project the columns you need after bag_unpack first", "joining a table whose columns come from bag_unpack is not supported")
	}
}

// joinColumns lists the left columns then the right ones (except drop),
// renaming right columns whose names are taken: Key becomes Key1.
func joinColumns(l, r *Schema, drop map[string]bool) []JoinCol {
	var out []JoinCol
	taken := map[string]bool{}
	for _, col := range l.Columns {
		out = append(out, JoinCol{Src: col.Name, Name: col.Name, Type: col.Type})
		taken[col.Name] = true
	}
	for _, col := range r.Columns {
		if drop[col.Name] {
			continue
		}
		name := unique(col.Name, func(n string) bool { return taken[n] })
		taken[name] = true
		out = append(out, JoinCol{Right: true, Src: col.Name, Name: name, Type: col.Type})
	}
	return out
}

func joinSchema(info *JoinInfo) *Schema {
	out := &Schema{}
	for _, col := range info.Out {
		t := col.Type
		out.Columns = append(out.Columns, Column{Name: col.Name, Type: t})
	}
	return out
}

// joinKeys reads the on clause: names present on both sides, and
// $left.A == $right.B equalities (joined with and).
func (c *checker) joinKeys(op kql.Node, on []kql.Expr, l, r *Schema, sc *scope) []JoinKey {
	var keys []JoinKey
	var walk func(e kql.Expr)
	walk = func(e kql.Expr) {
		switch x := unparen(e).(type) {
		case *kql.Ident:
			lc, lok := l.Lookup(x.Name)
			rc, rok := r.Lookup(x.Name)
			switch {
			case !lok:
				c.errorf(kql.CodeUnknownColumn, x, suggestHint(x.Name, l.Names(), ""), "column '%s' not found on the left side of the join", x.Name)
			case !rok:
				c.errorf(kql.CodeUnknownColumn, x, suggestHint(x.Name, r.Names(), ""), "column '%s' not found on the right side of the join", x.Name)
			default:
				keys = append(keys, c.joinKey(x, lc, rc))
			}
		case *kql.BinaryExpr:
			if x.Op == kql.OpAnd {
				walk(x.L)
				walk(x.R)
				return
			}
			if x.Op != kql.OpEq {
				c.errorf(kql.CodeUnsupported, x, "write $left.A == $right.B", "join conditions must be equalities, found '%s'", x.Op)
				return
			}
			ls, lname, ok1 := sideRef(x.L)
			rs, rname, ok2 := sideRef(x.R)
			if !ok1 || !ok2 || ls == rs {
				c.errorf(kql.CodeUnsupported, x, "write $left.A == $right.B", "a join condition compares a $left column with a $right column")
				return
			}
			if ls == "$right" {
				lname, rname = rname, lname
			}
			lc, lok := l.Lookup(lname)
			rc, rok := r.Lookup(rname)
			switch {
			case !lok:
				c.errorf(kql.CodeUnknownColumn, x, suggestHint(lname, l.Names(), ""), "column '%s' not found on the left side of the join", lname)
			case !rok:
				c.errorf(kql.CodeUnknownColumn, x, suggestHint(rname, r.Names(), ""), "column '%s' not found on the right side of the join", rname)
			default:
				keys = append(keys, c.joinKey(x, lc, rc))
			}
		default:
			c.errorf(kql.CodeUnsupported, e, "write on Col, or on $left.A == $right.B", "unsupported join condition")
		}
	}
	for _, e := range on {
		walk(e)
	}
	if len(keys) == 0 && len(on) == 0 {
		c.errorf(kql.CodeSyntax, op, "add 'on Col' or 'on $left.A == $right.B'", "join needs an 'on' clause")
	}
	return keys
}

func (c *checker) joinKey(n kql.Node, lc, rc Column) JoinKey {
	if !keyComparable(lc.Type, rc.Type) {
		c.errorf(kql.CodeTypeMismatch, n, "convert one side in a project or extend before the join", "join key '%s' is %s on the left and %s on the right", lc.Name, lc.Type, rc.Type)
	}
	t := lc.Type
	if t == Unknown {
		t = rc.Type
	}
	return JoinKey{Left: lc.Name, Right: rc.Name, Type: t}
}

// keyComparable is stricter than comparable: join keys must be of one
// family (numbers, strings, or the same type), as Kusto requires.
func keyComparable(a, b catalog.Type) bool {
	switch {
	case a == Unknown || b == Unknown || a == b:
		return true
	case a.Numeric() && b.Numeric():
		return true
	case stringish(a) && stringish(b):
		return true
	}
	return false
}

// sideRef reads $left.Name or $right.Name.
func sideRef(e kql.Expr) (side, name string, ok bool) {
	m, isMember := unparen(e).(*kql.MemberExpr)
	if !isMember {
		return "", "", false
	}
	id, isIdent := m.X.(*kql.Ident)
	if !isIdent || (id.Name != "$left" && id.Name != "$right") {
		return "", "", false
	}
	return id.Name, m.Name.Name, true
}
