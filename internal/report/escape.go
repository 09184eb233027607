package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sanitize makes untrusted text safe to show anywhere: invalid UTF-8
// becomes U+FFFD, and control characters (ESC starts terminal escape
// sequences) and invisible format characters (bidirectional overrides,
// zero-width spaces), which can hide or reorder what an analyst reads,
// become visible escapes such as \x1b and \u202e. Newlines and tabs stay;
// the caller decides what they become.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !needsSanitize(s) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r' || r == '\u2028' || r == '\u2029':
			b.WriteByte('\n') // line breaks by other names
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsSanitize(s string) bool {
	for _, r := range s {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029') {
			return true
		}
	}
	return false
}

// flatten puts sanitized text on one line: line breaks become sep, tabs a
// space.
func flatten(s, sep string) string {
	if !strings.ContainsAny(s, "\n\t") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			b.WriteString(sep)
		case '\t':
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// clip shortens s to at most n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// mdSpecial are the characters that can start Markdown or HTML inline
// syntax (emphasis, links, images, code, raw HTML and entities, GFM
// strikethrough and table cells, GitHub math). Each is backslash-escaped,
// which CommonMark defines for every ASCII punctuation character.
const mdSpecial = "\\`*_[]<>&|~$"

// proseTokenMax caps one word of prose; a longer "word" is data (a hash, a
// command line without spaces) and goes into a code span.
const proseTokenMax = 60

// text renders untrusted prose as inert inline Markdown on one line. Words
// that look like links, e-mail addresses, paths or markup go into code
// spans, because GFM turns bare URLs and addresses into live links that no
// backslash reliably stops; everything else is escaped, HTML included.
func text(s string) string { return prose(s, false) }

func prose(s string, inTable bool) string {
	s = strings.TrimSpace(flatten(sanitize(s), " "))
	words := strings.Split(s, " ")
	for i, w := range words {
		lead, core, trail := splitPunct(w)
		switch {
		case w == "":
		case dataLike(core) && inTable:
			words[i] = escapeMarkdown(lead) + cell(core, proseTokenMax*4) + escapeMarkdown(trail)
		case dataLike(core):
			words[i] = escapeMarkdown(lead) + code(core, proseTokenMax*4) + escapeMarkdown(trail)
		default:
			words[i] = escapeMarkdown(w)
		}
	}
	return escapeLineStart(strings.Join(words, " "))
}

// splitPunct separates the punctuation around a word, so "(alice@contoso.com)."
// puts only the address in a code span.
func splitPunct(w string) (lead, core, trail string) {
	core = strings.TrimLeft(w, "(\"'")
	lead = w[:len(w)-len(core)]
	c := strings.TrimRight(core, ".,;:!?)\"'")
	if c == "" {
		return "", w, ""
	}
	return lead, c, core[len(c):]
}

// dataLike reports words that belong in a code span rather than in prose.
func dataLike(w string) bool {
	l := strings.ToLower(w)
	if strings.Contains(l, "://") || strings.Contains(l, "www.") || strings.ContainsAny(w, "\\`") {
		return true
	}
	if at := strings.IndexByte(w, '@'); at >= 0 && strings.Contains(w[at:], ".") {
		return true // user@domain: GFM links addresses
	}
	return utf8.RuneCountInString(w) > proseTokenMax
}

func escapeMarkdown(s string) string {
	if !strings.ContainsAny(s, mdSpecial) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// escapeLineStart stops escaped text that begins a line from starting a
// block: a heading, a list item, a block quote, a thematic break or a
// setext underline.
func escapeLineStart(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '#', '-', '+', '=', '>':
		return `\` + s
	}
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') && (i+1 == len(s) || s[i+1] == ' ') {
		return s[:i] + `\` + s[i:]
	}
	return s
}

// code renders untrusted text as a code span on one line, at most max runes
// of it: nothing inside a code span is markup. The delimiter is one
// backtick longer than the longest run inside, so backticks in the value
// cannot close it. It returns "" for an empty value.
func code(s string, max int) string {
	s = clip(flatten(sanitize(s), " ⏎ "), max)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "") {
		// CommonMark strips one space from each end of a span that has
		// both; the pad keeps the value exact and the delimiters apart.
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// cell is a code span for a GFM table cell: a pipe, even inside a code
// span, ends the cell unless escaped.
func cell(s string, max int) string {
	c := code(s, max)
	if c == "" {
		return "—"
	}
	return strings.ReplaceAll(c, "|", `\|`)
}

// textCell is prose for a table cell, at most max runes of it.
func textCell(s string, max int) string {
	t := prose(clip(s, max), true)
	if t == "" {
		return "—"
	}
	return t
}

// fenced renders untrusted text (a query) as a fenced code block. The fence
// is longer than any backtick run inside, so the text cannot close it.
func fenced(s, lang string) string {
	s = strings.Trim(strings.ReplaceAll(sanitize(s), "\r\n", "\n"), "\n")
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + lang + "\n" + s + "\n" + fence + "\n"
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
