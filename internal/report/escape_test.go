package report

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got := text(in)
		if got != want {
			t.Errorf("text(%q)\n got %q\nwant %q", in, got, want)
		}
		if bad := unescapedMarkup(got); len(bad) > 0 {
			t.Errorf("text(%q) = %q leaves markup: %q", in, got, bad)
		}
	}
	f("plain words", "plain words")
	f("", "")
	f("  padded\n\nlines\r\nand\ttabs ", "padded  lines and tabs")
	f("**bold** _em_ ~~gone~~", `\*\*bold\*\* \_em\_ \~\~gone\~\~`)
	f("[click](javascript:alert(1))", `\[click\](javascript:alert(1))`)
	f("![img](x.png)", `!\[img\](x.png)`)
	f("<script>alert(1)</script>", `\<script\>alert(1)\</script\>`)
	f("AT&T &amp; co", `AT\&T \&amp; co`)
	f("a | b", `a \| b`)
	f("costs $5 to $10", `costs \$5 to \$10`)
	f("see http://evil.example/x now", "see `http://evil.example/x` now")
	f("(www.evil.example).", "(`www.evil.example`).")
	f("mail alice@contoso.com.", "mail `alice@contoso.com`.")
	f(`CORP\admin ran C:\Temp\x.exe`, "`CORP\\admin` ran `C:\\Temp\\x.exe`")
	f("run `whoami` now", "run `` `whoami` `` now")
	f("# not a heading", `\# not a heading`)
	f("- not a list", `\- not a list`)
	f("> not a quote", `\> not a quote`)
	f("1. not a list", `1\. not a list`)
	f("203.0.113.7 is an IP", "203.0.113.7 is an IP")
	f("=== not a setext underline", `\=== not a setext underline`)
	f("esc \x1b[31mred\x1b[0m", "esc `\\x1b[31mred\\x1b[0m`")
	f("bidi a\u202eb", "bidi `a\\u202eb`")
	f("bad \xff utf8", "bad \uFFFD utf8")
	f(strings.Repeat("A", 70), "`"+strings.Repeat("A", 70)+"`")
}

func TestCode(t *testing.T) {
	f := func(in string, max int, want string) {
		t.Helper()
		if got := code(in, max); got != want {
			t.Errorf("code(%q, %d)\n got %q\nwant %q", in, max, got, want)
		}
	}
	f("", 10, "")
	f("web01", 10, "`web01`")
	f("a`b", 10, "``a`b``")
	f("``x", 10, "``` ``x ```")
	f("x`", 10, "`` x` ``")
	f(" a ", 10, "`  a  `")
	f("   ", 10, "`   `")
	f("line1\nline2", 40, "`line1 ⏎ line2`")
	f("<b>|</b>", 40, "`<b>|</b>`")
	f("abcdefghijkl", 6, "`abcde…`")

	if got := cell("a|b", 10); got != "`a\\|b`" {
		t.Errorf("cell escapes pipes: got %q", got)
	}
	if got := cell("", 10); got != "—" {
		t.Errorf("empty cell = %q, want a dash", got)
	}
	if got := textCell("see http://x.example/a|b and a|b", 100); got != "see `http://x.example/a\\|b` and a\\|b" {
		t.Errorf("textCell = %q", got)
	}
}

