package kql

import "testing"

func TestParseJoinLookup(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | join U on a`, `T | join U on a`)
	f(`T | join (U | where b) on a, c`, `T | join (U | where b) on a, c`)
	f(`T | join kind=inner (U) on $left.a == $right.b`, `T | join kind=inner (U) on $left.a == $right.b`)
	f(`T | join kind = leftouter hint.strategy=broadcast (U | project a) on a, $left.b == $right.c`,
		`T | join kind=leftouter hint.strategy=broadcast (U | project a) on a, $left.b == $right.c`)
	for _, k := range []string{"innerunique", "inner", "leftouter", "rightouter", "fullouter", "leftanti",
		"rightanti", "leftsemi", "rightsemi", "anti", "leftantisemi", "rightantisemi"} {
		f(`T | join kind=`+k+` U on a`, `T | join kind=`+k+` U on a`)
	}
	f(`T | join kind=inner (U | join V on x) on y | where z`, `T | join kind=inner (U | join V on x) on y | where z`)
	f(`T | join (materialize(U)) on a`, `T | join (materialize(U)) on a`)
	f(`T | join table("U") on a`, `T | join table("U") on a`)
	f(`T | lookup U on a`, `T | lookup U on a`)
	f(`T | lookup kind=inner (U | where x) on $left.a == $right.b`, `T | lookup kind=inner (U | where x) on $left.a == $right.b`)
}

func TestJoinErrors(t *testing.T) {
	checkError(t, `T | join U`, CodeSyntax, "1:11", "expected 'on' and the columns to match")
	checkError(t, `T | join U on`, CodeSyntax, "1:14", "expected an expression")
	e := checkError(t, `T | join kind=lefouter U on a`, CodeSyntax, "1:15", "expected a kind such as innerunique, found lefouter")
	if e != nil && e.Hint != "did you mean 'leftouter'?" {
		t.Errorf("hint = %q", e.Hint)
	}
	checkError(t, `T | lookup kind=fullouter U on a`, CodeSyntax, "1:17", "expected a kind such as leftouter")
	e = checkError(t, `T | join (U) no a`, CodeSyntax, "1:14", "expected 'on'")
	if e != nil && e.Hint == "" {
		t.Errorf("no hint for a missing on")
	}
	checkError(t, `T | join (U | wher x) on a | take 1 | projct a`, CodeSyntax, "1:15", "found 'wher'")
}

func TestJoinReportsSeveralErrors(t *testing.T) {
	_, err := Parse("T | join (U | wher x) on a | take 1 | projct a;\nlet x = ;\nV | summarise count()")
	list, ok := err.(ErrorList)
	if !ok || len(list) != 4 {
		t.Fatalf("got %v, want 4 errors", err)
	}
	want := []string{"1:15", "1:39", "2:9", "3:5"}
	src := "T | join (U | wher x) on a | take 1 | projct a;\nlet x = ;\nV | summarise count()"
	for i, e := range list {
		line, col := Position(src, e.Span.Start)
		if got := fmtPos(line, col); got != want[i] {
			t.Errorf("error %d at %s, want %s: %v", i, got, want[i], e)
		}
	}
}
