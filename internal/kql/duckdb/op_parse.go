package duckdb

import (
	"regexp"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// parse matches the pattern as one regular expression with a capture group
// per column (regexp_extract returns "" for every group when nothing
// matches), then converts typed captures. kind=simple and kind=relaxed
// anchor the pattern at both ends and capture lazily; kind=regex leaves it
// unanchored and uses the literals as regular expressions. With
// kind=simple a row whose typed capture does not convert gets no values at
// all; kind=relaxed converts each column on its own. parse-where keeps only
// rows that matched and converted.
func (c *compiler) parse(x *kql.ParseOp, in *rel) *rel {
	info := c.ch.Info(x).(*check.ParseInfo)
	pattern := parseRegex(info)
	s := c.toStr(x.X, ectx{})
	names := make([]string, len(info.Cols))
	for i := range info.Cols {
		names[i] = "'g" + itoa(i) + "'"
	}
	pre := c.stage("parse (match)", "SELECT *, regexp_extract("+s+", "+quoteString(pattern)+", ["+join(names)+"]) AS \"__p\", regexp_matches("+s+", "+quoteString(pattern)+") AS \"__m\" FROM "+in.name, in.cols)
	conv := map[string]string{}
	var ok []string
	for i, col := range info.Cols {
		g := "struct_extract(\"__p\", 'g" + itoa(i) + "')"
		v := convertText(g, col.Type)
		conv[col.Name] = v
		if col.Type != catalog.String {
			ok = append(ok, v+" IS NOT NULL")
		}
	}
	allOK := "TRUE"
	if len(ok) > 0 {
		allOK = strings.Join(ok, " AND ")
	}
	outCols := c.schemaCols(x)
	var sel []string
	for _, col := range outCols {
		v, parsed := conv[col.Name]
		if !parsed {
			sel = append(sel, quoteIdent(col.Name))
			continue
		}
		if info.Kind == "simple" && len(ok) > 0 && !x.Where {
			v = "CASE WHEN " + allOK + " THEN " + v + " ELSE " + nullOf(col.Type) + " END"
		}
		if col.Type == catalog.String {
			v = "coalesce(" + v + ", '')"
		}
		sel = append(sel, v+" AS "+quoteIdent(col.Name))
	}
	sql := "SELECT " + partSelect(in) + join(sel) + " FROM " + pre.name
	if x.Where {
		sql += " WHERE \"__m\" AND " + allOK
	}
	label := "parse"
	if x.Where {
		label = "parse-where"
	}
	out := c.stage(label, sql, outCols)
	changed := map[string]bool{}
	for _, col := range info.Cols {
		changed[col.Name] = true
	}
	keepOrder(in, out, changed)
	out.part = in.part
	return out
}

// parseRegex builds the pattern's regular expression.
func parseRegex(info *check.ParseInfo) string {
	var b strings.Builder
	regex := info.Kind == "regex"
	if regex && info.Flags != "" {
		b.WriteString("(?" + info.Flags + ")")
	}
	if !regex {
		b.WriteString("^")
	}
	col := 0
	for i, p := range info.Parts {
		switch {
		case p.Star:
			b.WriteString(".*?")
		case p.Lit != nil:
			s, _ := p.Lit.Value.(string)
			if regex {
				b.WriteString("(?:" + nonCapturing(s) + ")")
			} else {
				b.WriteString(regexp.QuoteMeta(s))
			}
		case p.Col != nil:
			t := info.Cols[col].Type
			col++
			last := i == len(info.Parts)-1
			nextStar := i+1 < len(info.Parts) && info.Parts[i+1].Star
			b.WriteString("(" + captureShape(t, regex || nextStar, last && !regex) + ")")
		}
	}
	if !regex {
		b.WriteString("$")
	}
	return b.String()
}

// captureShape is what a column captures: lazily anything, or for typed
// columns where nothing else bounds the capture, the shape of the type.
func captureShape(t catalog.Type, shaped, last bool) string {
	if shaped {
		switch t {
		case catalog.Int, catalog.Long:
			return `\s*[-+]?\d+`
		case catalog.Real, catalog.Decimal:
			return `\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`
		case catalog.Bool:
			return `(?i:true|false)`
		}
	}
	if last {
		return ".*"
	}
	return ".*?"
}

// nonCapturing turns the capture groups of a user regex into non-capturing
// ones, so that the pattern's own groups keep their numbers.
func nonCapturing(re string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(re); i++ {
		ch := re[i]
		switch {
		case ch == '\\' && i+1 < len(re):
			b.WriteByte(ch)
			b.WriteByte(re[i+1])
			i++
			continue
		case ch == '[':
			inClass = true
		case ch == ']':
			inClass = false
		case ch == '(' && !inClass && (i+1 >= len(re) || re[i+1] != '?'):
			b.WriteString("(?:")
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}
