package duckdb

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// dynamic lowers property and index access on a dynamic value. A missing
// property or an index out of range is null, never an error.
func (c *compiler) dynamic(e kql.Expr, x ectx) string {
	if path, base, ok := c.jsonPath(e, x); ok {
		return "json_extract(" + base + ", " + quoteString(path) + ")"
	}
	switch n := e.(type) {
	case *kql.MemberExpr:
		return "json_extract(" + c.dynBase(n.X, x) + ", " + quoteString("$"+keySeg(n.Name.Name)) + ")"
	case *kql.IndexExpr:
		idx := c.expr(n.Index, x.value())
		var path string
		switch t := c.typ(n.Index); {
		case t == catalog.String:
			path = `'$."' || replace(` + idx + `, '"', '\"') || '"'`
		case t == catalog.Dynamic:
			path = `'$."' || replace(` + idx + ` ->> '$', '"', '\"') || '"'`
		default:
			path = "CASE WHEN " + idx + " < 0 THEN '$[#' || CAST(" + idx + " AS VARCHAR) || ']' ELSE '$[' || CAST(" + idx + " AS VARCHAR) || ']' END"
		}
		return "json_extract(" + c.dynBase(n.X, x) + ", " + path + ")"
	}
	panic(fmt.Sprintf("unexpected dynamic access %T", e))
}

// dynBase lowers the value being accessed; a string is read as JSON (and is
// null when it is not JSON).
func (c *compiler) dynBase(e kql.Expr, x ectx) string {
	v := c.expr(e, x.value())
	if c.typ(e) == catalog.String {
		return "TRY_CAST(" + v + " AS JSON)"
	}
	return v
}

// jsonPath folds a chain of constant property and index accesses into one
// JSON path over its base: d.a.b[0] is json_extract(d, '$."a"."b"[0]').
func (c *compiler) jsonPath(e kql.Expr, x ectx) (path, base string, ok bool) {
	var segs []string
	cur := e
	for {
		switch n := cur.(type) {
		case *kql.MemberExpr:
			segs = append(segs, keySeg(n.Name.Name))
			cur = n.X
			continue
		case *kql.IndexExpr:
			l, isLit := unparen(n.Index).(*kql.Literal)
			if !isLit || l.Value == nil {
				return "", "", false
			}
			switch v := l.Value.(type) {
			case string:
				segs = append(segs, keySeg(v))
			case int64:
				if v < 0 {
					segs = append(segs, "[#"+strconv.FormatInt(v, 10)+"]")
				} else {
					segs = append(segs, "["+strconv.FormatInt(v, 10)+"]")
				}
			default:
				return "", "", false
			}
			cur = n.X
			continue
		}
		break
	}
	if len(segs) == 0 {
		return "", "", false
	}
	var b strings.Builder
	b.WriteByte('$')
	for i := len(segs) - 1; i >= 0; i-- {
		b.WriteString(segs[i])
	}
	return b.String(), c.dynBase(cur, x), true
}

// keySeg is a JSON path step for a property name.
func keySeg(k string) string {
	return `."` + strings.ReplaceAll(strings.ReplaceAll(k, `\`, `\\`), `"`, `\"`) + `"`
}

// jsonText renders a decoded JSON value back as compact JSON text.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// dynText is a dynamic element's string form: strings unquoted, the rest
// as JSON.
func dynText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonText(v)
}
