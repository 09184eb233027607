package kql

import "testing"

func TestParseSources(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`print 1`, `print 1`)
	f(`print a = 1, b = "x" | extend c = a`, `print a = 1, b = "x" | extend c = a`)
	f(`range x from 1 to 10 step 2`, `range x from 1 to 10 step 2`)
	f(`range t from ago(1d) to now() step 1h | count`, `range t from ago(1d) to now() step 1h | count`)
	f(`print r = range(1, 5, 2)`, `print r = range(1, 5, 2)`)
	f(`datatable(a:string, b:long) ["x", 1, "y", -2]`, `datatable(a:string, b:long) ["x", 1, "y", -2]`)
	f(`datatable (a:string, b:dynamic, c:datetime) ['x', dynamic({"k": 1}), datetime(2024-01-01),] | take 1`,
		`datatable(a:string, b:dynamic, c:datetime) ["x", dynamic({"k": 1}), datetime(2024-01-01T00:00:00Z)] | take 1`)
	f(`let T = datatable(['a b']:int) [int(1)]; T`, `let T = datatable(['a b']:int) [int(1)]; T`)
	f(`externaldata(a:string, b:long) ["https://x/y.csv", h@"https://x/z?sig=secret"] with (format="csv", ignoreFirstRecord=true)`,
		`externaldata(a:string, b:long) ["https://x/y.csv", h"https://x/z?sig=secret"] with (format="csv", ignoreFirstRecord=true)`)
	f(`external_data(a:string) ["u"]`, `externaldata(a:string) ["u"]`)
	f(`T | where a in (datatable(x:string) ["a"])`, `T | where a in (datatable(x:string) ["a"])`)
	checkError(t, `datatable(a:string) "x"`, CodeSyntax, "1:21", "expected '[' to start the datatable values")
	checkError(t, `datatable(a) ["x"]`, CodeSyntax, "1:12", "expected ':' and a type")
	checkError(t, `range x from 1 to 10`, CodeSyntax, "1:21", "expected 'step'")
	checkError(t, `find in (T) where x`, CodeUnsupported, "1:1", "the find operator is not supported")
	checkError(t, `T | top-nested 3 of a by count()`, CodeUnsupported, "1:5", "the top-nested operator is not supported")
}
