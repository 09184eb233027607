package kql

import "testing"

func TestParseOperatorsAndPrecedence(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | where a == 1`, `T | where a == 1`)
	f(`T | where a != 1 and b <> 2`, `T | where a != 1 and b != 2`)
	f(`T | where a < 1 or b <= 2 or c > 3 or d >= 4`, `T | where a < 1 or b <= 2 or c > 3 or d >= 4`)
	f(`T | where a=~"x" and b!~'y'`, `T | where a =~ "x" and b !~ "y"`)
	f(`T | where a + b * c - d / e % f > 0`, `T | where a + b * c - d / e % f > 0`)
	f(`T | where (a + b) * c > 0`, `T | where (a + b) * c > 0`)
	f(`T | where a or b and c`, `T | where a or b and c`)
	f(`T | where (a or b) and c`, `T | where (a or b) and c`)
	// String operators bind tighter than arithmetic and comparisons, as in
	// Kusto's parser; the printer keeps that grouping.
	f(`T | where a has "x" == b has "y"`, `T | where a has "x" == b has "y"`)
	f(`T | where (a < b) == c`, `T | where (a < b) == c`)
	f(`T | where a < b == c`, `T | where a < b == c`)
	f(`T | where -a * 2 > -3`, `T | where -a * 2 > -3`)
	f(`T | where a - -5 > +1`, `T | where a - -5 > 1`)
	f(`T | where not(a) and not(isempty(b))`, `T | where not(a) and not(isempty(b))`)
	f(`T | where a.b.c == 1 and a["b"][0] == 2 and a.['b c'] == 3 and x.[0] == 4`,
		`T | where a.b.c == 1 and a["b"][0] == 2 and a["b c"] == 3 and x[0] == 4`)
	f(`T | where d.type == "x" and d.count > 1 and $left.a == $right.b`,
		`T | where d.type == "x" and d.count > 1 and $left.a == $right.b`)
	f(`T | where ['a b'] == ["c"]`, `T | where ['a b'] == ['c']`)
}

func TestParseStringOperators(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	for _, op := range []string{"has", "!has", "has_cs", "!has_cs", "hasprefix", "!hasprefix",
		"hasprefix_cs", "!hasprefix_cs", "hassuffix", "!hassuffix", "hassuffix_cs", "!hassuffix_cs",
		"contains", "!contains", "contains_cs", "!contains_cs", "startswith", "!startswith",
		"startswith_cs", "!startswith_cs", "endswith", "!endswith", "endswith_cs", "!endswith_cs"} {
		f(`T | where a `+op+` "x"`, `T | where a `+op+` "x"`)
	}
	f(`T | where a matches regex @"^\d+$"`, `T | where a matches regex "^\\d+$"`)
	f(`T | where a containscs "x" or a notcontains "y" or a notcontainscs "z"`,
		`T | where a contains_cs "x" or a !contains "y" or a !contains_cs "z"`)
}

func TestParseSetOperators(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | where a in ("x", "y")`, `T | where a in ("x", "y")`)
	f(`T | where a !in (1,2) and b in~ ('X') and c !in~ ("y")`, `T | where a !in (1, 2) and b in~ ("X") and c !in~ ("y")`)
	f(`T | where a has_any (list) or a has_all ("x", "y")`, `T | where a has_any (list) or a has_all ("x", "y")`)
	f(`T | where a in (dynamic(["x", "y"]))`, `T | where a in (dynamic(["x", "y"]))`)
	f(`T | where a in ((U | project b))`, `T | where a in ((U | project b))`)
	f(`T | where a in (U | where c > 1 | project b)`, `T | where a in (U | where c > 1 | project b)`)
	f(`T | where a between (1 .. 10)`, `T | where a between (1 .. 10)`)
	f(`T | where a !between (ago(1d)..now())`, `T | where a !between (ago(1d) .. now())`)
	f(`T | where a between (-1d .. 2h) and b`, `T | where a between (-1d .. 2h) and b`)
	f(`T | where a between (1.5..2.5)`, `T | where a between (1.5 .. 2.5)`)
}

func TestParseCalls(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | summarize count(), count(*), arg_max(TimeGenerated, *) by x`, `T | summarize count(), count(*), arg_max(TimeGenerated, *) by x`)
	f(`T | extend a = iff(b > 1, "x", "y"), c = case(d == 1, "a", d == 2, "b", "c")`,
		`T | extend a = iff(b > 1, "x", "y"), c = case(d == 1, "a", d == 2, "b", "c")`)
	f(`let n = toscalar(T | summarize count()); U | take n`, `let n = toscalar(T | summarize count()); U | take n`)
	f(`let m = materialize(T | where x); m | count`, `let m = materialize(T | where x); m | count`)
	f(`table("SigninLogs") | take 1`, `table("SigninLogs") | take 1`)
	f(`T | evaluate ipv4_lookup(R, ip, net, return_unmatched = true)`, `T | evaluate ipv4_lookup(R, ip, net, return_unmatched = true)`)
	f(`T | extend x = ['my func'](1)`, `T | extend x = ['my func'](1)`)
}

func TestParseNames(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	// Words that are keywords elsewhere are names where Kusto allows it.
	f(`T | project count, kind, type, title, ['by']`, `T | project ['count'], kind, type, title, ['by']`)
	f(`T | summarize count = count() by kind`, `T | summarize ['count'] = count() by kind`)
	f(`T | where title has "x" | extend type = 1`, `T | where title has "x" | extend type = 1`)
	f(`T | project ['a b'] = 1, ["c'd"] = 2, ['e\'f'] = 3`, `T | project ['a b'] = 1, ['c\'d'] = 2, ['e\'f'] = 3`)
	f(`T | project 1st_seen`, `T | project ['1st_seen']`)
	f(`T | project Ärger, _x, $left`, `T | project Ärger, _x, $left`)
}
