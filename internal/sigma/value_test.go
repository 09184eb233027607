package sigma

import "testing"

func TestParseSigmaString(t *testing.T) {
	// Escaping as the Sigma specification's "Escaping" section lists it.
	f := func(in, want string) {
		t.Helper()
		if got := parseSigmaString(in).String(); got != want {
			t.Errorf("parseSigmaString(%q) = %q, want %q", in, got, want)
		}
	}
	f(`C:\Windows\System32`, `C:\Windows\System32`) // a plain backslash needs no escape
	f(`*\cmd.exe`, `*\cmd.exe`)
	f(`prog?.exe`, `prog?.exe`)
	f(`a\*b`, `a\*b`)           // escaped wildcard is a literal *
	f(`a\?b`, `a\?b`)           // escaped ? is a literal ?
	f(`\\*`, `\*`)              // \\ then a wildcard: a backslash followed by anything
	f(`\\\*`, `\\*`)            // three backslashes: a backslash and a literal *
	f(`\\\\`, `\\`)             // four backslashes are two
	f(`trailing\`, `trailing\`) // a trailing backslash stays
	f(``, ``)
	lits := func(in string) string { s, _ := parseSigmaString(in).plain(); return s }
	if got := lits(`a\*b`); got != "a*b" {
		t.Errorf("literal of a\\*b = %q, want a*b", got)
	}
	if got := lits(`\\\\server`); got != `\\server` {
		t.Errorf(`literal of \\\\server = %q, want \\server`, got)
	}
	if _, ok := parseSigmaString("a*").plain(); ok {
		t.Error("a pattern with a wildcard reported plain")
	}
}

func TestClassify(t *testing.T) {
	f := func(in string, want shape, wantLit string) {
		t.Helper()
		got, lit := parseSigmaString(in).classify()
		if got != want || lit != wantLit {
			t.Errorf("classify(%q) = %d %q, want %d %q", in, got, lit, want, wantLit)
		}
	}
	f(`cmd.exe`, shapeEqual, `cmd.exe`)
	f(`*\cmd.exe`, shapeEnds, `\cmd.exe`)
	f(`C:\Windows\\*`, shapeStarts, `C:\Windows\`)
	f(`C:\Windows\*`, shapeEqual, `C:\Windows*`) // \* escapes the wildcard, as the spec says
	f(`*whoami*`, shapeContains, `whoami`)
	f(`**whoami**`, shapeContains, `whoami`) // runs of * collapse
	f(`*`, shapeAnything, ``)
	f(`a*b`, shapeRegex, ``)
	f(`*a?b*`, shapeRegex, ``)
	f(`a\*b`, shapeEqual, `a*b`) // an escaped * is not a wildcard
	f(``, shapeEqual, ``)
}

func TestPatternRegex(t *testing.T) {
	f := func(in string, cased bool, want string) {
		t.Helper()
		if got := parseSigmaString(in).regex(cased); got != want {
			t.Errorf("regex(%q) = %q, want %q", in, got, want)
		}
	}
	f(`a*b`, false, `(?is)^a.*b$`)
	f(`*a?b*`, false, `(?is)a.b`)
	f(`C:\\*\x.exe`, true, `(?s)^C:\\.*\\x\.exe$`)
	f(`*(1).exe`, false, `(?is)\(1\)\.exe$`)
	f(`a\*b*c`, false, `(?is)^a\*b.*c$`)
}

func TestInsertPlaceholders(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := parseSigmaString(in).insertPlaceholders().String(); got != want {
			t.Errorf("insertPlaceholders(%q) = %q, want %q", in, got, want)
		}
	}
	f(`%Admins_Workstations%`, `%Admins_Workstations%`)
	if p := parseSigmaString(`*\%Servers%*`).insertPlaceholders(); p.hasPlaceholder() || literalText(p) != "%Servers%" {
		t.Errorf(`*\%%Servers%%* gave %#v, want the literal %%Servers%%`, p)
	}
	f(`100% sure`, `100% sure`)
	p := parseSigmaString(`x%A%y\%B%`).insertPlaceholders()
	if len(p) != 3 || p[1].kind != partPlaceholder || p[1].s != "A" || p[2].s != "y%B%" {
		t.Errorf(`x%%A%%y\%%B%% gave %#v, want literal, placeholder A, literal "y%%B%%"`, p)
	}
}
