package esql

import (
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// keywords are ES|QL words a column may not be named without quoting.
var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "is": true, "like": true, "rlike": true, "null": true,
	"true": true, "false": true, "by": true, "as": true, "asc": true, "desc": true, "nulls": true, "first": true,
	"last": true, "on": true, "with": true, "metadata": true, "where": true, "from": true, "limit": true,
}

// isPlain reports whether name can be written without backticks: it
// starts with a letter, _ or @ and goes on with letters, digits and _.
func isPlain(name string) bool {
	if name == "" || keywords[strings.ToLower(name)] {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case r == '@' && i == 0:
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// ident renders a column or field name, in backticks when it needs them
// (a dotted Elasticsearch field name is one identifier in backticks).
func ident(name string) string {
	if isPlain(name) {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// quote renders an ES|QL string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// likeEscape makes s match itself in a LIKE pattern, whose wildcards are
// * and ? and whose escape is \.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`).Replace(s)
}

// regexEscape makes s match itself in a Lucene regular expression (RLIKE),
// escaping every character with a meaning in any of its optional syntaxes.
func regexEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`.?+*|{}[]()"\#@&<>~^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// timespan renders a KQL timespan as an ES|QL time span literal in its
// largest exact unit.
func timespan(n kql.Node, d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}, {time.Millisecond, "millisecond"}}
	for _, u := range units {
		if d%u.d == 0 {
			n := d / u.d
			s := strconv.FormatInt(int64(n), 10) + " " + u.name
			if n != 1 {
				s += "s"
			}
			if neg {
				s = "-" + s
			}
			return s
		}
	}
	unsupported(n, "round it to whole milliseconds", "ES|QL time spans have millisecond precision; found %s", kql.TimespanText(d))
	return ""
}

// datetime renders a datetime constant.
func datetime(t time.Time) string {
	return `TO_DATETIME("` + t.UTC().Format("2006-01-02T15:04:05.000Z") + `")`
}

func itoa(n int) string { return strconv.Itoa(n) }
