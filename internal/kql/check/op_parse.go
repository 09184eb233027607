package check

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// ParseInfo is the resolution of parse and parse-where.
type ParseInfo struct {
	Kind  string // simple, regex or relaxed
	Flags string // regex flags (kind=regex)
	// Parts is the pattern; Cols the captured columns in order.
	Parts []kql.ParsePart
	Cols  []Column
}

func (c *checker) parse(x *kql.ParseOp, in *Schema, sc *scope) *Schema {
	info := &ParseInfo{Kind: "simple", Parts: x.Pattern}
	for _, p := range x.Params {
		switch strings.ToLower(p.Name) {
		case "kind":
			switch v := paramValue(p); v {
			case "simple", "regex", "relaxed":
				info.Kind = v
			default:
				c.errorf(kql.CodeTypeMismatch, p, "use simple, regex or relaxed", "unknown parse kind '%s'", v)
			}
		case "flags":
			info.Flags = paramValue(p)
		default:
			c.errorf(kql.CodeUnsupported, p, "", "parse parameter '%s' is not supported", p.Name)
		}
	}
	if x.Where && info.Kind == "relaxed" {
		c.errorf(kql.CodeUnsupported, x, "use kind=simple or kind=regex", "parse-where does not support kind=relaxed")
	}
	if info.Flags != "" && info.Kind != "regex" {
		c.errorf(kql.CodeTypeMismatch, x, "", "flags= needs kind=regex")
	}
	for _, f := range info.Flags {
		if !strings.ContainsRune("imsU", f) {
			c.errorf(kql.CodeUnsupported, x, "use i, m, s or U", "regex flag '%c' is not supported", f)
		}
	}
	x.X = c.expr(x.X, sc.rowScope(in))
	out := in.copy()
	var prevCol *Column
	for _, part := range x.Pattern {
		switch {
		case part.Col != nil:
			t, ok := typeName(part.Col.Type)
			if !ok {
				c.errorf(kql.CodeTypeMismatch, part.Col, "", "unknown type '%s'", part.Col.Type)
				t = catalog.String
			}
			if t == catalog.Dynamic || t == catalog.Decimal {
				c.errorf(kql.CodeUnsupported, part.Col, "capture a string and convert it with todynamic() or toreal()", "parse into %s columns is not supported", t)
			}
			col := Column{Name: part.Col.Name.Name, Type: t}
			info.Cols = append(info.Cols, col)
			out.set(col.Name, t)
			prevCol = &info.Cols[len(info.Cols)-1]
		case part.Star:
			if prevCol != nil && prevCol.Type == catalog.String && info.Kind != "regex" {
				c.errorf(kql.CodeTypeMismatch, x, "put a string constant between the column and *", "* cannot follow the string column '%s' in a parse pattern", prevCol.Name)
			}
			prevCol = nil
		case part.Lit != nil:
			s, _ := part.Lit.Value.(string)
			if info.Kind == "regex" {
				if err := CheckRegex(s); err != nil {
					c.errorf(kql.CodeSyntax, part.Lit, "", "invalid regular expression: %s", err)
				}
			}
			prevCol = nil
		}
	}
	if len(info.Cols) == 0 {
		c.errorf(kql.CodeSyntax, x, "name at least one column in the pattern", "parse pattern captures no column")
	}
	c.out.info[x] = info
	return out
}
