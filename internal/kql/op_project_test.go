package kql

import "testing"

func TestParseProject(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | project a, b`, `T | project a, b`)
	f(`T | project a = b + 1, c=tostring(d)`, `T | project a = b + 1, c = tostring(d)`)
	f(`T | project (a, b) = f(x)`, `T | project (a, b) = f(x)`)
	f(`T | project (x)`, `T | project (x)`)
	f(`T | project-away a, b*, *c, d*e`, `T | project-away a, b*, *c, d*e`)
	f(`T | project-away ['a b'], Col1`, `T | project-away ['a b'], Col1`)
	f(`T | project-keep a*, b`, `T | project-keep a*, b`)
	f(`T | project-rename new = old, ['n 2'] = o2`, `T | project-rename new = old, ['n 2'] = o2`)
	f(`T | project-reorder a, b* asc, c desc, d granny-asc, e granny-desc`,
		`T | project-reorder a, b* asc, c desc, d granny-asc, e granny-desc`)
}

func TestProjectErrors(t *testing.T) {
	checkError(t, `T | project`, CodeSyntax, "1:12", "expected an expression")
	checkError(t, `T | project a,`, CodeSyntax, "1:15", "expected an expression")
	checkError(t, `T | project-away`, CodeSyntax, "1:17", "expected a column to remove")
	checkError(t, `T | project-rename a`, CodeSyntax, "1:21", "expected '=' between the new and the old name")
	checkError(t, `T | project-rename a = b + 1`, CodeSyntax, "1:26", "expected end of project-rename, found '+'")
	checkError(t, `T | project-reorder a granny-up`, CodeSyntax, "1:23", "expected granny-asc or granny-desc")
	e := checkError(t, `T | projct a`, CodeSyntax, "1:5", "found 'projct'")
	if e != nil && e.Hint != "did you mean 'project'?" {
		t.Errorf("hint = %q", e.Hint)
	}
	e = checkError(t, `T | project-awya a`, CodeSyntax, "1:5", "found 'project-awya'")
	if e != nil && e.Hint != "did you mean 'project-away'?" {
		t.Errorf("hint = %q", e.Hint)
	}
}
