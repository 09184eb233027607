package sigma

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// fieldRef is a Sigma field resolved to a KQL expression and its type.
type fieldRef struct {
	name string // the Sigma field, for messages
	expr kql.Expr
	typ  catalog.Type
}

func (f fieldRef) isString() bool { return f.typ == catalog.String || f.typ == catalog.GUID }

// asText is the field as a string, for string operators: dynamic and other
// non-string values go through tostring().
func (f fieldRef) asText() kql.Expr {
	if f.isString() {
		return f.expr
	}
	return kCall("tostring", f.expr)
}

// asNumber is the field as a number for comparisons: strings and dynamic
// values go through tolong() or toreal().
func (f fieldRef) asNumber(whole bool) kql.Expr {
	if f.typ.Numeric() {
		return f.expr
	}
	if whole {
		return kCall("tolong", f.expr)
	}
	return kCall("toreal", f.expr)
}

// stringOps are KQL's operators for each pattern shape, case-insensitive
// and case-sensitive.
var stringOps = map[shape][2]kql.BinOp{
	shapeEqual:    {kql.OpEqCI, kql.OpEq},
	shapeContains: {kql.OpContains, kql.OpContainsCs},
	shapeStarts:   {kql.OpStartsWith, kql.OpStartsWithCs},
	shapeEnds:     {kql.OpEndsWith, kql.OpEndsWithCs},
}

// matchPattern matches a text expression against a Sigma string pattern with
// the cheapest exact KQL: =~, contains, startswith, endswith (or their
// case-sensitive forms), else an anchored RE2 matches regex.
func matchPattern(text kql.Expr, p sstring, cased bool) kql.Expr {
	sh, s := p.classify()
	switch sh {
	case shapeAnything:
		return kCall("isnotempty", text)
	case shapeRegex:
		return kBin(kql.OpRegex, text, kStr(p.regex(cased)))
	case shapeEqual:
		if s == "" {
			return kCall("isempty", text)
		}
	}
	op := stringOps[sh][0]
	if cased {
		op = stringOps[sh][1]
	}
	return kBin(op, text, kStr(s))
}

// matchVal compiles one value against a plain field.
func (c *compiler) matchVal(f fieldRef, v val) (kql.Expr, error) {
	switch v.kind {
	case vString:
		return c.matchString(f, v), nil
	case vNumber:
		return c.matchNumber(f, v), nil
	case vBool:
		if f.typ == catalog.Bool {
			return kBin(kql.OpEq, f.expr, kBool(v.orig.Bool)), nil
		}
		return matchPattern(f.asText(), lit(v.orig.Str), false), nil
	case vNull:
		return kCall("isempty", f.expr), nil
	case vRegex:
		return kBin(kql.OpRegex, f.asText(), kStr(v.flaggedRegex())), nil
	case vCIDR:
		fn := "ipv4_is_in_range"
		if v.cidr.Addr().Is6() {
			fn = "ipv6_is_in_range"
		}
		return kCall(fn, f.asText(), kStr(v.cidr.String())), nil
	case vCompare:
		return kBin(compareOps[v.op], f.asNumber(isWhole(v.num)), kNum(v.num)), nil
	case vExists:
		return existsExpr(f, v.exists), nil
	case vFieldRef:
		return c.matchFieldRef(f, v)
	case vTimePart:
		return kBin(kql.OpEq, timePart(f, v.timeUnit), kNum(v.num)), nil
	}
	return nil, errorf(CodeInternal, v.orig.Pos, "", "value of kind %d reached the compiler", v.kind)
}

var compareOps = map[string]kql.BinOp{"lt": kql.OpLt, "lte": kql.OpLe, "gt": kql.OpGt, "gte": kql.OpGe}

func isWhole(f float64) bool { return f == float64(int64(f)) }

// matchString matches a string pattern. A plain number against a numeric
// column compares numerically, since Sigma writes EventID: '4624' too.
func (c *compiler) matchString(f fieldRef, v val) kql.Expr {
	if s, ok := v.str.plain(); ok {
		if f.typ.Numeric() {
			if n, ok := parseNumber(s); ok {
				return kBin(kql.OpEq, f.expr, kNum(n))
			}
		}
		if f.typ == catalog.Bool {
			if b, ok := boolOf(v); ok {
				return kBin(kql.OpEq, f.expr, kBool(b))
			}
		}
	}
	return matchPattern(f.asText(), v.str, v.cased)
}

// matchNumber compares a YAML number: numerically against a number column,
// as its written text against anything else (0x17 stays 0x17).
func (c *compiler) matchNumber(f fieldRef, v val) kql.Expr {
	if f.typ.Numeric() {
		return kBin(kql.OpEq, f.expr, kNum(v.orig.Num))
	}
	return matchPattern(f.asText(), lit(v.orig.Str), false)
}

