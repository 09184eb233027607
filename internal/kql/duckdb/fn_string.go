package duckdb

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

func init() {
	emit("strlen", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "CAST(length(" + c.str(n, 0, x) + ") AS BIGINT)"
	})
	emit("string_size", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "CAST(strlen(" + c.str(n, 0, x) + ") AS BIGINT)"
	})
	emit("tolower", strFn("lower"))
	emit("toupper", strFn("upper"))
	emit("reverse", strFn("reverse"))
	emit("url_decode", strFn("url_decode"))
	emit("url_encode", strFn("url_encode"))
	emit("url_encode_component", strFn("url_encode"))
	emit("base64_encode_tostring", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "to_base64(encode(" + c.str(n, 0, x) + "))"
	})
	emit("base64_decode_tostring", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "TRY(decode(from_base64(" + c.str(n, 0, x) + ")))"
	})
	hash := func(fn string) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			// Kusto hashes the empty string (and tostring of null) to "".
			v := c.str(n, 0, x)
			return "CASE WHEN " + v + " = '' THEN '' ELSE " + fn + "(" + v + ") END"
		}
	}
	emit("hash_sha256", hash("sha256"))
	emit("hash_sha1", hash("sha1"))
	emit("hash_md5", hash("md5"))
	emit("isascii", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "regexp_full_match(" + c.str(n, 0, x) + ", '[\\x00-\\x7F]*')"
	})
	emit("strcat", func(c *compiler, n *kql.CallExpr, x ectx) string {
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = c.toStr(a, x)
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return "(" + strings.Join(parts, " || ") + ")"
	})
	emit("strcat_delim", func(c *compiler, n *kql.CallExpr, x ectx) string {
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = c.toStr(a, x)
		}
		return "concat_ws(" + join(parts) + ")"
	})
	emit("strcmp", func(c *compiler, n *kql.CallExpr, x ectx) string {
		a, b := c.str(n, 0, x), c.str(n, 1, x)
		return "CAST(sign(" + "CASE WHEN " + a + " = " + b + " THEN 0 WHEN " + a + " < " + b + " THEN -1 ELSE 1 END) AS INTEGER)"
	})
	emit("strrep", func(c *compiler, n *kql.CallExpr, x ectx) string {
		s, k := c.str(n, 0, x), c.arg(n, 1, x)
		if len(n.Args) == 3 {
			d := c.str(n, 2, x)
			return "CASE WHEN " + k + " <= 0 THEN '' ELSE repeat(" + s + " || " + d + ", " + k + " - 1) || " + s + " END"
		}
		return "repeat(" + s + ", greatest(" + k + ", 0))"
	})
	emit("substring", func(c *compiler, n *kql.CallExpr, x ectx) string {
		s, start := c.str(n, 0, x), c.intArg(n.Args[1], x)
		// Kusto counts from 0 and clamps a negative start to the beginning.
		if len(n.Args) == 3 {
			return "substring(" + s + ", greatest(" + start + ", 0) + 1, greatest(" + c.intArg(n.Args[2], x) + ", 0))"
		}
		return "substring(" + s + ", greatest(" + start + ", 0) + 1)"
	})
	emit("strcat_array", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "array_to_string(from_json(" + c.jsonArg(n.Args[0], x) + ", '[\"VARCHAR\"]'), " + c.str(n, 1, x) + ")"
	})
	emit("split", func(c *compiler, n *kql.CallExpr, x ectx) string {
		l := macro("kql_split", c.str(n, 0, x), c.str(n, 1, x))
		if len(n.Args) == 3 {
			i := c.intArg(n.Args[2], x)
			return bind(l, func(l string) string {
				return "to_json(CASE WHEN " + i + " >= 0 AND " + i + " < len(" + l + ") THEN [" + l + "[" + i + " + 1]] ELSE [] END)"
			})
		}
		return "to_json(" + l + ")"
	})
	emit("replace_string", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "replace(" + c.str(n, 0, x) + ", " + c.str(n, 1, x) + ", " + c.str(n, 2, x) + ")"
	})
	emit("replace_regex", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "regexp_replace(" + c.str(n, 0, x) + ", " + c.str(n, 1, x) + ", " + c.str(n, 2, x) + ", 'g')"
	})
	emit("replace", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "regexp_replace(" + c.str(n, 2, x) + ", " + c.str(n, 0, x) + ", " + c.str(n, 1, x) + ", 'g')"
	})
	trim := func(lead, trail bool) emitter {
		return func(c *compiler, n *kql.CallExpr, x ectx) string {
			re, s := c.str(n, 0, x), c.str(n, 1, x)
			if lit, ok := constString(n.Args[0]); ok {
				var alts []string
				if lead {
					alts = append(alts, "^(?:"+lit+")+")
				}
				if trail {
					alts = append(alts, "(?:"+lit+")+$")
				}
				return "regexp_replace(" + s + ", " + quoteString(strings.Join(alts, "|")) + ", '', 'g')"
			}
			var alts []string
			if lead {
				alts = append(alts, "'^(?:' || "+re+" || ')+'")
			}
			if trail {
				alts = append(alts, "'(?:' || "+re+" || ')+$'")
			}
			return "regexp_replace(" + s + ", " + strings.Join(alts, " || '|' || ") + ", '', 'g')"
		}
	}
	emit("trim", trim(true, true))
	emit("trim_start", trim(true, false))
	emit("trim_end", trim(false, true))
	emit("translate", func(c *compiler, n *kql.CallExpr, x ectx) string {
		return "translate(" + c.str(n, 2, x) + ", " + c.str(n, 0, x) + ", " + c.str(n, 1, x) + ")"
	})
	emit("indexof", func(c *compiler, n *kql.CallExpr, x ectx) string {
		s, sub := c.str(n, 0, x), c.str(n, 1, x)
		start := "0"
		if len(n.Args) >= 3 {
			start = "greatest(" + c.intArg(n.Args[2], x) + ", 0)"
		}
		hay := "substring(" + s + ", " + start + " + 1)"
		if len(n.Args) >= 4 {
			hay = "substring(" + s + ", " + start + " + 1, greatest(" + c.intArg(n.Args[3], x) + ", 0))"
		}
		occ := "1"
		if len(n.Args) == 5 {
			occ = c.intArg(n.Args[4], x)
		}
		return macro("kql_indexof", hay, sub, start, occ)
	})
	emit("countof", func(c *compiler, n *kql.CallExpr, x ectx) string {
		s, sub := c.str(n, 0, x), c.str(n, 1, x)
		if len(n.Args) == 3 {
			if k, _ := constString(n.Args[2]); k == "regex" {
				return "CAST(len(regexp_extract_all(" + s + ", " + sub + ")) AS BIGINT)"
			}
		}
		return macro("kql_countof", s, sub)
	})
	emit("extract", func(c *compiler, n *kql.CallExpr, x ectx) string {
		v := "regexp_extract(" + c.str(n, 2, x) + ", " + c.str(n, 0, x) + ", " + c.intArg(n.Args[1], x) + ")"
		return convertText(v, c.typ(n))
	})
	emit("extract_all", func(c *compiler, n *kql.CallExpr, x ectx) string {
		re := c.str(n, 0, x)
		text := c.str(n, len(n.Args)-1, x)
		groups := []int{}
		if len(n.Args) == 3 {
			if l, ok := unparen(n.Args[1]).(*kql.Literal); ok {
				if arr, ok := l.Value.([]any); ok {
					for _, g := range arr {
						if f, ok := numberOf(g); ok {
							groups = append(groups, int(f))
						}
					}
				}
			}
		} else if lit, ok := constString(n.Args[0]); ok {
			if rx, err := regexp.Compile(lit); err == nil {
				for g := 1; g <= rx.NumSubexp(); g++ {
					groups = append(groups, g)
				}
			}
		}
		var list string
		switch len(groups) {
		case 0:
			list = "regexp_extract_all(" + text + ", " + re + ")"
		case 1:
			list = "regexp_extract_all(" + text + ", " + re + ", " + strconv.Itoa(groups[0]) + ")"
		default:
			var cols []string
			for _, g := range groups {
				cols = append(cols, "regexp_extract_all("+text+", "+re+", "+strconv.Itoa(g)+")[_i]")
			}
			first := "regexp_extract_all(" + text + ", " + re + ", " + strconv.Itoa(groups[0]) + ")"
			list = "list_transform(range(1, len(" + first + ") + 1), _i -> [" + join(cols) + "])"
		}
		return "CASE WHEN len(" + list + ") = 0 THEN NULL ELSE to_json(" + list + ") END"
	})
	emit("extract_json", func(c *compiler, n *kql.CallExpr, x ectx) string {
		v := "json_extract_string(" + c.jsonArg(n.Args[1], x) + ", " + c.str(n, 0, x) + ")"
		return convertText(v, c.typ(n))
	})
	emit("base64_decode_toarray", func(c *compiler, n *kql.CallExpr, x ectx) string {
		h := "hex(TRY(from_base64(" + c.str(n, 0, x) + ")))"
		return "to_json(list_transform(range(0, length(" + h + "), 2), _i -> CAST('0x' || substring(" + h + ", _i + 1, 2) AS INTEGER)))"
	})
	emit("make_string", func(c *compiler, n *kql.CallExpr, x ectx) string {
		var parts []string
		for _, a := range n.Args {
			if c.typ(a) == catalog.Dynamic {
				parts = append(parts, "array_to_string(list_transform(from_json("+c.expr(a, x.value())+", '[\"BIGINT\"]'), _c -> chr(CAST(_c AS INTEGER))), '')")
			} else {
				parts = append(parts, "chr(CAST("+c.expr(a, x.value())+" AS INTEGER))")
			}
		}
		return "(" + strings.Join(parts, " || ") + ")"
	})
	emit("parse_url", func(c *compiler, n *kql.CallExpr, x ectx) string { return macro("kql_parse_url", c.str(n, 0, x)) })
	emit("parse_path", func(c *compiler, n *kql.CallExpr, x ectx) string { return macro("kql_parse_path", c.str(n, 0, x)) })
	emit("tohex", func(c *compiler, n *kql.CallExpr, x ectx) string {
		v := macro("kql_tohex", c.arg(n, 0, x))
		if len(n.Args) == 2 {
			w := c.arg(n, 1, x)
			return bind(v, func(v string) string {
				return "lpad(" + v + ", CAST(greatest(" + w + ", length(" + v + ")) AS INTEGER), '0')"
			})
		}
		return v
	})
}

