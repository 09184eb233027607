package kql

import "testing"

func TestParseSortTop(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T | sort by a`, `T | sort by a`)
	f(`T | order by a desc, b asc nulls first, c nulls last`, `T | sort by a desc, b asc nulls first, c nulls last`)
	f(`T | sort by strlen(a) desc`, `T | sort by strlen(a) desc`)
	f(`T | top 10 by a`, `T | top 10 by a`)
	f(`T | top n * 2 by count_ desc nulls last`, `T | top n * 2 by count_ desc nulls last`)
	checkError(t, `T | sort a`, CodeSyntax, "1:10", "expected 'by' after sort")
	checkError(t, `T | top 10 a`, CodeSyntax, "1:12", "expected 'by' after the number of rows")
	checkError(t, `T | sort by a nulls middle`, CodeSyntax, "1:21", "expected first or last after nulls")
	e := checkError(t, `T | sort by a dsc`, CodeSyntax, "1:15", "expected 'asc', 'desc', 'nulls' or end of sort, found 'dsc'")
	if e != nil && e.Hint != "did you mean 'desc'?" {
		t.Errorf("hint = %q", e.Hint)
	}
}
