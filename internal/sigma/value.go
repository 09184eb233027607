package sigma

import (
	"regexp"
	"strings"
)

// partKind is what one piece of a Sigma string is.
type partKind uint8

const (
	partLit         partKind = iota // plain characters
	partAny                         // * : any run of characters
	partOne                         // ? : exactly one character
	partPlaceholder                 // %name% after |expand
)

type part struct {
	kind partKind
	s    string // the characters of a literal, or a placeholder's name
}

// sstring is a Sigma string value after wildcard and escape parsing.
type sstring []part

// parseSigmaString splits s into literals and wildcards the way the Sigma
// specification (and pySigma) read it: * and ? are wildcards; a backslash
// escapes *, ? and a backslash; a backslash before anything else is a plain
// backslash, so C:\Windows needs no doubling.
func parseSigmaString(s string) sstring {
	var out sstring
	var acc strings.Builder
	flush := func() {
		if acc.Len() > 0 {
			out = append(out, part{kind: partLit, s: acc.String()})
			acc.Reset()
		}
	}
	escaped := false
	for _, c := range s {
		switch {
		case escaped:
			if c != '*' && c != '?' && c != '\\' {
				acc.WriteByte('\\')
			}
			acc.WriteRune(c)
			escaped = false
		case c == '\\':
			escaped = true
		case c == '*' || c == '?':
			flush()
			k := partAny
			if c == '?' {
				k = partOne
			}
			out = append(out, part{kind: k})
		default:
			acc.WriteRune(c)
		}
	}
	if escaped {
		acc.WriteByte('\\')
	}
	flush()
	return out
}

// lit builds a string that is all literal.
func lit(s string) sstring {
	if s == "" {
		return nil
	}
	return sstring{{kind: partLit, s: s}}
}

// plain returns the string when it has no wildcards or placeholders.
func (p sstring) plain() (string, bool) {
	var b strings.Builder
	for _, x := range p {
		if x.kind != partLit {
			return "", false
		}
		b.WriteString(x.s)
	}
	return b.String(), true
}

func (p sstring) hasWildcard() bool {
	for _, x := range p {
		if x.kind == partAny || x.kind == partOne {
			return true
		}
	}
	return false
}

func (p sstring) hasPlaceholder() bool {
	for _, x := range p {
		if x.kind == partPlaceholder {
			return true
		}
	}
	return false
}

// merge joins adjacent literals and collapses runs of *.
func (p sstring) merge() sstring {
	var out sstring
	for _, x := range p {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if x.kind == partLit && last.kind == partLit {
				last.s += x.s
				continue
			}
			if x.kind == partAny && last.kind == partAny {
				continue
			}
		}
		if x.kind == partLit && x.s == "" {
			continue
		}
		out = append(out, x)
	}
	return out
}

// String writes the value back in Sigma notation, escaping literal wildcards.
func (p sstring) String() string {
	var b strings.Builder
	for _, x := range p {
		switch x.kind {
		case partLit:
			b.WriteString(strings.NewReplacer(`*`, `\*`, `?`, `\?`).Replace(x.s))
		case partAny:
			b.WriteByte('*')
		case partOne:
			b.WriteByte('?')
		case partPlaceholder:
			b.WriteString("%" + x.s + "%")
		}
	}
	return b.String()
}

// mapLits applies f to every literal, keeping wildcards and placeholders.
func (p sstring) mapLits(f func(string) string) sstring {
	out := make(sstring, len(p))
	for i, x := range p {
		if x.kind == partLit {
			x.s = f(x.s)
		}
		out[i] = x
	}
	return out
}

var placeholderRE = regexp.MustCompile(`%(\w+)%`)

// insertPlaceholders turns %name% in literals into placeholders (|expand).
// \% stays a plain percent sign.
func (p sstring) insertPlaceholders() sstring {
	var out sstring
	for _, x := range p {
		if x.kind != partLit {
			out = append(out, x)
			continue
		}
		s := x.s
		last := 0
		for _, m := range placeholderRE.FindAllStringSubmatchIndex(s, -1) {
			if m[0] > 0 && s[m[0]-1] == '\\' {
				continue
			}
			out = append(out, part{kind: partLit, s: unescapePercent(s[last:m[0]])}, part{kind: partPlaceholder, s: s[m[2]:m[3]]})
			last = m[1]
		}
		out = append(out, part{kind: partLit, s: unescapePercent(s[last:])})
	}
	return out.merge()
}

func unescapePercent(s string) string { return strings.ReplaceAll(s, `\%`, `%`) }

// shape is how a wildcard pattern maps onto KQL's string operators.
type shape uint8

const (
	shapeEqual    shape = iota // no wildcards
	shapeContains              // *x*
	shapeStarts                // x*
	shapeEnds                  // *x
	shapeAnything              // only * wildcards
	shapeRegex                 // anything else
)

// classify finds the cheapest exact KQL form of a pattern and the literal
// it needs (for every shape but shapeRegex).
func (p sstring) classify() (shape, string) {
	p = p.merge()
	if len(p) == 0 {
		return shapeEqual, ""
	}
	lead := p[0].kind == partAny
	trail := p[len(p)-1].kind == partAny
	inner := p
	if lead {
		inner = inner[1:]
	}
	if trail && len(inner) > 0 {
		inner = inner[:len(inner)-1]
	}
	if len(inner) == 0 {
		return shapeAnything, ""
	}
	s, ok := inner.plain()
	if !ok {
		return shapeRegex, ""
	}
	switch {
	case lead && trail:
		return shapeContains, s
	case lead:
		return shapeEnds, s
	case trail:
		return shapeStarts, s
	}
	return shapeEqual, s
}

// regex renders a pattern as an RE2 expression matching the whole value.
// Sigma's * and ? match any character, newlines included, so the dot gets
// the s flag. Leading ^.* and trailing .*$ are dropped as equivalent.
func (p sstring) regex(cased bool) string {
	p = p.merge()
	var b strings.Builder
	if cased {
		b.WriteString("(?s)")
	} else {
		b.WriteString("(?is)")
	}
	lead := len(p) > 0 && p[0].kind == partAny
	trail := len(p) > 0 && p[len(p)-1].kind == partAny
	if lead {
		p = p[1:]
	} else {
		b.WriteByte('^')
	}
	if trail && len(p) > 0 {
		p = p[:len(p)-1]
	}
	for _, x := range p {
		switch x.kind {
		case partLit:
			b.WriteString(regexp.QuoteMeta(x.s))
		case partAny:
			b.WriteString(".*")
		case partOne:
			b.WriteByte('.')
		}
	}
	if !trail {
		b.WriteByte('$')
	}
	return b.String()
}