// convertText converts extracted text to the requested type (extract with
// typeof(T)); an empty match is null.
func convertText(v string, t catalog.Type) string {
	switch t {
	case catalog.String, catalog.GUID, "":
		return v
	case catalog.Int, catalog.Long:
		return "TRY_CAST(kql_int_text(" + v + ") AS " + sqlType(t) + ")"
	case catalog.Real, catalog.Decimal:
		return "TRY_CAST(nullif(" + v + ", '') AS DOUBLE)"
	case catalog.Bool:
		return macro("kql_tobool", v)
	case catalog.Datetime:
		return macro("kql_todatetime", v)
	case catalog.Timespan:
		return macro("kql_totimespan", v)
	case catalog.Dynamic:
		return macro("kql_parse_json", v)
	}
	return v
}

// intArg lowers an integer argument; dynamic values are cast.
func (c *compiler) intArg(e kql.Expr, x ectx) string {
	if l, ok := unparen(e).(*kql.Literal); ok && l.Value != nil {
		return literal(l, true)
	}
	v := c.expr(e, x.value())
	if c.typ(e) == catalog.Dynamic || c.typ(e) == catalog.Real {
		return "TRY_CAST(" + v + " AS BIGINT)"
	}
	return v
}

func numberOf(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case interface{ Float64() (float64, error) }:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
