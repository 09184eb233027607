package kql

import "testing"

func TestParseMakeSeries(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | make-series count() on t step 1h`, `T | make-series count() on t step 1h`)
	f(`T | make-series c = count() default=0, s = sum(x) on t from ago(7d) to now() step 1h by h`,
		`T | make-series c = count() default=0, s = sum(x) on t from ago(7d) to now() step 1h by h`)
	f(`T | make-series kind=nonempty avg(x) on t in range(datetime(2024-01-01), datetime(2024-01-02), 1h)`,
		`T | make-series kind=nonempty avg(x) on t from datetime(2024-01-01T00:00:00Z) to datetime(2024-01-02T00:00:00Z) step 1h`)
	checkError(t, `T | make-series count() t step 1h`, CodeSyntax, "1:25", "expected 'on' and the axis column")
	checkError(t, `T | make-series count() on t from 1`, CodeSyntax, "1:36", "expected 'step' and the bin size")
	checkError(t, `T | make-series count() on t in range(1, 2)`, CodeSyntax, "1:43", "expected ','")
}
