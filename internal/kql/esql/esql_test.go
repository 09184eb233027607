package esql

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

func TestQuoteAndEscapes(t *testing.T) {
	f := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	f(quote(`a"b\c`+"\n\t"), `"a\"b\\c\n\t"`)
	f(likeEscape(`50% *off? C:\x`), `50% \*off\? C:\\x`)
	f(regexEscape(`a.b(c)|d*e+f?`), `a\.b\(c\)\|d\*e\+f\?`)
	f(regexEscape(`x@y#z&w~v<u>"`), `x\@y\#z\&w\~v\<u\>\"`)
	f(ident("UserPrincipalName"), "UserPrincipalName")
	f(ident("@timestamp"), "@timestamp")
	f(ident("host.name"), "`host.name`")
	f(ident("by"), "`by`")
	f(ident("a`b"), "`a``b`")
	f(ident("1st"), "`1st`")
	f(timespan(nil, time.Hour), "1 hour")
	f(timespan(nil, 90*time.Minute), "90 minutes")
	f(timespan(nil, 2*24*time.Hour), "2 days")
	f(timespan(nil, 1500*time.Millisecond), "1500 milliseconds")
	f(timespan(nil, -time.Second), "-1 second")
	f(datetime(time.Date(2024, 5, 1, 1, 2, 3, 456789000, time.UTC)), `TO_DATETIME("2024-05-01T01:02:03.456Z")`)
}

func TestLucenePattern(t *testing.T) {
	f := func(re, want string, empty bool) {
		t.Helper()
		got, gotEmpty := lucenePattern(nil, re)
		if got != want || gotEmpty != empty {
			t.Errorf("%q: got %q %v, want %q %v", re, got, gotEmpty, want, empty)
		}
	}
	f("abc", ".*(abc).*", false)
	f("^abc$", "abc", false)
	f("^a|b", "(a|b).*", false)
	f("x*", ".*(x*).*", true)
	f(`a\.exe$`, `.*(a\.exe)`, false)
	f(`a"b`, `.*(a\"b).*`, false)
	f(`mail@corp`, `.*(mail\@corp).*`, false)
}

func TestUnsupportedErrorsCarryCodeAndSpan(t *testing.T) {
	cat := testCatalog(t)
	src := "SigninLogs\n| where ResultType == \"0\"\n| lookup (DeviceProcessEvents) on $left.UserPrincipalName == $right.AccountName"
	q, err := kql.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := check.Check(q, check.Options{Catalog: cat, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(ch, testOptions)
	var ke *kql.Error
	if !errors.As(err, &ke) || ke.Code != CodeUnsupported || ke.Msg != "lookup is not supported by ES|QL" {
		t.Fatalf("got %v", err)
	}
	if line, col := kql.Position(src, ke.Span.Start); line != 3 || col != 3 {
		t.Errorf("error at %d:%d, want 3:3", line, col)
	}
}

func TestLimit(t *testing.T) {
	cat := testCatalog(t)
	q, _ := kql.Parse("SigninLogs")
	ch, err := check.Check(q, check.Options{Catalog: cat, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ limit, want int }{{0, MaxLimit}, {5, 5}, {MaxLimit + 1, MaxLimit}} {
		res, err := Compile(ch, Options{Indices: testOptions.Indices, Limit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(res.Text, "| LIMIT "+itoa(c.want)) {
			t.Errorf("limit %d: %s", c.limit, res.Text)
		}
	}
}

func TestNoticesForApproximations(t *testing.T) {
	cat := testCatalog(t)
	q, _ := kql.Parse("SigninLogs | summarize make_set(AppDisplayName) by UserPrincipalName | render table")
	ch, err := check.Check(q, check.Options{Catalog: cat, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compile(ch, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(res.Notices, "\n")
	if !strings.Contains(joined, "VALUES") || !strings.Contains(joined, "render") {
		t.Errorf("notices %q", res.Notices)
	}
}

// FuzzCompile checks that any query that parses and checks either compiles
// or is refused with esql.unsupported: never a panic, never kql.internal,
// and a compiled query always ends with a LIMIT.
func FuzzCompile(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "goldens", "*", "input.kql"))
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err == nil {
			f.Add(string(b))
		}
	}
	cat := testCatalog(f)
	f.Fuzz(func(t *testing.T, src string) {
		q, err := kql.Parse(src)
		if err != nil {
			return
		}
		ch, err := check.Check(q, check.Options{Catalog: cat, Now: now})
		if err != nil {
			return
		}
		res, err := Compile(ch, testOptions)
		if err != nil {
			var ke *kql.Error
			if !errors.As(err, &ke) || ke.Code != CodeUnsupported {
				t.Fatalf("%q: %v", src, err)
			}
			return
		}
		if !strings.Contains(res.Text, "\n| LIMIT ") || !strings.HasPrefix(res.Text, "FROM ") {
			t.Fatalf("%q compiled to %q", src, res.Text)
		}
	})
}

// BenchmarkCompile measures parse, check and ES|QL compilation of a
// typical hunting query.
func BenchmarkCompile(b *testing.B) {
	cat := testCatalog(b)
	src := `DeviceProcessEvents | where TimeGenerated > ago(1d) and ProcessCommandLine has_any ("mimikatz", "sekurlsa") and FileName !in~ ("svchost.exe") | summarize Runs = count(), Hosts = dcount(DeviceName) by AccountName, bin(TimeGenerated, 1h) | top 20 by Runs`
	for b.Loop() {
		q, err := kql.Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		ch, err := check.Check(q, check.Options{Catalog: cat, Now: now})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compile(ch, testOptions); err != nil {
			b.Fatal(err)
		}
	}
}
