package esql

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// stringOps maps each KQL string operator to its positive form; the
// negated ones (!contains, …) translate as the negation of the positive.
var stringOps = map[kql.BinOp]kql.BinOp{
	kql.OpHas: kql.OpHas, kql.OpNotHas: kql.OpHas, kql.OpHasCs: kql.OpHasCs, kql.OpNotHasCs: kql.OpHasCs,
	kql.OpHasPrefix: kql.OpHasPrefix, kql.OpNotHasPrefix: kql.OpHasPrefix,
	kql.OpHasPrefixCs: kql.OpHasPrefixCs, kql.OpNotHasPrefixCs: kql.OpHasPrefixCs,
	kql.OpHasSuffix: kql.OpHasSuffix, kql.OpNotHasSuffix: kql.OpHasSuffix,
	kql.OpHasSuffixCs: kql.OpHasSuffixCs, kql.OpNotHasSuffixCs: kql.OpHasSuffixCs,
	kql.OpContains: kql.OpContains, kql.OpNotContains: kql.OpContains,
	kql.OpContainsCs: kql.OpContainsCs, kql.OpNotContainsCs: kql.OpContainsCs,
	kql.OpStartsWith: kql.OpStartsWith, kql.OpNotStartsWith: kql.OpStartsWith,
	kql.OpStartsWithCs: kql.OpStartsWithCs, kql.OpNotStartsWithCs: kql.OpStartsWithCs,
	kql.OpEndsWith: kql.OpEndsWith, kql.OpNotEndsWith: kql.OpEndsWith,
	kql.OpEndsWithCs: kql.OpEndsWithCs, kql.OpNotEndsWithCs: kql.OpEndsWithCs,
	kql.OpRegex: kql.OpRegex,
}

func (c *compiler) stringOp(x *kql.BinaryExpr, neg bool) string {
	pos := stringOps[x.Op]
	if pos != x.Op {
		neg = !neg
	}
	lit, ok := stringConst(x.R)
	if !ok {
		unsupported(x.R, "", "the right side of %s must be a constant string for ES|QL", x.Op)
	}
	subject := c.subject(x.L)
	m := c.matcher(x, pos, subject, lit)
	return nullable(subject, m.p, m.notp, m.emptyTrue, neg)
}

// subject renders the string a string operator looks at; other types are
// converted, as KQL does.
func (c *compiler) subject(e kql.Expr) string {
	if t := c.ch.TypeOf(e); !stringish(t) && t != "" {
		return "TO_STRING(" + c.value(e) + ")"
	}
	if id, ok := e.(*kql.Ident); ok && c.nonText[id.Name] && c.alias[id.Name] == "" {
		return "TO_STRING(" + c.value(e) + ")"
	}
	return c.value(e)
}

// matcher returns the ES|QL predicate for a positive string operator.
//
//   - contains, startswith and endswith are LIKE patterns, on TO_LOWER of
//     the subject unless _cs; startswith_cs and endswith_cs use
//     STARTS_WITH and ENDS_WITH.
//   - has and its prefix and suffix forms are an approximation: a Lucene
//     regular expression (RLIKE) finding the needle between characters
//     that are not ASCII letters or digits. KQL's terms are runs of
//     Unicode letters and digits, so has differs on non-ASCII text, and
//     KQL ignores terms of fewer than three characters in its index but
//     not in has itself, as here.
//   - matches regex accepts the part of RE2 syntax that means the same in
//     Lucene's regular expressions, made unanchored as RE2's search is.
func (c *compiler) matcher(x *kql.BinaryExpr, op kql.BinOp, s, lit string) match {
	lower := "TO_LOWER(" + s + ")"
	low := strings.ToLower(lit)
	like := func(subject, pattern string) match {
		return match{p: subject + " LIKE " + quote(pattern), notp: subject + " NOT LIKE " + quote(pattern)}
	}
	rlike := func(subject, pattern string) match {
		return match{p: subject + " RLIKE " + quote(pattern), notp: subject + " NOT RLIKE " + quote(pattern)}
	}
	fn := func(name string) match {
		p := name + "(" + s + ", " + quote(lit) + ")"
		return match{p: p, notp: "NOT " + p, emptyTrue: lit == ""}
	}
	var m match
	switch op {
	case kql.OpContains, kql.OpContainsCs:
		if lit == "" {
			return match{p: "true", notp: "false", emptyTrue: true}
		}
		if op == kql.OpContains {
			return like(lower, "*"+likeEscape(low)+"*")
		}
		return like(s, "*"+likeEscape(lit)+"*")
	case kql.OpStartsWith:
		m = like(lower, likeEscape(low)+"*")
		m.emptyTrue = lit == ""
	case kql.OpStartsWithCs:
		m = fn("STARTS_WITH")
	case kql.OpEndsWith:
		m = like(lower, "*"+likeEscape(low))
		m.emptyTrue = lit == ""
	case kql.OpEndsWithCs:
		m = fn("ENDS_WITH")
	case kql.OpHas, kql.OpHasPrefix, kql.OpHasSuffix:
		m = rlike(lower, termPattern(x, op, low, "[^a-z0-9]"))
	case kql.OpHasCs, kql.OpHasPrefixCs, kql.OpHasSuffixCs:
		m = rlike(s, termPattern(x, op, lit, "[^A-Za-z0-9]"))
	case kql.OpRegex:
		pat, emptyTrue := lucenePattern(x.R, lit)
		m = rlike(s, pat)
		m.emptyTrue = emptyTrue
	default:
		unsupported(x, "", "%s is not supported by ES|QL", x.Op)
	}
	return m
}

