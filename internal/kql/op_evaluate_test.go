package kql

import "testing"

func TestParseEvaluateInvoke(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | evaluate bag_unpack(d)`, `T | evaluate bag_unpack(d)`)
	f(`T | evaluate bag_unpack(d, "p_") : (A:string, B:long)`, `T | evaluate bag_unpack(d, "p_") : (A:string, B:long)`)
	f(`T | evaluate hint.distribution=per_node autocluster()`, `T | evaluate hint.distribution=per_node autocluster()`)
	f(`T | invoke f(1, "x")`, `T | invoke f(1, "x")`)
	checkError(t, `T | evaluate bag_unpack`, CodeSyntax, "1:14", "expected a plugin call")
	checkError(t, `T | invoke f`, CodeSyntax, "1:12", "expected a function call")
}