func TestFenced(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := fenced(in, "kql"); got != want {
			t.Errorf("fenced(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	f("T | take 1", "```kql\nT | take 1\n```\n")
	f("\nT\r\n| take 1\n\n", "```kql\nT\n| take 1\n```\n")
	f("T | where x == \"```\"", "````kql\nT | where x == \"```\"\n````\n")
	f("T | where x == \"\x1b[2J\"", "```kql\nT | where x == \"\\x1b[2J\"\n```\n")
}

func TestSanitize(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	f("ok\ttab\nline", "ok\ttab\nline")
	f("crlf\r\nlone\rcr", "crlf\nlone\ncr")
	f("bell\a nul\x00 del\x7f", `bell\x07 nul\x00 del\x7f`)
	f("zw\u200bsp bom\ufeff c1\u0085", `zw\u200bsp bom\ufeff c1\u0085`)
	f("ls\u2028ps\u2029", "ls\nps\n")
	f("\xc3\x28", "\uFFFD(")
}

// attackLink is the only link report.md writes on its own.
var attackLink = regexp.MustCompile(`\[T\d{4}(\.\d{3})?\]\(https://attack\.mitre\.org/techniques/T\d{4}(/\d{3})?/\)`)

var escapedPunct = regexp.MustCompile(`\\[[:punct:]]`)

// unescapedMarkup lists the Markdown and HTML syntax left live in one line
// of rendered inline text: what remains once sleuth's own ATT&CK links,
// code spans and backslash escapes are taken out. Our bold (**) is allowed.
func unescapedMarkup(line string) []string {
	s := attackLink.ReplaceAllString(line, "")
	s, unclosed := stripCodeSpans(s)
	var bad []string
	if unclosed {
		bad = append(bad, "unclosed code span")
	}
	s = escapedPunct.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "**", "")
	for _, tok := range []string{"<", "[", "]", "*", "_", "~", "$", "&", "|", "`", "://", "www."} {
		if strings.Contains(s, tok) {
			bad = append(bad, tok)
		}
	}
	return bad
}

// stripCodeSpans removes code spans the way CommonMark finds them: a run
// of n backticks up to the next run of exactly n. It reports a run that no
// run closes, which a renderer would show as literal backticks.
func stripCodeSpans(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) {
			b.WriteString(s[i : i+2])
			i += 2
			continue
		}
		if s[i] != '`' {
			b.WriteByte(s[i])
			i++
			continue
		}
		n := runAt(s, i)
		end := -1
		for j := i + n; j < len(s); {
			if s[j] != '`' {
				j++
				continue
			}
			m := runAt(s, j)
			if m == n {
				end = j + m
				break
			}
			j += m
		}
		if end < 0 {
			return b.String() + s[i:], true
		}
		i = end
	}
	return b.String(), false
}

func runAt(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	return n
}

// rowCells splits a GFM table row the way GFM does: at pipes that no
// backslash escapes, code spans or not.
func rowCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(strings.TrimSuffix(row, "|"), "|")
	var cells []string
	cur := strings.Builder{}
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case row[i] == '|':
			cells = append(cells, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return append(cells, cur.String())
}

func FuzzText(f *testing.F) {
	for _, s := range []string{injection, htmlPayload, mdPayload, ticks, "a\nb|c", "`", "``", "\\`", "1. x", "x@y.z", "\x1b[2J", "a\u202eb", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, inTable := range []bool{false, true} {
			got := prose(s, inTable)
			if strings.ContainsAny(got, "\n\r") || !utf8.ValidString(got) {
				t.Fatalf("prose(%q) = %q: not one valid line", s, got)
			}
			if bad := unescapedMarkup(got); len(bad) > 0 {
				t.Fatalf("prose(%q) = %q leaves markup %q", s, got, bad)
			}
			if inTable && len(rowCells("| "+got+" |")) != 1 {
				t.Fatalf("prose(%q, table) = %q splits the cell", s, got)
			}
		}
	})
}

func FuzzCode(f *testing.F) {
	for _, s := range []string{"", "`", "a``b", "` x `", "  ", "a|b", "\\|", "x\n`y`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := cell(s, 50)
		if got == "—" {
			if code(s, 50) != "" {
				t.Fatalf("cell(%q) is a dash but code is not empty", s)
			}
			return
		}
		if strings.ContainsAny(got, "\n\r") {
			t.Fatalf("cell(%q) = %q spans lines", s, got)
		}
		rest, unclosed := stripCodeSpans(got)
		if unclosed || rest != "" {
			t.Fatalf("cell(%q) = %q is not exactly one code span (left %q)", s, got, rest)
		}
		if len(rowCells("| "+got+" |")) != 1 {
			t.Fatalf("cell(%q) = %q splits the table cell", s, got)
		}
	})
}
