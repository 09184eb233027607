package kql

import (
	"fmt"
	"strings"
	"testing"
)

// tokString renders tokens as kind:text for compact comparisons.
func tokString(toks []token) string {
	names := map[tokKind]string{tEOF: "eof", tIdent: "id", tString: "str", tLong: "long", tReal: "real",
		tTimespan: "ts", tTyped: "typed", tPunct: "p", tBad: "bad"}
	var parts []string
	for _, t := range toks {
		s := names[t.kind] + ":" + t.text
		if t.kind == tString || t.kind == tTyped {
			s += fmt.Sprintf("=%q", t.val)
		}
		if t.obfuscated {
			s += "(h)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestLex(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		toks := lex(in)
		if got := tokString(toks); got != want {
			t.Errorf("lex(%q) =\n  %s\nwant\n  %s", in, got, want)
		}
		for i, tk := range toks {
			if tk.start < 0 || tk.end > len(in) || tk.start > tk.end || in[tk.start:tk.end] != tk.text {
				t.Errorf("lex(%q): token %d %q has span %d..%d", in, i, tk.text, tk.start, tk.end)
			}
		}
	}
	f(``, `eof:`)
	f(`a|b`, `id:a p:| id:b eof:`)
	f(`project-away`, `id:project p:- id:away eof:`)
	f(`x !in~ y in~ z !has w !contains_cs v`, `id:x id:!in~ id:y id:in~ id:z id:!has id:w id:!contains_cs id:v eof:`)
	f(`!x != !~ =~ == <> <= >= .. =>`, `p:! id:x p:!= p:!~ p:=~ p:== p:<> p:<= p:>= p:.. p:=> eof:`)
	f(`1 1.5 1. 1e5 1E-3 0x1f 1..2 1.foo`, `long:1 real:1.5 real:1. real:1e5 real:1E-3 long:0x1f long:1 p:.. long:2 long:1 p:. id:foo eof:`)
	f(`1d 1.5h 10microseconds 2ticks 1st 10dx`, `ts:1d ts:1.5h ts:10microseconds ts:2ticks id:1st id:10dx eof:`)
	f(`datetime(2024-01-02 03:04) guid( x ) long(null) typeof(long)`,
		`typed:datetime(2024-01-02 03:04)="2024-01-02 03:04" typed:guid( x )="x" typed:long(null)="null" id:typeof p:( id:long p:) eof:`)
	f(`datetime (x)`, `id:datetime p:( id:x p:) eof:`)
	f(`'a' "b" @'c''d' h"e" H@"f""g"`, `str:'a'="a" str:"b"="b" str:@'c''d'="c'd" str:h"e"="e"(h) str:H@"f""g"="f\"g"(h) eof:`)
	f("```a\nb```", "str:```a\nb```=\"a\\nb\" eof:")
	f(`$left.a ['x y']`, `id:$left p:. id:a p:[ str:'x y'="x y" p:] eof:`)
	f("a // comment | b\n| c", `id:a p:| id:c eof:`)
	f(`"a//b" 'c;d'`, `str:"a//b"="a//b" str:'c;d'="c;d" eof:`)
	f("Ä\u00a0b", `id:Ä id:b eof:`)
	f(`a § b`, `id:a bad:§ id:b eof:`)
	f(`"abc`, `bad:"abc eof:`)
	f(`"a\qb" c`, `bad:"a\qb" id:c eof:`)
	f(`datetime(2024`, `bad:datetime( long:2024 eof:`)
}
