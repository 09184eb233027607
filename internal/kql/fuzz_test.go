package kql

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// fuzzSeeds are queries that exercise every part of the grammar; the
// Sentinel corpus is added when the shared data is present.
var fuzzSeeds = []string{
	`SigninLogs | where TimeGenerated > ago(1d) and ResultType != "0" | summarize count() by UserPrincipalName, bin(TimeGenerated, 1h) | top 10 by count_ desc`,
	`let x = 5; let f = (a:string, n:long = 5) { T | where b == a | take n }; f("x")`,
	`T | project-away Foo*, *Bar | mv-expand d to typeof(string) limit 10 | parse x with * "(" user:string ") " Action " (" *`,
	`T | join kind=leftouter (U | where x in~ ("a", 'b')) on $left.A == $right.B, C | extend d = dynamic({"a": [1, -2.5, datetime(2020-01-01), 1d]})`,
	`T | make-series c = count() default=0 on TimeGenerated in range(ago(7d), now(), 1h) by Computer | render timechart with (title="x", ycolumns=a, b)`,
	`union withsource=Src A, B* | where x between (1 .. 10) and y !between (-1d .. 2h) | summarize arg_max(T, *) by x | sort by x asc nulls last`,
	`search kind=case_sensitive in (A, B) "x" | take 1; print a = h"s", b = @'c:\x', c = 0x1F, d = 1e5, e = time(1.02:03:04)`,
	`datatable(a:string, b:long) ["x", 1] | mv-apply b to typeof(long) on (summarize sum(b)) | evaluate bag_unpack(a) : (x:long)`,
	`range i from 1 to 10 step 1 | extend s = strcat("a", "b") | project-rename t = s | project-reorder t desc | serialize rn = row_number()`,
	"T | where a matches regex ```^\\d+$``` and b.c[0].d == guid(74be27de-1e4e-49d9-b579-fe0b331d3642) | as X | getschema | invoke f() | sample 3",
	`externaldata(a:string) ["https://x"] with (format="csv") | lookup kind=inner U on a | union (V) | search "y" | distinct * | count`,
	`T | where x = 1 | summarise count() bye y | projct a`,
	`set query_now = datetime(2024-01-01); T | parse kind=regex flags=U m with "(\\d+)" n:long | parse-where m with "a" b`,
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			checkErrorsSound(t, src, err)
			return
		}
		if msg := checkSpans(q, len(src)); msg != "" {
			t.Fatalf("%s\nquery: %q", msg, src)
		}
		if msg := roundTrip(q); msg != "" {
			t.Fatalf("%s\nquery: %q", msg, src)
		}
	})
}

// addCorpusSeeds adds the Sentinel hunting queries, when present, as seeds.
func addCorpusSeeds(f *testing.F) {
	root, err := moduleRoot()
	dir := os.Getenv("SLEUTH_SHARED_DATA")
	if dir == "" {
		if err != nil {
			return
		}
		dir = root + "/../shared/data"
	}
	dir += "/kql/sentinel-hunting-queries"
	if _, err := os.Stat(dir); err != nil {
		return
	}
	for i, hq := range loadHuntingQueries(f, dir) {
		if i%4 == 0 { // a quarter of them keeps seeding quick
			f.Add(hq.query)
		}
	}
}

// checkErrorsSound checks what every failed parse must satisfy: a list of
// errors with known codes, spans inside the input, and lower-case messages.
func checkErrorsSound(t *testing.T, src string, err error) {
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("Parse returned %T %v, want a non-empty ErrorList", err, err)
	}
	for _, e := range list {
		switch e.Code {
		case CodeSyntax, CodeLimit, CodeUnsupported:
		default:
			t.Fatalf("error code %s: %v\nquery: %q", e.Code, e, src)
		}
		if e.Span.Start < 0 || e.Span.End < e.Span.Start || e.Span.End > len(src) {
			t.Fatalf("error span %v outside the %d-byte input: %v", e.Span, len(src), e)
		}
		// The token quoted after "found" may itself end in a dot (the number 1.).
		msg, _, _ := strings.Cut(e.Msg, ", found ")
		if r, _ := utf8.DecodeRuneInString(msg); msg == "" || unicode.IsUpper(r) || strings.HasSuffix(msg, ".") {
			t.Fatalf("message %q should be lower case with no full stop", e.Msg)
		}
		_ = e.Format(src) // must not panic
	}
}

func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{`a + b * c`, `a has "x" and b in (1, 2)`, `d.e[0].f`, `-1d`, `x between (1 .. 2)`, `f(a = 1, *)`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		x, err := ParseExpr(src)
		if err != nil {
			checkErrorsSound(t, src, err)
			return
		}
		if msg := checkSpans(x, len(src)); msg != "" {
			t.Fatalf("%s\nexpr: %q", msg, src)
		}
		text := Print(x)
		y, err := ParseExpr(text)
		if err != nil {
			t.Fatalf("printed %q does not parse: %v\nexpr: %q", text, err, src)
		}
		if dump(x) != dump(y) {
			t.Fatalf("tree changed after print and parse: %q -> %q", src, text)
		}
	})
}
