package kql

import "testing"

func TestParseRenderAs(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | render timechart`, `T | render timechart`)
	f(`T | render columnchart with (title="x", ycolumns=a, b, kind=stacked)`,
		`T | render columnchart with (title="x", ycolumns=a, b, kind=stacked)`)
	f(`T | render barchart kind=stacked title="y"`, `T | render barchart with (kind=stacked, title="y")`)
	f(`T | as X | join (X) on a`, `T | as X | join (X) on a`)
	f(`T | as hint.materialized=true X`, `T | as hint.materialized=true X`)
	checkError(t, `T | render`, CodeSyntax, "1:11", "expected a chart type")
	checkError(t, `T | render timechart with title="x"`, CodeSyntax, "1:27", "expected '(' after with")
	checkError(t, `T | as`, CodeSyntax, "1:7", "expected a name after as")
}