// existsExpr: strings in Kusto are never null (missing reads as ""), so
// presence of a string is isnotempty; dynamic properties and typed columns
// can be null, so isnotnull tells presence exactly.
func existsExpr(f fieldRef, exists bool) kql.Expr {
	fn := map[bool]string{true: "isnotnull", false: "isnull"}[exists]
	if f.isString() {
		fn = map[bool]string{true: "isnotempty", false: "isempty"}[exists]
	}
	return kCall(fn, f.expr)
}

func (c *compiler) matchFieldRef(f fieldRef, v val) (kql.Expr, error) {
	other, sp, err := c.resolveField(v.ref, v.orig.Pos)
	if err != nil {
		return nil, err
	}
	if sp != nil {
		return nil, errorf(CodeUnsupportedModifier, v.orig.Pos, "reference a field that maps to a single column",
			"|fieldref to %q, which maps to more than one column", v.ref)
	}
	if f.typ.Numeric() && other.typ.Numeric() && !v.refStarts && !v.refEnds {
		return kBin(kql.OpEq, f.expr, other.expr), nil
	}
	op := kql.OpEqCI
	switch {
	case v.refStarts && v.refEnds:
		op = kql.OpContains
	case v.refStarts:
		op = kql.OpStartsWith
	case v.refEnds:
		op = kql.OpEndsWith
	}
	if v.cased {
		op = map[kql.BinOp]kql.BinOp{kql.OpEqCI: kql.OpEq, kql.OpContains: kql.OpContainsCs,
			kql.OpStartsWith: kql.OpStartsWithCs, kql.OpEndsWith: kql.OpEndsWithCs}[op]
	}
	return kBin(op, f.asText(), other.asText()), nil
}

// timePart extracts a part of a datetime field with KQL's date functions.
func timePart(f fieldRef, unit string) kql.Expr {
	x := f.expr
	if f.typ != catalog.Datetime {
		x = kCall("todatetime", x)
	}
	switch unit {
	case "minute":
		return kCall("datetime_part", kStr("minute"), x)
	case "hour":
		return kCall("hourofday", x)
	case "day":
		return kCall("dayofmonth", x)
	case "week":
		return kCall("week_of_year", x)
	case "month":
		return kCall("getmonth", x)
	}
	return kCall("getyear", x)
}

// maxPatternOrs is how many ORed string tests an item may produce before
// they are folded into one regular expression (|windash, |base64offset and
// long lists otherwise give unreadable KQL).
const maxPatternOrs = 32

// orValues compiles values that are ORed against one plain field, grouping
// equalities into in~ / in lists.
func (c *compiler) orValues(f fieldRef, vals []val) (kql.Expr, error) {
	var ci, cs, nums []kql.Expr
	var patterns []val
	var rest []kql.Expr
	for _, v := range vals {
		if s, ok := v.str.plain(); v.kind == vString && ok && s != "" && f.isString() {
			if v.cased {
				cs = append(cs, kStr(s))
			} else {
				ci = append(ci, kStr(s))
			}
			continue
		}
		if v.kind == vNumber && f.typ.Numeric() {
			nums = append(nums, kNum(v.orig.Num))
			continue
		}
		if (v.kind == vNumber || v.kind == vBool) && f.isString() {
			ci = append(ci, kStr(v.orig.Str))
			continue
		}
		if v.kind == vString && f.isString() {
			patterns = append(patterns, v)
			continue
		}
		e, err := c.matchVal(f, v)
		if err != nil {
			return nil, err
		}
		rest = append(rest, e)
	}
	out := []kql.Expr{inList(f.expr, kql.OpEqCI, kql.OpInCI, ci), inList(f.expr, kql.OpEq, kql.OpIn, cs), inList(f.expr, kql.OpEq, kql.OpIn, nums)}
	out = append(out, patternOrs(f.asText(), patterns)...)
	return kOr(append(out, rest...)...), nil
}

func inList(x kql.Expr, eq, in kql.BinOp, list []kql.Expr) kql.Expr {
	switch len(list) {
	case 0:
		return nil
	case 1:
		return kBin(eq, x, list[0])
	}
	return kIn(x, in, list)
}

// patternOrs gives one test per pattern, or a single regular expression when
// there are too many to read.
func patternOrs(text kql.Expr, ps []val) []kql.Expr {
	if len(ps) <= maxPatternOrs {
		out := make([]kql.Expr, len(ps))
		for i, v := range ps {
			out[i] = matchPattern(text, v.str, v.cased)
		}
		return out
	}
	var ci, cs []string
	for _, v := range ps {
		re := strings.TrimPrefix(strings.TrimPrefix(v.str.regex(v.cased), "(?is)"), "(?s)")
		if v.cased {
			cs = append(cs, re)
		} else {
			ci = append(ci, re)
		}
	}
	var out []kql.Expr
	if len(ci) > 0 {
		out = append(out, kBin(kql.OpRegex, text, kStr("(?is)(?:"+strings.Join(ci, "|")+")")))
	}
	if len(cs) > 0 {
		out = append(out, kBin(kql.OpRegex, text, kStr("(?s)(?:"+strings.Join(cs, "|")+")")))
	}
	return out
}
