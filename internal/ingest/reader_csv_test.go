package ingest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
)

func TestCSVSplitter(t *testing.T) {
	// f reads in (header first) and renders each record as
	// "line:field|field" or "line:!code".
	f := func(in string, maxRecord int, wantHeader string, want ...string) {
		t.Helper()
		for _, size := range []int{1 << 16, 16} {
			sp := newCSVSplitter(bufio.NewReaderSize(strings.NewReader(in), size), maxRecord)
			head, err := sp.readHeader()
			if err != nil {
				t.Errorf("header of %q: %v", in, err)
				return
			}
			if strings.Join(head, "|") != wantHeader {
				t.Errorf("header of %q = %q, want %q", in, head, wantHeader)
			}
			var got []string
			for _, r := range split(t, sp) {
				line, data, _ := strings.Cut(r, ":")
				if strings.HasPrefix(data, "!") {
					got = append(got, r)
					continue
				}
				got = append(got, line+":"+strings.Join(splitCSV([]byte(data), sp.delim, nil, nil), "|"))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("buffer %d, input %q\n got %q\nwant %q", size, in, got, want)
			}
		}
	}
	const big = 1 << 20
	f("a,b\n1,2\n3,4\n", big, "a|b", "2:1|2", "3:3|4")
	f("a,b\r\n1,2\r\n", big, "a|b", "2:1|2")
	f("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n", big, "a|b", `2:x,y|say "hi"`)
	// A quoted field holding line breaks keeps the record's first line.
	f("a,b\n\"line1\nline2\",z\n5,6\n", big, "a|b", "2:line1\nline2|z", "4:5|6")
	// Tabs, semicolons and pipes are sniffed from the header.
	f("a\tb\tc\n1\t2\t3\n", big, "a|b|c", "2:1|2|3")
	f("a;b\n1;2\n", big, "a|b", "2:1|2")
	// A stray quote inside an unquoted field is text, as spreadsheets write.
	f("a,b\nsay \"hi\",2\n", big, "a|b", `2:say "hi"|2`)
	// Empty fields and a missing final newline.
	f("a,b,c\n,,\n1,,3", big, "a|b|c", "2:||", "3:1||3")
	// An unterminated quote at the end of the input is a bad record.
	f("a,b\n1,2\n\"oops,3\n", big, "a|b", "2:1|2", "3:!ingest.bad_record")
	// A record over the cap is skipped and reading resumes after it.
	f("a,b\n1,2\n\""+strings.Repeat("x", 100)+"\",3\n4,5\n", 50, "a|b", "2:1|2", "3:!ingest.too_large", "4:4|5")
}

// TestSplitCSVAgreesWithEncodingCSV compares the field splitter with the
// standard library on well-formed records.
func TestSplitCSVAgreesWithEncodingCSV(t *testing.T) {
	for _, rec := range []string{`a,b,c`, `"a","b,c",""`, `"x ""y"" z",,`, `"multi` + "\n" + `line",2`, `,`, `"",""`} {
		want, err := csv.NewReader(strings.NewReader(rec)).Read()
		if err != nil {
			t.Fatalf("%q: %v", rec, err)
		}
		got := splitCSV([]byte(rec), ',', nil, nil)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("splitCSV(%q) = %q, encoding/csv says %q", rec, got, want)
		}
	}
}
