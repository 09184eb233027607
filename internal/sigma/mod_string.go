package sigma

import (
	"regexp"
	"strings"
)

// modContains puts * around a string; on a regular expression it is
// already implied (KQL's matches regex searches); on a field reference it
// asks for the other field's value anywhere in this one.
func modContains(m *modCtx, v val) ([]val, error) {
	return wrapWildcards(m, v, true, true)
}

func modStartswith(m *modCtx, v val) ([]val, error) {
	return wrapWildcards(m, v, false, true)
}

func modEndswith(m *modCtx, v val) ([]val, error) {
	return wrapWildcards(m, v, true, false)
}

func wrapWildcards(m *modCtx, v val, lead, trail bool) ([]val, error) {
	switch v.kind {
	case vRegex:
		v.re = anchorRegex(v.re, !lead, !trail)
		return []val{v}, nil
	case vFieldRef:
		// As in pySigma: a wildcard after the value means "starts with the
		// other field", before it "ends with", both "contains".
		v.refStarts = v.refStarts || trail
		v.refEnds = v.refEnds || lead
		return []val{v}, nil
	}
	v, err := asString(m, v)
	if err != nil {
		return nil, err
	}
	p := v.str
	if lead && (len(p) == 0 || p[0].kind != partAny) {
		p = append(sstring{{kind: partAny}}, p...)
	}
	if trail && (len(p) == 0 || p[len(p)-1].kind != partAny) {
		p = append(append(sstring{}, p...), part{kind: partAny})
	}
	v.str = p
	return []val{v}, nil
}

// anchorRegex anchors a search-style regular expression at its start and/or
// end, grouping a top-level alternation so the anchor binds to all of it.
func anchorRegex(re string, start, end bool) string {
	if !start && !end {
		return re
	}
	if start && strings.HasPrefix(re, "^") {
		start = false
	}
	if end && strings.HasSuffix(re, "$") && !strings.HasSuffix(re, `\$`) {
		end = false
	}
	if !start && !end {
		return re
	}
	out := "(?:" + re + ")"
	if start {
		out = "^" + out
	}
	if end {
		out += "$"
	}
	return out
}

// windashRE finds the characters |windash varies: a dash or slash that
// starts a word after a non-word character, as pySigma's \B[-/]\b does.
var windashRE = regexp.MustCompile(`\B[-/]\b`)

// windashChars are the spellings Windows command lines accept for an
// option's leading dash (Sigma 2.1: -, /, en dash, em dash, horizontal bar).
var windashChars = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

// modWindash expands every option dash into all its spellings.
func modWindash(m *modCtx, v val) ([]val, error) {
	v, err := asString(m, v)
	if err != nil {
		return nil, err
	}
	variants := []sstring{nil}
	for _, p := range v.str {
		if p.kind != partLit {
			variants = appendPart(variants, p)
			continue
		}
		last := 0
		for _, loc := range windashRE.FindAllStringIndex(p.s, -1) {
			variants = appendPart(variants, part{kind: partLit, s: p.s[last:loc[0]]})
			var next []sstring
			for _, dash := range windashChars {
				for _, base := range variants {
					next = append(next, append(append(sstring{}, base...), part{kind: partLit, s: dash}))
				}
			}
			variants = next
			last = loc[1]
			if len(variants) > MaxValues {
				return nil, m.errorf(CodeLimit, "split the value", "|windash expands %q into more than %d values", v.str.String(), MaxValues)
			}
		}
		variants = appendPart(variants, part{kind: partLit, s: p.s[last:]})
	}
	out := make([]val, len(variants))
	for i, s := range variants {
		w := v
		w.str = s.merge()
		out[i] = w
	}
	return out, nil
}

func appendPart(variants []sstring, p part) []sstring {
	for i := range variants {
		variants[i] = append(variants[i], p)
	}
	return variants
}

// modCased makes a string (or a field reference) match case-sensitively.
func modCased(m *modCtx, v val) ([]val, error) {
	if v.kind == vFieldRef {
		v.cased = true
		return []val{v}, nil
	}
	v, err := asString(m, v)
	if err != nil {
		return nil, err
	}
	v.cased = true
	return []val{v}, nil
}