// match is a string predicate for a non-null subject: its ES|QL form, the
// form of its negation, and whether KQL's predicate holds for "".
type match struct {
	p, notp   string
	emptyTrue bool
}

// termPattern matches term as a whole term (has), the start of a term
// (hasprefix) or the end of one (hassuffix); sep is a non-term character.
func termPattern(x *kql.BinaryExpr, op kql.BinOp, term, sep string) string {
	if term == "" {
		unsupported(x.R, "", "%s needs a non-empty term", x.Op)
	}
	before, after := "(.*"+sep+")?", "("+sep+".*)?"
	switch op {
	case kql.OpHasPrefix, kql.OpHasPrefixCs:
		after = ".*"
	case kql.OpHasSuffix, kql.OpHasSuffixCs:
		before = ".*"
	}
	return before + regexEscape(term) + after
}

// re2Only finds RE2 syntax that Lucene's regular expressions do not share:
// character class shorthands, word boundaries, flags and non-capturing or
// look-around groups, and escapes of letters.
var re2Only = regexp.MustCompile(`\\[a-zA-Z]|\(\?`)

// lucenePattern turns an RE2 pattern (unanchored search) into a Lucene
// one (whole-string match), and reports whether the pattern matches "".
func lucenePattern(n kql.Node, re string) (string, bool) {
	compiled, err := regexp.Compile(re)
	if err != nil {
		unsupported(n, "", "bad regular expression: %v", err)
	}
	if m := re2Only.FindString(re); m != "" {
		unsupported(n, "spell classes out, such as [0-9] for \\d", "the regular expression syntax %s is not supported by ES|QL's RLIKE", m)
	}
	core, start, end := re, ".*", ".*"
	if strings.HasPrefix(core, "^") {
		core, start = core[1:], ""
	}
	if strings.HasSuffix(core, "$") && !strings.HasSuffix(core, `\$`) {
		core, end = core[:len(core)-1], ""
	}
	if strings.ContainsAny(core, "^$") {
		unsupported(n, "", "anchors inside a regular expression are not supported by ES|QL's RLIKE")
	}
	// Characters Lucene treats as operators but RE2 as literals.
	core = strings.NewReplacer(`"`, `\"`, `#`, `\#`, `@`, `\@`, `&`, `\&`, `<`, `\<`, `>`, `\>`, `~`, `\~`).Replace(core)
	if start != "" || end != "" {
		core = "(" + core + ")"
	}
	return start + core + end, compiled.MatchString("")
}

// in translates in, !in, in~, !in~, has_any and has_all over constant lists.
func (c *compiler) in(x *kql.InExpr, neg bool) string {
	items := c.constList(x)
	switch x.Op {
	case kql.OpHasAny, kql.OpHasAll:
		return c.hasSet(x, items, neg)
	}
	ci := x.Op == kql.OpInCI || x.Op == kql.OpNotInCI
	if x.Op == kql.OpNotIn || x.Op == kql.OpNotInCI {
		neg = !neg
	}
	t := c.ch.TypeOf(x.X)
	subject := c.value(x.X)
	left := subject
	if ci {
		subject = c.subject(x.X)
	}
	vals := make([]string, len(items))
	emptyTrue := false
	for i, it := range items {
		if s, ok := it.Value.(string); ok {
			if ci {
				s = strings.ToLower(s)
			}
			vals[i] = quote(s)
			emptyTrue = emptyTrue || s == ""
			continue
		}
		vals[i] = c.literal(it)
	}
	if ci {
		left = "TO_LOWER(" + subject + ")"
	}
	p := left + " IN (" + strings.Join(vals, ", ") + ")"
	notp := left + " NOT IN (" + strings.Join(vals, ", ") + ")"
	if stringish(t) {
		return nullable(subject, p, notp, emptyTrue, neg)
	}
	if neg {
		return notp
	}
	return p
}

// hasSet is has_any (any term) and has_all (every term).
func (c *compiler) hasSet(x *kql.InExpr, items []*kql.Literal, neg bool) string {
	subject := c.subject(x.X)
	var parts []string
	for _, it := range items {
		s, ok := it.Value.(string)
		if !ok {
			s = c.literal(it)
		}
		has := &kql.BinaryExpr{Span: x.Span, Op: kql.OpHas, L: x.X, R: it}
		m := c.matcher(has, kql.OpHas, subject, s)
		parts = append(parts, nullable(subject, m.p, m.notp, false, neg))
	}
	op := " OR "
	if (x.Op == kql.OpHasAll) != neg {
		op = " AND "
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, op) + ")"
}

// constList flattens the list of a set operator: constants and constant
// dynamic arrays. Subqueries and columns have no ES|QL form.
func (c *compiler) constList(x *kql.InExpr) []*kql.Literal {
	var out []*kql.Literal
	for _, e := range x.List {
		l, ok := kql.Unparen(e).(*kql.Literal)
		if !ok {
			unsupported(e, "list the values", "%s needs a list of constants for ES|QL", x.Op)
		}
		if arr, ok := l.Value.([]any); ok {
			for _, v := range arr {
				out = append(out, scalarOf(e, v))
			}
			continue
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		unsupported(x, "", "%s with an empty list", x.Op)
	}
	return out
}

// scalarOf turns an element of a dynamic array into a plain constant.
func scalarOf(n kql.Node, v any) *kql.Literal {
	switch x := v.(type) {
	case string:
		return kql.Str(x)
	case bool:
		return kql.Bool(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return kql.Long(i)
		}
		if f, err := x.Float64(); err == nil {
			return kql.Real(f)
		}
	}
	unsupported(n, "", "a list element %v is not supported by ES|QL", v)
	return nil
}
