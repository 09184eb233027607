package kql

import "testing"

func TestParseMvExpandApply(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | mv-expand a`, `T | mv-expand a`)
	f(`T | mvexpand a`, `T | mv-expand a`)
	f(`T | mv-expand bagexpansion=array with_itemindex=i a = b to typeof(string), c limit 100`,
		`T | mv-expand bagexpansion=array with_itemindex=i a = b to typeof(string), c limit 100`)
	f(`T | mv-expand kind=array d.items to typeof(dynamic)`, `T | mv-expand kind=array d.items to typeof(dynamic)`)
	f(`T | mv-apply x to typeof(long) on (summarize s = sum(x))`, `T | mv-apply x to typeof(long) on (summarize s = sum(x))`)
	f(`T | mv-apply with_itemindex=i e = arr on (where e > 1 | take 1) | project e`,
		`T | mv-apply with_itemindex=i e = arr on (where e > 1 | take 1) | project e`)
	f(`T | mvapply a limit 3 on (top 1 by a)`, `T | mv-apply a limit 3 on (top 1 by a)`)
	checkError(t, `T | mv-expand a to long`, CodeSyntax, "1:20", "expected typeof(…) after to")
	checkError(t, `T | mv-expand a to typeof(lng)`, CodeSyntax, "1:27", "expected a type name")
	checkError(t, `T | mv-apply a by (take 1)`, CodeSyntax, "1:16", "expected 'on' and the (subquery) to apply, found 'by'")
	checkError(t, `T | mv-apply a on take 1`, CodeSyntax, "1:19", "expected '(' after on")
	checkError(t, `T | mv-apply a on (tak 1)`, CodeSyntax, "1:20", "found 'tak'")
}
