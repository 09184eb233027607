package kql

import "testing"

func TestParseWhere(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | where a`, `T | where a`)
	f(`T | filter a > 1`, `T | where a > 1`)
	f(`T|where TimeGenerated>ago(1h)`, `T | where TimeGenerated > ago(1h)`)
	f("T\n| where a\n| where b", `T | where a | where b`)
}

func TestWhereErrors(t *testing.T) {
	e := checkError(t, `T | where x = 5`, CodeSyntax, "1:13", "expected end of where, found '='")
	if e != nil && e.Hint != "use == to compare values; = only names a column" {
		t.Errorf("hint = %q", e.Hint)
	}
	e = checkError(t, `T | where a contain "x"`, CodeSyntax, "1:13", "found 'contain'")
	if e != nil && e.Hint != "did you mean 'contains'?" {
		t.Errorf("hint = %q", e.Hint)
	}
	e = checkError(t, `T | where a AND b`, CodeSyntax, "1:13", "found 'AND'")
	if e != nil && e.Hint != "KQL keywords are lower case: use and" {
		t.Errorf("hint = %q", e.Hint)
	}
	checkError(t, `T | where`, CodeSyntax, "1:10", "expected an expression, found end of query")
	checkError(t, `T | where a < b < c`, CodeSyntax, "1:17", "expected end of where, found '<'")
	checkError(t, `T | where a == b == c`, CodeSyntax, "1:18", "found '=='")
	checkError(t, `T | where a in "x"`, CodeSyntax, "1:16", "expected '(' after in")
	checkError(t, `T | where a in ()`, CodeSyntax, "1:17", "expected an expression, found ')'")
	checkError(t, `T | where a between (1, 2)`, CodeSyntax, "1:23", "expected '..'")
	checkError(t, `T | where a.`, CodeSyntax, "1:13", "expected a property name after '.'")
	checkError(t, `T | where f(a b)`, CodeSyntax, "1:15", "expected ',' or ')' after the argument")
	checkError(t, `T | where (a`, CodeSyntax, "1:13", "expected ')' to close '('")
	checkError(t, `T | where a !has`, CodeSyntax, "1:17", "expected an expression")
	checkError(t, `T | where and`, CodeSyntax, "1:11", "expected an expression, found 'and'")
}
