package kql

import "testing"

func TestParseParse(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | parse m with * "(" user ") " Action " (" *`, `T | parse m with * "(" user ") " Action " (" *`)
	f(`T | parse m with a:long "," b:datetime`, `T | parse m with a:long "," b:datetime`)
	f(`T | parse kind=regex flags=Ui m with @"(\d+)" n:long`, `T | parse kind=regex flags=Ui m with "(\\d+)" n:long`)
	f(`T | parse kind = relaxed tostring(d.msg) with "x=" x`, `T | parse kind=relaxed tostring(d.msg) with "x=" x`)
	f(`T | parse-where m with "id=" id:int "," *`, `T | parse-where m with "id=" id:int "," *`)
	f(`T | parse m with "a" "b" c | take 1`, `T | parse m with "ab" c | take 1`)
	checkError(t, `T | parse m "x" y`, CodeSyntax, "1:13", "expected 'with' and the pattern")
	checkError(t, `T | parse m with`, CodeSyntax, "1:17", "expected a pattern after with")
	checkError(t, `T | parse m with "x" 5`, CodeSyntax, "1:22", "expected a pattern element")
	checkError(t, `T | parse kind=fuzzy m with x`, CodeSyntax, "1:16", "expected a kind such as simple")
	checkError(t, `T | parse m with x:strng`, CodeSyntax, "1:20", "expected a type name")
}
