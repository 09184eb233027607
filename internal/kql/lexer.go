package kql

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lex splits src into tokens, ending with a tEOF token. It never fails:
// text that is no token becomes a tBad token that the parser reports, so
// every lexical problem gets the same span and message treatment as a
// syntax error.
func lex(src string) []token {
	l := &lexer{src: src, toks: make([]token, 0, len(src)/4+1)}
	for l.next() {
	}
	return l.toks
}

type lexer struct {
	src  string
	pos  int
	toks []token
}

// next scans one token and reports whether there may be more.
func (l *lexer) next() bool {
	l.skipTrivia()
	start := l.pos
	if start >= len(l.src) {
		l.add(tEOF, start, "")
		return false
	}
	c := l.src[start]
	switch {
	case isIdentStart(l.runeAt(start)):
		l.word()
	case c >= '0' && c <= '9':
		l.number()
	case c == '\'' || c == '"':
		l.str(start, false)
	case c == '@' && start+1 < len(l.src) && (l.src[start+1] == '\'' || l.src[start+1] == '"'):
		l.str(start, false)
	case strings.HasPrefix(l.src[start:], "```"):
		l.str(start, false)
	case c == '!' && start+1 < len(l.src) && isIdentStart(l.runeAt(start+1)):
		l.negatedWord()
	default:
		l.punct()
	}
	return true
}

func (l *lexer) runeAt(i int) rune {
	r, _ := utf8.DecodeRuneInString(l.src[i:])
	return r
}

// skipTrivia skips white space and // comments.
func (l *lexer) skipTrivia() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.pos++
		case c == '/' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '/':
			end := strings.IndexByte(l.src[l.pos:], '\n')
			if end < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += end + 1
			}
		case c >= utf8.RuneSelf && unicode.IsSpace(l.runeAt(l.pos)):
			_, n := utf8.DecodeRuneInString(l.src[l.pos:])
			l.pos += n
		default:
			return
		}
	}
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// scanWord returns the end of the identifier characters starting at i.
func (l *lexer) scanWord(i int) int {
	for i < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[i:])
		if !isIdentPart(r) {
			break
		}
		i += n
	}
	return i
}

// typedPrefixes are the words that, directly followed by '(', make one
// literal token whose content is not lexed as KQL: datetime(2024-01-02 03:04),
// guid(…), time(1.02:03:04). Kusto's own lexer does the same.
var typedPrefixes = map[string]bool{
	"datetime": true, "time": true, "timespan": true, "guid": true,
	"bool": true, "int": true, "long": true, "real": true, "double": true, "decimal": true,
}

func (l *lexer) word() {
	start := l.pos
	_, n := utf8.DecodeRuneInString(l.src[start:])
	l.pos = l.scanWord(start + n)
	w := l.src[start:l.pos]
	rest := l.src[l.pos:]
	switch {
	case (w == "h" || w == "H") && (strings.HasPrefix(rest, "'") || strings.HasPrefix(rest, "\"") ||
		strings.HasPrefix(rest, "@'") || strings.HasPrefix(rest, "@\"") || strings.HasPrefix(rest, "```")):
		l.str(start, true)
	case typedPrefixes[w] && strings.HasPrefix(rest, "("):
		l.typed(start)
	case w == "in" && strings.HasPrefix(rest, "~"):
		l.pos++
		l.add(tIdent, start, "")
	default:
		l.add(tIdent, start, "")
	}
}

// negatedWords are the operators spelt with a leading '!'.
var negatedWords = map[string]bool{
	"in": true, "between": true, "has": true, "has_cs": true,
	"hasprefix": true, "hasprefix_cs": true, "hassuffix": true, "hassuffix_cs": true,
	"contains": true, "contains_cs": true, "startswith": true, "startswith_cs": true,
	"endswith": true, "endswith_cs": true,
}

func (l *lexer) negatedWord() {
	start := l.pos
	end := l.scanWord(start + 1)
	if !negatedWords[l.src[start+1:end]] {
		l.pos++
		l.add(tPunct, start, "")
		return
	}
	l.pos = end
	if l.src[start+1:end] == "in" && strings.HasPrefix(l.src[end:], "~") {
		l.pos++
	}
	l.add(tIdent, start, "")
}

func (l *lexer) add(kind tokKind, start int, val string) {
	l.toks = append(l.toks, token{kind: kind, text: l.src[start:l.pos], val: val, start: start, end: l.pos})
}

func (l *lexer) bad(start int, reason string) {
	l.add(tBad, start, reason)
}

// typed scans prefix(…) up to the first ')'.
func (l *lexer) typed(start int) {
	open := l.pos
	end := strings.IndexByte(l.src[open:], ')')
	nl := strings.IndexByte(l.src[open:], '\n')
	if end < 0 || (nl >= 0 && nl < end) {
		l.pos = open + 1
		l.bad(start, "missing ')' to close "+l.src[start:open]+"(")
		return
	}
	l.pos = open + end + 1
	l.add(tTyped, start, strings.TrimSpace(l.src[open+1:open+end]))
}

func (l *lexer) number() {
	start := l.pos
	s := l.src
	i := start
	if strings.HasPrefix(s[i:], "0x") || strings.HasPrefix(s[i:], "0X") {
		j := i + 2
		for j < len(s) && isHex(s[j]) {
			j++
		}
		if j > i+2 {
			l.pos = j
			l.add(tLong, start, "")
			return
		}
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	kind := tLong
	// "1." is a real unless it starts "1..", the range in between (1..5).
	if i < len(s) && s[i] == '.' && !(i+1 < len(s) && s[i+1] == '.') && !(i+1 < len(s) && isIdentStart(l.runeAt(i+1))) {
		kind = tReal
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			kind, i = tReal, j
		}
	}
	l.pos = i
	if i < len(s) && isIdentPart(l.runeAt(i)) {
		l.numberSuffix(start, kind)
		return
	}
	l.add(kind, start, "")
}

// numberSuffix handles a number followed by letters: a timespan unit (1d,
// 1.5h), or, as in Kusto, a name that starts with digits (1st_seen).
func (l *lexer) numberSuffix(start int, kind tokKind) {
	numEnd := l.pos
	l.pos = l.scanWord(numEnd)
	suffix := l.src[numEnd:l.pos]
	if _, ok := timespanUnits[suffix]; ok && !strings.ContainsAny(l.src[start:numEnd], "eE") {
		l.add(tTimespan, start, "")
		return
	}
	if kind == tLong {
		l.add(tIdent, start, "")
		return
	}
	l.bad(start, "invalid number "+strconv.Quote(l.src[start:l.pos]))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// punctuation, longest first.
var puncts = []string{
	"==", "!=", "<>", "<=", ">=", "=~", "!~", "..", "=>",
	"|", "(", ")", "[", "]", "{", "}", ",", ";", "=", "<", ">",
	"+", "-", "*", "/", "%", ".", ":", "!", "~", "?", "@", "#",
}

func (l *lexer) punct() {
	start := l.pos
	for _, p := range puncts {
		if strings.HasPrefix(l.src[start:], p) {
			l.pos += len(p)
			l.add(tPunct, start, "")
			return
		}
	}
	r, n := utf8.DecodeRuneInString(l.src[start:])
	l.pos += n
	if r == utf8.RuneError && n == 1 {
		l.bad(start, "invalid UTF-8 in query")
		return
	}
	l.bad(start, "unexpected character "+strconv.QuoteRune(r))
}
