package kql

import "testing"

func TestParseTakeAndFriends(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | take 10`, `T | take 10`)
	f(`T | limit n`, `T | take n`)
	f(`T | sample 5`, `T | sample 5`)
	f(`T | getschema`, `T | getschema`)
	f(`T | count | getschema`, `T | count | getschema`)
	checkError(t, `T | take`, CodeSyntax, "1:9", "expected an expression")
	checkError(t, `T | getschema x`, CodeSyntax, "1:15", "expected end of getschema, found 'x'")
}
