package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

var (
	t0  = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	now = t0.Add(48 * time.Hour)
)

func parse(t *testing.T, s string) *kql.Query {
	t.Helper()
	q, err := kql.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestPrepareRewrites(t *testing.T) {
	window := Options{Now: now, Start: t0, End: t0.Add(time.Hour)}
	w := "(SigninLogs | where TimeGenerated >= datetime(2024-05-01T00:00:00Z) and TimeGenerated < datetime(2024-05-01T01:00:00Z))"
	f := func(src string, opt Options, po PrepareOptions, want string) {
		t.Helper()
		if po.Catalog == nil {
			po.Catalog = catalog.Default()
		}
		q := parse(t, src)
		before := kql.Print(q)
		p, err := Prepare(q, opt, po)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if p.Text != want {
			t.Errorf("%s\n got: %s\nwant: %s", src, p.Text, want)
		}
		if kql.Print(q) != before {
			t.Errorf("Prepare changed the caller's query")
		}
	}
	f("SigninLogs | take 5", window, PrepareOptions{}, "SigninLogs | take 5")
	f("SigninLogs | take 5", window, PrepareOptions{Window: true}, w+" | take 5")
	f("SigninLogs", window, PrepareOptions{Window: true}, w)
	f(`let t = SigninLogs | where ResultType != "0"; t | join (SigninLogs | project UserPrincipalName) on UserPrincipalName`, window, PrepareOptions{Window: true},
		`let t = `+w+` | where ResultType != "0"; t | join (`+w+` | project UserPrincipalName) on UserPrincipalName`)
	f("union SigninLogs, AuditLogs", Options{Now: now, Start: t0}, PrepareOptions{Window: true},
		"union (SigninLogs | where TimeGenerated >= datetime(2024-05-01T00:00:00Z)), (AuditLogs | where TimeGenerated >= datetime(2024-05-01T00:00:00Z))")
	f("let SigninLogs2 = 1; SigninLogs | project x = SigninLogs2", Options{Now: now, End: t0}, PrepareOptions{Window: true},
		"let SigninLogs2 = 1; (SigninLogs | where TimeGenerated < datetime(2024-05-01T00:00:00Z)) | project x = SigninLogs2")
	f("SigninLogs | summarize count() by UserPrincipalName", Options{Now: now, MaxRows: 10}, PrepareOptions{Take: true},
		"SigninLogs | summarize count() by UserPrincipalName | take 11")
	f("SigninLogs", Options{Now: now}, PrepareOptions{Take: true, HardLimit: 30000}, "SigninLogs")
	f("SigninLogs", Options{Now: now, MaxRows: 50000}, PrepareOptions{Take: true, HardLimit: 30000}, "SigninLogs | take 30000")
	f("DeviceProcessEvents | take 1", Options{Now: now}, PrepareOptions{Wrap: func(string) []kql.Operator {
		return []kql.Operator{kql.Extend(kql.Named("TimeGenerated", kql.Name("Timestamp")))}
	}}, "(DeviceProcessEvents | extend TimeGenerated = Timestamp) | take 1")
}

func TestPrepareLimits(t *testing.T) {
	f := func(opt Options, hard, limit, fetch int, warn string) {
		t.Helper()
		opt.Now = now
		p, err := Prepare(parse(t, "SigninLogs"), opt, PrepareOptions{Catalog: catalog.Default(), HardLimit: hard})
		if err != nil {
			t.Fatal(err)
		}
		if p.Limit != limit || p.Fetch != fetch || !strings.Contains(strings.Join(p.Warnings, "\n"), warn) {
			t.Errorf("%+v hard %d: limit %d fetch %d warnings %q", opt, hard, p.Limit, p.Fetch, p.Warnings)
		}
	}
	f(Options{}, 0, 0, 0, "")
	f(Options{MaxRows: 10}, 0, 10, 11, "")
	f(Options{MaxRows: 10, Policy: &check.Policy{MaxRows: 5}}, 0, 5, 6, "")
	f(Options{MaxRows: 10}, 8, 8, 8, "at most 8 rows")
	f(Options{}, 500000, 500000, 500000, "")
}

func TestPrepareReportsErrorsInTheCallersText(t *testing.T) {
	src := "SigninLogs\n| where Nope == 1"
	_, err := Prepare(parse(t, src), Options{Now: now, Start: t0}, PrepareOptions{Catalog: catalog.Default(), Window: true, Take: true})
	var l kql.ErrorList
	if !errors.As(err, &l) || l[0].Code != kql.CodeUnknownColumn {
		t.Fatalf("got %v", err)
	}
	if line, col := kql.Position(src, l[0].Span.Start); line != 2 || col != 9 {
		t.Errorf("error at %d:%d, want 2:9", line, col)
	}
}

func TestRowWise(t *testing.T) {
	f := func(src string, want bool) {
		t.Helper()
		ch, err := check.Check(parse(t, src), check.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if got := RowWise(ch); got != want {
			t.Errorf("%s: got %v, want %v", src, got, want)
		}
	}
	f("SigninLogs", true)
	f(`SigninLogs | where ResultType != "0" | extend x = 1 | project TimeGenerated, x | take 10`, true)
	f("(SigninLogs | where TimeGenerated > ago(1d)) | project-away ResultType", true)
	f("union SigninLogs, AuditLogs | where TimeGenerated > ago(1d)", true)
	f("SigninLogs | take 10 | where ResultType == '0'", false)
	f("SigninLogs | summarize count() by UserPrincipalName", false)
	f("SigninLogs | sort by TimeGenerated", false)
	f("SigninLogs | top 3 by TimeGenerated", false)
	f("SigninLogs | join (AuditLogs) on TimeGenerated", false)
	f("SigninLogs | distinct UserPrincipalName", false)
}

func TestCap(t *testing.T) {
	mk := func(n int) *rows.Set {
		s := &rows.Set{Columns: []rows.Column{{Name: "n", Type: catalog.Long}}}
		for i := range n {
			s.Rows = append(s.Rows, []any{int64(i)})
		}
		return s
	}
	f := func(p Prepared, n, rowsLeft int, truncated bool) {
		t.Helper()
		var w []string
		set := mk(n)
		p.Cap(set, &w)
		if len(set.Rows) != rowsLeft || set.Truncated != truncated || (len(w) > 0) != truncated {
			t.Errorf("%+v with %d rows: %d left, truncated %v, warnings %q", p, n, len(set.Rows), set.Truncated, w)
		}
	}
	f(Prepared{}, 5, 5, false)
	f(Prepared{Limit: 3, Fetch: 4}, 4, 3, true)
	f(Prepared{Limit: 3, Fetch: 4}, 3, 3, false)
	f(Prepared{Limit: 3, Fetch: 3}, 3, 3, true)
	f(Prepared{Limit: 3, Fetch: 3}, 2, 2, false)
}

func TestRetrier(t *testing.T) {
	var slept []time.Duration
	r := &Retrier{Name: "x", MaxRetries: 3, MaxDelay: time.Minute,
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	statuses := []int{429, 503, 200}
	headers := []http.Header{{"Retry-After": {"5"}}, nil, nil}
	i := 0
	rep, n, err := r.Do(context.Background(), func(context.Context) (*Reply, error) {
		rep := &Reply{Status: statuses[i], Header: headers[i]}
		i++
		return rep, nil
	})
	if err != nil || rep.Status != 200 || n != 3 {
		t.Fatalf("status %d after %d calls: %v", rep.Status, n, err)
	}
	if diff := cmp.Diff([]time.Duration{5 * time.Second, 2 * time.Second}, slept); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}

	slept = nil
	rep, n, _ = r.Do(context.Background(), func(context.Context) (*Reply, error) {
		return &Reply{Status: 429, Header: http.Header{"Retry-After": {"3600"}}}, nil
	})
	if rep.Status != 429 || n != 1 || len(slept) != 0 {
		t.Errorf("a Retry-After beyond MaxDelay must not be waited for: status %d calls %d waits %v", rep.Status, n, slept)
	}
	rep, n, _ = r.Do(context.Background(), func(context.Context) (*Reply, error) { return &Reply{Status: 400}, nil })
	if rep.Status != 400 || n != 1 {
		t.Errorf("400 is not retried: %d calls", n)
	}
	none := &Retrier{MaxRetries: -1}
	if _, n, _ := none.Do(context.Background(), func(context.Context) (*Reply, error) { return &Reply{Status: 503}, nil }); n != 1 {
		t.Errorf("MaxRetries -1: %d calls", n)
	}
}

func TestSchemaDiscovery(t *testing.T) {
	if q := SchemaQuery([]string{"SigninLogs", "My Table"}); q != `union isfuzzy=true (SigninLogs | getschema | extend TableName = "SigninLogs"), (['My Table'] | getschema | extend TableName = "My Table") | project TableName, ColumnName, ColumnOrdinal, ColumnType` {
		t.Errorf("schema query %s", q)
	}
	if _, err := kql.Parse(SchemaQuery(catalog.Default().Names())); err != nil {
		t.Errorf("the schema query must parse: %v", err)
	}
	set := &rows.Set{Columns: []rows.Column{{Name: "TableName"}, {Name: "ColumnName"}, {Name: "ColumnOrdinal"}, {Name: "ColumnType"}}, Rows: [][]any{
		{"DeviceLogonEvents", "AccountName", int64(1), "string"},
		{"DeviceLogonEvents", "Timestamp", int64(0), "datetime"},
		{"SigninLogs", "TimeGenerated", int64(0), "System.DateTime"},
		{"SigninLogs", "UserPrincipalName", int64(1), "System.String"},
		{"SigninLogs", "Custom_s", int64(2), "string"},
		{"Heartbeat", "Computer", int64(0), "string"},
		{"DeviceLogonEvents", "", int64(9), ""},
	}}
	found, err := SchemaFromSet(set)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildCatalog(catalog.Default(), found, BuildOptions{Origin: "test", AliasTimestamp: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"DeviceLogonEvents", "SigninLogs"}, b.Catalog.Names()); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	dle, _ := b.Catalog.Table("DeviceLogonEvents")
	var cols []string
	for _, c := range dle.Columns {
		cols = append(cols, fmt.Sprintf("%s:%s:%s", c.Name, c.Type, c.Role))
	}
	if diff := cmp.Diff([]string{"Timestamp:datetime:time", "AccountName:string:user", "TimeGenerated:datetime:time"}, cols); diff != "" {
		t.Errorf("DeviceLogonEvents (-want +got):\n%s", diff)
	}
	if !b.Aliased["DeviceLogonEvents"] || b.Aliased["SigninLogs"] {
		t.Errorf("aliased %v", b.Aliased)
	}
	if sl, _ := b.Catalog.Table("SigninLogs"); sl.ColumnIndex("Custom_s") != 2 || sl.Source != "test" {
		t.Errorf("a workspace's own columns are kept: %+v", sl)
	}
	if diff := cmp.Diff([]string{"Heartbeat has no TimeGenerated datetime column"}, b.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if _, err := SchemaFromSet(&rows.Set{Columns: []rows.Column{{Name: "x"}}}); err == nil {
		t.Error("a listing without the schema columns is an error")
	}
}

func TestCatalogCacheRetriesFailures(t *testing.T) {
	var c CatalogCache
	calls := 0
	discover := func(context.Context) (*Built, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("down")
		}
		return &Built{}, nil
	}
	if _, err := c.Get(context.Background(), discover); err == nil {
		t.Fatal("first call should fail")
	}
	for range 2 {
		if _, err := c.Get(context.Background(), discover); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 2 {
		t.Errorf("discover ran %d times, want 2 (a failure is not cached, a success is)", calls)
	}
}

func TestHTTPErrorCodes(t *testing.T) {
	for status, code := range map[int]string{401: CodeAuth, 403: CodeForbidden, 404: CodeNotFound, 429: CodeRateLimited,
		408: CodeTimeout, 504: CodeTimeout, 400: CodeBadQuery, 500: CodeUnavailable, 418: CodeBadResponse} {
		e := HTTPError("s", status, http.Header{"Retry-After": {"2"}}, "detail")
		if e.Code != code || !strings.Contains(e.Error(), "detail") || !strings.HasPrefix(e.Error(), "source s: ") {
			t.Errorf("%d: %s %q", status, e.Code, e.Error())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if e := TransportError(ctx, "s", ctx.Err()); e.Code != CodeTimeout {
		t.Errorf("cancelled: %s", e.Code)
	}
	if e := TransportError(context.Background(), "s", errors.New("connection refused")); e.Code != CodeUnavailable {
		t.Errorf("refused: %s", e.Code)
	}
	if Limiter(0) != nil || Limiter(45) == nil {
		t.Error("Limiter")
	}
}

// BenchmarkPrepare measures the check, copy and window rewrite every
// source query goes through.
func BenchmarkPrepare(b *testing.B) {
	q, err := kql.Parse(`let fails = SigninLogs | where ResultType != "0"; fails | summarize count() by UserPrincipalName, IPAddress | where count_ > 10`)
	if err != nil {
		b.Fatal(err)
	}
	opt := Options{Now: now, Start: t0, End: t0.Add(24 * time.Hour), MaxRows: 1000}
	po := PrepareOptions{Catalog: catalog.Default(), Window: true, Take: true}
	for b.Loop() {
		if _, err := Prepare(q, opt, po); err != nil {
			b.Fatal(err)
		}
	}
}
