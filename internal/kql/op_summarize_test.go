package kql

import "testing"

func TestParseSummarize(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | summarize count()`, `T | summarize count()`)
	f(`T | summarize c = count() by a`, `T | summarize c = count() by a`)
	f(`T | summarize by a, b`, `T | summarize by a, b`)
	f(`T | summarize dcount(u), make_set(x, 100) by bin(TimeGenerated, 1h), Day = bin(t, 1d)`,
		`T | summarize dcount(u), make_set(x, 100) by bin(TimeGenerated, 1h), Day = bin(t, 1d)`)
	f(`T | summarize hint.shufflekey=u hint.strategy = shuffle count() by u`,
		`T | summarize hint.shufflekey=u hint.strategy=shuffle count() by u`)
	f(`T | summarize arg_max(TimeGenerated, *) by Computer`, `T | summarize arg_max(TimeGenerated, *) by Computer`)
	f(`T | summarize arg_min(t, a, b) by c`, `T | summarize arg_min(t, a, b) by c`)
	f(`T | summarize (t, a) = arg_max(t, a) by c`, `T | summarize (t, a) = arg_max(t, a) by c`)
	f(`T | summarize percentiles(d, 50, 95), countif(x > 1), sumif(y, z)`, `T | summarize percentiles(d, 50, 95), countif(x > 1), sumif(y, z)`)
	f(`T | count`, `T | count`)
	f(`T | distinct a, b`, `T | distinct a, b`)
	f(`T | distinct *`, `T | distinct *`)
	f(`T | distinct tostring(a) | take 1`, `T | distinct tostring(a) | take 1`)
}

func TestSummarizeErrors(t *testing.T) {
	e := checkError(t, `T | summarize count() bye x`, CodeSyntax, "1:23", "expected 'by' or end of summarize, found 'bye'")
	if e != nil && e.Hint != "did you mean 'by'?" {
		t.Errorf("hint = %q", e.Hint)
	}
	e = checkError(t, `T | summarise count()`, CodeSyntax, "1:5", "found 'summarise'")
	if e != nil && e.Hint != "did you mean 'summarize'?" {
		t.Errorf("hint = %q", e.Hint)
	}
	checkError(t, `T | summarize`, CodeSyntax, "1:14", "expected an aggregate such as count() or 'by'")
	checkError(t, `T | summarize count() by`, CodeSyntax, "1:25", "expected an expression")
	checkError(t, `T | distinct`, CodeSyntax, "1:13", "expected an expression")
}
