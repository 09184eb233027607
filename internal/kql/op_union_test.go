package kql

import "testing"

func TestParseUnion(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`union A, B`, `union A, B`)
	f(`union withsource=Src kind=outer isfuzzy=true A, B* | where x`, `union withsource=Src kind=outer isfuzzy=true A, B* | where x`)
	f(`union (A | where x), (B | project y), table("C")`, `union (A | where x), (B | project y), table("C")`)
	f(`union Security*, *Events`, `union Security*, *Events`)
	f(`T | union U, V`, `T | union U, V`)
	f(`T | union kind=inner (U | take 1)`, `T | union kind=inner (U | take 1)`)
	f(`let x = union A, B; x`, `let x = union A, B; x`)
	checkError(t, `union`, CodeSyntax, "1:6", "expected a table name or a (query), found end of query")
	checkError(t, `T | union kind=left U`, CodeSyntax, "1:16", "expected a kind such as inner")
	checkError(t, `T | union 5`, CodeSyntax, "1:11", "expected a table name or a (query)")
}
