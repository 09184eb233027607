package kql

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// str scans a string literal at l.pos: '…' or "…" with backslash escapes,
// @'…' or @"…" verbatim (a doubled quote stands for one), or a ```…```
// multi-line string. start is where the token begins, before any h prefix
// of an obfuscated string.
func (l *lexer) str(start int, obfuscated bool) {
	var val, reason string
	switch rest := l.src[l.pos:]; {
	case strings.HasPrefix(rest, "```"):
		val, reason = l.multiline()
	case rest[0] == '@':
		val, reason = l.verbatim()
	default:
		val, reason = l.escaped()
	}
	if reason != "" {
		l.bad(start, reason)
		return
	}
	l.add(tString, start, val)
	l.toks[len(l.toks)-1].obfuscated = obfuscated
}

func (l *lexer) multiline() (string, string) {
	body := l.pos + 3
	end := strings.Index(l.src[body:], "```")
	if end < 0 {
		l.pos = len(l.src)
		return "", "missing ``` to close the multi-line string"
	}
	l.pos = body + end + 3
	return l.src[body : body+end], ""
}

func (l *lexer) verbatim() (string, string) {
	q := l.src[l.pos+1]
	var b strings.Builder
	for i := l.pos + 2; ; {
		if i >= len(l.src) || l.src[i] == '\n' || l.src[i] == '\r' {
			l.pos = i
			return "", "missing closing " + string(q) + " of the string"
		}
		c := l.src[i]
		if c != q {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 < len(l.src) && l.src[i+1] == q {
			b.WriteByte(q)
			i += 2
			continue
		}
		l.pos = i + 1
		return b.String(), ""
	}
}

func (l *lexer) escaped() (string, string) {
	q := l.src[l.pos]
	var b strings.Builder
	for i := l.pos + 1; ; {
		if i >= len(l.src) || l.src[i] == '\n' || l.src[i] == '\r' {
			l.pos = i
			return "", "missing closing " + string(q) + " of the string"
		}
		c := l.src[i]
		switch c {
		case q:
			l.pos = i + 1
			return b.String(), ""
		case '\\':
			n, reason := decodeEscape(l.src[i:], &b)
			if reason != "" {
				l.pos = l.skipString(i, q)
				return "", reason
			}
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
}

// skipString returns the offset after the closing quote q (or the end of the
// line), so that a bad escape does not make the rest of the string tokens.
func (l *lexer) skipString(i int, q byte) int {
	for i < len(l.src) && l.src[i] != '\n' {
		switch l.src[i] {
		case '\\':
			i += 2
			continue
		case q:
			return i + 1
		}
		i++
	}
	return min(i, len(l.src))
}

var simpleEscapes = map[byte]byte{
	'\'': '\'', '"': '"', '\\': '\\', 'a': '\a', 'b': '\b', 'f': '\f',
	'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
}

// decodeEscape decodes the escape at the start of s (which begins with a
// backslash) into b and returns its length. The escapes are Kusto's: the
// quotes, backslash, \a \b \f \n \r \t \v, \xHH, \uHHHH, \UHHHHHHHH and
// octal \ooo.
func decodeEscape(s string, b *strings.Builder) (int, string) {
	if len(s) < 2 {
		return 0, "unfinished escape at the end of the string"
	}
	e := s[1]
	if c, ok := simpleEscapes[e]; ok {
		b.WriteByte(c)
		return 2, ""
	}
	switch e {
	case 'x':
		return hexEscape(s, 2, b)
	case 'u':
		return hexEscape(s, 4, b)
	case 'U':
		return hexEscape(s, 8, b)
	}
	if e >= '0' && e <= '7' {
		n := 1
		for n < 3 && 1+n < len(s) && s[1+n] >= '0' && s[1+n] <= '7' {
			n++
		}
		v, _ := strconv.ParseUint(s[1:1+n], 8, 16)
		b.WriteRune(rune(v))
		return 1 + n, ""
	}
	r, _ := utf8.DecodeRuneInString(s[1:])
	return 0, "invalid escape \\" + string(r) + " in string\nuse \\\\ for a backslash, or a verbatim string @\"…\""
}

func hexEscape(s string, digits int, b *strings.Builder) (int, string) {
	end := 2 + digits
	if len(s) < end {
		return 0, "escape " + s[:2] + " needs " + strconv.Itoa(digits) + " hex digits"
	}
	v, err := strconv.ParseUint(s[2:end], 16, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return 0, "invalid escape " + s[:end] + " in string"
	}
	b.WriteRune(rune(v))
	return end, ""
}
