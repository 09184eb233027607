package kql

import "fmt"

// tokKind classifies a lexical token. Keywords are not their own kinds:
// KQL lets most keywords be names, so the parser decides from context.
type tokKind int

const (
	tEOF      tokKind = iota
	tIdent            // a name or keyword; also !has, in~ and other word operators
	tString           // a string literal; val holds the decoded text
	tLong             // an integer literal, decimal or 0x hex
	tReal             // a real literal: 1.5, 1e5, 1.5e-3
	tTimespan         // a number with a unit: 1d, 1.5h, 100ms, 10microsecond
	tTyped            // a prefixed literal: datetime(…), guid(…), long(…); val holds the text inside the parentheses
	tPunct            // operators and punctuation; text is the symbol
	tBad              // text that is no token; val holds the reason
)

// token is one lexical token with its byte span in the source.
type token struct {
	kind       tokKind
	text       string // the source text of the token
	val        string // decoded string value, typed-literal content, or for tBad "reason\nhint"
	start, end int
	obfuscated bool // an h"…" string
}

func (t token) span() Span { return Span{t.start, t.end} }

// is reports whether t is the punctuation or word s.
func (t token) is(s string) bool {
	return (t.kind == tPunct || t.kind == tIdent) && t.text == s
}

// describe names a token for "expected …, found …" messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return "string " + truncate(t.text, 24)
	case tLong, tReal, tTimespan:
		return "number " + t.text
	case tTyped:
		return truncate(t.text, 32)
	case tBad:
		return fmt.Sprintf("%q", truncate(t.text, 24))
	}
	return "'" + truncate(t.text, 32) + "'"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
