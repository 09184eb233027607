package duckdb

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// strOp lowers the string operators. The plain forms are case-insensitive
// (lower() on both sides), the _cs forms case-sensitive; negated forms are
// NOT of the positive one, which is safe because string operands are never
// NULL.
func (c *compiler) strOp(b *kql.BinaryExpr, x ectx) string {
	op := string(b.Op)
	neg := strings.HasPrefix(op, "!")
	op = strings.TrimPrefix(op, "!")
	cs := strings.HasSuffix(op, "_cs")
	op = strings.TrimSuffix(op, "_cs")
	s := c.toStr(b.L, x)
	var out string
	if lit, ok := constString(b.R); ok {
		out = c.strOpLit(op, s, lit, cs)
	} else {
		out = c.strOpDyn(op, s, c.toStr(b.R, x), cs)
	}
	if neg {
		return "(NOT " + out + ")"
	}
	return out
}

func (c *compiler) strOpLit(op, s, lit string, cs bool) string {
	fold := func(v string) (string, string) {
		if cs {
			return s, quoteString(v)
		}
		return "lower(" + s + ")", quoteString(strings.ToLower(v))
	}
	switch op {
	case "contains":
		l, r := fold(lit)
		return "contains(" + l + ", " + r + ")"
	case "startswith":
		l, r := fold(lit)
		return "starts_with(" + l + ", " + r + ")"
	case "endswith":
		l, r := fold(lit)
		return "ends_with(" + l + ", " + r + ")"
	case "has", "hasprefix", "hassuffix":
		return termMatch(s, []string{lit}, op, cs)
	case "matches regex":
		return "regexp_matches(" + s + ", " + quoteString(lit) + ")"
	}
	panic("unknown string operator " + op)
}

func (c *compiler) strOpDyn(op, s, r string, cs bool) string {
	l := s
	if !cs {
		l, r = "lower("+s+")", "lower("+r+")"
	}
	switch op {
	case "contains":
		return "contains(" + l + ", " + r + ")"
	case "startswith":
		return "starts_with(" + l + ", " + r + ")"
	case "endswith":
		return "ends_with(" + l + ", " + r + ")"
	case "has", "hasprefix", "hassuffix":
		return macro("kql_"+op, l, r)
	case "matches regex":
		return "regexp_matches(" + s + ", " + r + ")"
	}
	panic("unknown string operator " + op)
}

// Term boundaries: a term is a maximal run of letters and digits (Unicode),
// so anything else, underscore included, separates terms.
const (
	termStart = `(?:^|[^\pL\pN])`
	termEnd   = `(?:$|[^\pL\pN])`
)

// termMatch lowers has, hasprefix and hassuffix with constant terms (several
// for has_any) to one regular expression with term boundaries; the pattern
// is a constant, so DuckDB compiles it once. For a single ASCII term a
// substring test runs first and the expression only on the rows it lets
// through; for several terms one pass of the expression is cheaper than a
// substring test per term (measured in BenchmarkHunting).
func termMatch(s string, terms []string, op string, cs bool) string {
	if len(terms) == 0 {
		return "FALSE"
	}
	var pre []string
	ascii := true
	// Terms with the same boundaries share them, so that the expression is
	// one boundary, an alternation of literals, and one boundary.
	type shape struct{ left, right bool }
	groups := map[shape][]string{}
	var order []shape
	for _, t := range terms {
		if t == "" {
			return "TRUE" // has "" matches every value, as in Kusto
		}
		r := []rune(t)
		sh := shape{op != "hassuffix" && isTermRune(r[0]), op != "hasprefix" && isTermRune(r[len(r)-1])}
		if _, seen := groups[sh]; !seen {
			order = append(order, sh)
		}
		groups[sh] = append(groups[sh], regexp.QuoteMeta(t))
		lt := t
		if !cs {
			lt = strings.ToLower(t)
		}
		pre = append(pre, quoteString(lt))
		if !isASCII(t) {
			ascii = false
		}
	}
	var pats []string
	for _, sh := range order {
		p := strings.Join(groups[sh], "|")
		if len(groups[sh]) > 1 {
			p = "(?:" + p + ")"
		}
		if sh.left {
			p = termStart + p
		}
		if sh.right {
			p += termEnd
		}
		pats = append(pats, p)
	}
	pat := pats[0]
	if len(pats) > 1 {
		pat = "(?:" + strings.Join(pats, "|") + ")"
	}
	if !cs {
		pat = "(?i)" + pat
	}
	re := "regexp_matches(" + s + ", " + quoteString(pat) + ")"
	if !ascii || len(terms) > 1 {
		return re
	}
	hay := s
	if !cs {
		hay = "lower(" + s + ")"
	}
	var tests []string
	for _, p := range pre {
		tests = append(tests, "contains("+hay+", "+p+")")
	}
	filter := strings.Join(tests, " OR ")
	if len(tests) > 1 {
		filter = "(" + filter + ")"
	}
	return "(" + filter + " AND " + re + ")"
}

func isTermRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// in lowers in, !in, in~, !in~, has_any and has_all.
func (c *compiler) in(n *kql.InExpr, x ectx) string {
	switch n.Op {
	case kql.OpHasAny, kql.OpHasAll:
		return c.hasSet(n, x)
	}
	ci := n.Op == kql.OpInCI || n.Op == kql.OpNotInCI
	neg := n.Op == kql.OpNotIn || n.Op == kql.OpNotInCI
	t := c.typ(n.X)
	if ci {
		t = catalog.String
	}
	var v string
	if ci {
		v = "lower(" + c.toStr(n.X, x) + ")"
	} else {
		v = c.expr(n.X, x.value())
		if t == catalog.Dynamic {
			t = catalog.String
			v = c.toStr(n.X, x)
		}
	}
	var s string
	if len(n.List) == 1 && c.ch.SchemaOf(n.List[0]) != nil {
		r := c.tab(n.List[0])
		first := quoteIdent(r.cols[0].Name)
		if ci {
			first = "lower(" + first + ")"
		}
		sub := "SELECT " + first + " FROM " + r.name + " WHERE " + quoteIdent(r.cols[0].Name) + " IS NOT NULL"
		s = "(" + v + " IN (" + sub + "))"
	} else {
		var items, lists []string
		for _, e := range n.List {
			its, list := c.setItems(e, t, ci, x)
			items = append(items, its...)
			if list != "" {
				lists = append(lists, "list_contains("+list+", "+v+")")
			}
		}
		var parts []string
		if len(items) > 0 {
			parts = append(parts, v+" IN ("+strings.Join(items, ", ")+")")
		}
		parts = append(parts, lists...)
		switch len(parts) {
		case 0:
			s = "FALSE"
		case 1:
			s = "(" + parts[0] + ")"
		default:
			s = "(" + strings.Join(parts, " OR ") + ")"
		}
	}
	nullable := c.nullable(n.X) && !ci
	switch {
	case neg && nullable:
		return "(" + v + " IS NULL OR NOT " + s + ")"
	case neg:
		return "(NOT " + s + ")"
	case nullable && !x.pred:
		return "coalesce(" + s + ", FALSE)"
	}
	return s
}

// setItems lowers one element of an in list: constants (a dynamic array
// constant spreads into its elements) as items of type t, or a dynamic
// array value as a list to test with list_contains.
func (c *compiler) setItems(e kql.Expr, t catalog.Type, ci bool, x ectx) (items []string, list string) {
	if l, ok := unparen(e).(*kql.Literal); ok && l.Type == catalog.Dynamic {
		if arr, ok := l.Value.([]any); ok {
			for _, v := range arr {
				if s := dynItem(v, t, ci); s != "" {
					items = append(items, s)
				}
			}
			return items, ""
		}
	}
	if c.typ(e) == catalog.Dynamic {
		elem := "VARCHAR"
		if !ci {
			elem = sqlType(t)
			if t == catalog.String || t == catalog.GUID || t == catalog.Dynamic || t == "" {
				elem = "VARCHAR"
			}
		}
		l := "from_json(" + c.expr(e, x.value()) + ", '[\"" + elem + "\"]')"
		if ci {
			l = "list_transform(" + l + ", v -> lower(v))"
		}
		return nil, l
	}
	if ci {
		return []string{c.lowerOperand(e, x)}, ""
	}
	return []string{c.as(e, t, x)}, ""
}

// dynItem renders one element of a constant dynamic array as a SQL value
// of type t.
func dynItem(v any, t catalog.Type, ci bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if ci {
			return quoteString(strings.ToLower(x))
		}
		if t != catalog.String && t != catalog.GUID {
			if s, ok := coerceLiteral(x, t); ok {
				return s
			}
		}
		return quoteString(x)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	default:
		s := strings.TrimSpace(jsonText(x))
		if t == catalog.String || ci {
			return quoteString(s)
		}
		return s
	}
}

// hasSet lowers has_any and has_all.
func (c *compiler) hasSet(n *kql.InExpr, x ectx) string {
	s := c.toStr(n.X, x)
	isAny := n.Op == kql.OpHasAny
	var terms, dyn []string
	for _, e := range n.List {
		if c.ch.SchemaOf(e) != nil {
			r := c.tab(e)
			col := quoteIdent(r.cols[0].Name)
			cond := "EXISTS (SELECT 1 FROM " + r.name + " AS _t WHERE kql_has(lower(" + s + "), lower(CAST(_t." + col + " AS VARCHAR))))"
			if !isAny {
				cond = "NOT EXISTS (SELECT 1 FROM " + r.name + " AS _t WHERE NOT kql_has(lower(" + s + "), lower(CAST(_t." + col + " AS VARCHAR))))"
			}
			dyn = append(dyn, cond)
			continue
		}
		if l, ok := unparen(e).(*kql.Literal); ok {
			switch v := l.Value.(type) {
			case []any:
				for _, item := range v {
					if item != nil {
						terms = append(terms, dynText(item))
					}
				}
				continue
			case string:
				terms = append(terms, v)
				continue
			case nil:
				continue
			}
		}
		if c.typ(e) == catalog.Dynamic {
			list := "from_json(" + c.expr(e, x.value()) + ", '[\"VARCHAR\"]')"
			fn := "len(list_filter(" + list + ", _v -> kql_has(lower(" + s + "), lower(_v)))) > 0"
			if !isAny {
				fn = "len(list_filter(" + list + ", _v -> NOT kql_has(lower(" + s + "), lower(_v)))) = 0"
			}
			dyn = append(dyn, "("+fn+")")
			continue
		}
		dyn = append(dyn, macro("kql_has", "lower("+s+")", "lower("+c.toStr(e, x)+")"))
	}
	var parts []string
	if isAny {
		if len(terms) > 0 {
			parts = append(parts, termMatch(s, terms, "has", false))
		}
		parts = append(parts, dyn...)
		if len(parts) == 0 {
			return "FALSE"
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	for _, t := range terms {
		parts = append(parts, termMatch(s, []string{t}, "has", false))
	}
	parts = append(parts, dyn...)
	if len(parts) == 0 {
		return "TRUE"
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}
