package check

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// SearchInfo is the resolution of search: the tables searched (as a union
// with a $table column when there are several) and the predicate lowered to
// terms.
type SearchInfo struct {
	Union *UnionInfo // nil for a piped search over one input
	Pred  *SearchPred
	// CaseSensitive is kind=case_sensitive.
	CaseSensitive bool
}

// SearchPred is a search predicate: and/or/not of terms. A term matches
// when any string column (or Col, when set) has it: "err" is has "err",
// "err*" hasprefix, "*err" hassuffix, "*err*" contains. Expr holds any
// other predicate (allowed when one table is searched).
type SearchPred struct {
	Op   string // and, or, not, term, expr
	L, R *SearchPred
	Col  string
	Term string
	Mode string // has, hasprefix, hassuffix, contains, any
	Expr kql.Expr
}

func (c *checker) searchSource(x *kql.SearchExpr, sc *scope) *Schema {
	info := &SearchInfo{}
	c.searchKind(x.Params, info)
	tables := x.In
	if len(tables) == 0 {
		for _, n := range c.cat.Names() {
			tables = append(tables, &kql.Ident{Span: x.Span, Name: n})
		}
	}
	params := []*kql.OpParam{{Span: x.Span, Name: "withsource", Value: &kql.Ident{Name: "$table"}}}
	union := c.unionInfo(x, params, nil, tables, sc)
	info.Union = union
	in := &Schema{Columns: union.Out}
	info.Pred = c.searchPred(x.Pred, in, sc, len(union.Legs) > 1)
	c.out.info[x] = info
	return in
}

func (c *checker) searchOp(x *kql.SearchOp, in *Schema, sc *scope) *Schema {
	info := &SearchInfo{}
	c.searchKind(x.Params, info)
	if in.Open {
		c.errorf(kql.CodeUnsupported, x, "project the columns you need first", "search after bag_unpack is not supported")
	}
	info.Pred = c.searchPred(x.Pred, in, sc, false)
	c.out.info[x] = info
	return in
}

func (c *checker) searchKind(params []*kql.OpParam, info *SearchInfo) {
	for _, p := range params {
		if strings.EqualFold(p.Name, "kind") {
			switch v := paramValue(p); v {
			case "case_sensitive":
				info.CaseSensitive = true
			case "case_insensitive", "default":
			default:
				c.errorf(kql.CodeTypeMismatch, p, "use case_sensitive or case_insensitive", "unknown search kind '%s'", v)
			}
			continue
		}
		c.errorf(kql.CodeUnsupported, p, "", "search parameter '%s' is not supported", p.Name)
	}
}

// searchPred lowers a search predicate. multi is set when several tables
// are searched; then only terms are allowed, since a column may exist in
// some tables and not others.
func (c *checker) searchPred(e kql.Expr, in *Schema, sc *scope, multi bool) *SearchPred {
	switch x := unparen(e).(type) {
	case *kql.Literal:
		if s, ok := x.Value.(string); ok {
			return searchTerm("", s)
		}
	case *kql.BinaryExpr:
		switch x.Op {
		case kql.OpAnd, kql.OpOr:
			return &SearchPred{Op: string(x.Op), L: c.searchPred(x.L, in, sc, multi), R: c.searchPred(x.R, in, sc, multi)}
		case kql.OpHas, kql.OpContains:
			if id, ok := x.L.(*kql.Ident); ok {
				if s, ok := constString(x.R); ok && (x.Op == kql.OpHas || multi) {
					if _, found := in.Lookup(id.Name); !found && !multi {
						c.errorf(kql.CodeUnknownColumn, id, suggestHint(id.Name, in.Names(), ""), "column '%s' not found", id.Name)
					}
					p := searchTerm(id.Name, s)
					if x.Op == kql.OpContains {
						p.Mode = "contains"
					}
					return p
				}
			}
		}
	case *kql.CallExpr:
		if x.Fn.Name == "not" && len(x.Args) == 1 {
			return &SearchPred{Op: "not", L: c.searchPred(x.Args[0], in, sc, multi)}
		}
	}
	if multi {
		c.errorf(kql.CodeUnsupported, e, "search for terms (\"word\", \"prefix*\") or search one table", "searching several tables supports only terms, and, or and not")
		return &SearchPred{Op: "term", Term: "", Mode: "any"}
	}
	x := c.expr(e, sc.rowScope(in))
	if t := c.typeOf(x); t != Unknown && t != catalog.Bool {
		c.errorf(kql.CodeTypeMismatch, x, "", "search needs a bool predicate or a string term, found %s", t)
	}
	return &SearchPred{Op: "expr", Expr: x}
}

func searchTerm(col, s string) *SearchPred {
	p := &SearchPred{Op: "term", Col: col, Mode: "has"}
	pre, suf := strings.HasPrefix(s, "*"), strings.HasSuffix(s, "*") && len(s) > 1
	s = strings.TrimSuffix(strings.TrimPrefix(s, "*"), "*")
	switch {
	case s == "":
		p.Mode = "any"
	case pre && suf:
		p.Mode = "contains"
	case pre:
		p.Mode = "hassuffix"
	case suf:
		p.Mode = "hasprefix"
	}
	p.Term = s
	return p
}
