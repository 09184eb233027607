package kql

import "testing"

func TestParseExtendSerialize(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | extend a = 1, b = c * 2, d`, `T | extend a = 1, b = c * 2, d`)
	f(`T | extend (k, v) = split(x, "=")`, `T | extend (k, v) = split(x, "=")`)
	f(`T | extend ['a b'] = 1`, `T | extend ['a b'] = 1`)
	f(`T | serialize`, `T | serialize`)
	f(`T | serialize rn = row_number(), p = prev(a)`, `T | serialize rn = row_number(), p = prev(a)`)
	checkError(t, `T | extend a = `, CodeSyntax, "1:16", "expected an expression")
	checkError(t, `T | extend (a, b = 1`, CodeSyntax, "1:14", "expected ')' to close '(', found ','")
}
