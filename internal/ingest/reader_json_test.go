package ingest

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"testing"
)

// split runs a splitter over in with a read buffer of bufSize and renders
// each record as "line:data" or "line:!code".
func split(t *testing.T, sp splitter) []string {
	t.Helper()
	var out []string
	for i := 0; i < 10000; i++ {
		c := getChunk()
		err := sp.fill(c, 64)
		for _, r := range c.recs {
			if r.err != nil {
				out = append(out, fmt.Sprintf("%d:!%s", r.line, r.err.Code))
			} else {
				out = append(out, fmt.Sprintf("%d:%s", r.line, r.data))
			}
		}
		putChunk(c)
		if err == io.EOF {
			return out
		}
		if err != nil {
			return append(out, "error:"+err.Error())
		}
	}
	t.Fatal("splitter did not end")
	return nil
}

func TestJSONSplitter(t *testing.T) {
	// f splits in with a large and a tiny read buffer (which forces records
	// to arrive in pieces) and compares with want.
	f := func(in string, maxRecord int, want ...string) {
		t.Helper()
		for _, size := range []int{1 << 16, 16} {
			got := split(t, newJSONSplitter(bufio.NewReaderSize(strings.NewReader(in), size), maxRecord))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("buffer %d, input %q\n got %q\nwant %q", size, in, got, want)
			}
		}
	}
	const big = 1 << 20
	// NDJSON: one record a line; blank lines skipped; bad lines kept for the
	// decoder to report with their line.
	f("{\"a\":1}\n{\"a\":2}\n", big, `1:{"a":1}`, `2:{"a":2}`)
	f("{\"a\":1}\r\n\r\n  \n{\"a\":2}", big, `1:{"a":1}`, `4:{"a":2}`)
	f("{\"a\":1}\n{\"a\":\n{\"a\":3}\n", big, `1:{"a":1}`, `2:{"a":`, `3:{"a":3}`)
	f("{\"a\":1}\ngarbage\n", big, `1:{"a":1}`, `2:garbage`)
	// A line over the record cap is skipped without being held in memory.
	f("{\"a\":1}\n{\"big\":\""+strings.Repeat("x", 100)+"\"}\n{\"a\":3}\n", 50, `1:{"a":1}`, `2:!ingest.too_large`, `3:{"a":3}`)
	// Pretty-printed and concatenated objects.
	f("{\n  \"a\": 1\n}\n{\n  \"a\": \"}\"\n}\n", big, "1:{\n  \"a\": 1\n}", "4:{\n  \"a\": \"}\"\n}")
	f("{\n\"a\":1}{\"b\":2}", big, "1:{\n\"a\":1}", `2:{"b":2}`)
	// A pretty-printed object cut short: the next record starts in column 0.
	f("{\n  \"a\": 1,\n{\n  \"b\": 2\n}\n", big, "1:!ingest.bad_record", "3:{\n  \"b\": 2\n}")
	f("{\n  \"a\": 1\n", big, "1:!ingest.bad_record")
	// Arrays of objects, on one line or many.
	f(`[{"a":1},{"a":2}]`, big, `1:{"a":1}`, `1:{"a":2}`)
	f("[\n {\"a\":1},\n {\"a\":2}\n]\n", big, `2:{"a":1}`, `3:{"a":2}`)
	f("[\n {\"a\":1},\n 7,\n {\"a\":2}\n]\n", big, `2:{"a":1}`, `3:!ingest.bad_record`, `4:{"a":2}`)
	f(`[{"a":1},{"a":2}`, big, `1:{"a":1}`, `1:{"a":2}`, `1:!ingest.bad_record`)
	f(`[{"a":1}] junk`, big, `1:{"a":1}`, `1:!ingest.bad_record`)
	f(`[]`, big)
	f(``, big)
	f("\n\n", big)
}

func TestJSONSplitterHugeLine(t *testing.T) {
	// A 50 MB line between good ones: skipped with its line, the others kept.
	huge := `{"x":"` + strings.Repeat("y", 50<<20) + `"}`
	in := io.MultiReader(strings.NewReader("{\"a\":1}\n"), strings.NewReader(huge), strings.NewReader("\n{\"a\":3}\n"))
	got := split(t, newJSONSplitter(bufio.NewReaderSize(in, 1<<20), 16<<20))
	want := []string{`1:{"a":1}`, `2:!ingest.too_large`, `3:{"a":3}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
}
