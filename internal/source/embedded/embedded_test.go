package embedded

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// lab is a store with one SigninLogs row an hour for six hours, users
// alternating between alice and bob.
func lab(t *testing.T) *Source {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:", store.Options{InitSQL: duckdb.Prelude()})
	if err != nil {
		t.Fatal(err)
	}
	app, err := st.Appender(ctx, "SigninLogs")
	if err != nil {
		t.Fatal(err)
	}
	tb := app.Table()
	for i := range 6 {
		row := make([]any, len(tb.Columns))
		row[tb.ColumnIndex("TimeGenerated")] = t0.Add(time.Duration(i) * time.Hour)
		row[tb.ColumnIndex("UserPrincipalName")] = []string{"alice@contoso.com", "bob@contoso.com"}[i%2]
		row[tb.ColumnIndex("ResultType")] = "0"
		if err := app.Append(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	s := New(st, true)
	t.Cleanup(func() { s.Close() })
	return s
}

func run(t *testing.T, s *Source, src string, opt source.Options) (*source.Result, error) {
	t.Helper()
	q, err := kql.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Now.IsZero() {
		opt.Now = t0.Add(24 * time.Hour)
	}
	return s.Query(context.Background(), q, opt)
}

func TestWindowFiltersEveryTableRead(t *testing.T) {
	s := lab(t)
	opt := source.Options{Start: t0.Add(time.Hour), End: t0.Add(4 * time.Hour)}
	res, err := run(t, s, `let a = SigninLogs | where UserPrincipalName startswith "alice"; union a, (SigninLogs | where UserPrincipalName startswith "bob") | project TimeGenerated`, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Set.Rows) != 3 {
		t.Errorf("rows %d, want the 3 in [01:00, 04:00)", len(res.Set.Rows))
	}
	for _, r := range res.Set.Rows {
		tm := r[0].(time.Time)
		if tm.Before(opt.Start) || !tm.Before(opt.End) {
			t.Errorf("row at %v is outside the window", tm)
		}
	}
	if !strings.Contains(res.Text, "SELECT") || res.Stats.Rows != 3 {
		t.Errorf("text %q stats %+v", res.Text, res.Stats)
	}
}

func TestRowCapIsDetected(t *testing.T) {
	s := lab(t)
	res, err := run(t, s, "SigninLogs | project TimeGenerated", source.Options{MaxRows: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Set.Rows) != 4 || !res.Set.Truncated || len(res.Warnings) != 1 {
		t.Errorf("rows %d truncated %v warnings %q", len(res.Set.Rows), res.Set.Truncated, res.Warnings)
	}
	exact, err := run(t, s, "SigninLogs | project TimeGenerated", source.Options{MaxRows: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(exact.Set.Rows) != 6 || exact.Set.Truncated {
		t.Errorf("an exact fit is not a cut: rows %d truncated %v", len(exact.Set.Rows), exact.Set.Truncated)
	}
	pol, err := run(t, s, "SigninLogs | summarize count() by UserPrincipalName", source.Options{Policy: &check.Policy{MaxRows: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pol.Set.Rows) != 1 || !pol.Set.Truncated {
		t.Errorf("the policy's cap: rows %d truncated %v", len(pol.Set.Rows), pol.Set.Truncated)
	}
}

func TestCheckErrorsAndPolicy(t *testing.T) {
	s := lab(t)
	_, err := run(t, s, "SigninLogs | where Nope == 1", source.Options{})
	var l kql.ErrorList
	if !errors.As(err, &l) || l[0].Code != kql.CodeUnknownColumn {
		t.Fatalf("got %v", err)
	}
	_, err = run(t, s, "SigninLogs | take 1", source.Options{Policy: &check.Policy{AllowedTables: []string{"AuditLogs"}}})
	if !errors.As(err, &l) || l[0].Code != kql.CodePolicy {
		t.Fatalf("a table the policy does not allow: %v", err)
	}
}

func TestCatalogAndEndpoint(t *testing.T) {
	s := lab(t)
	cat, err := s.Catalog(context.Background())
	if err != nil || len(cat.Names()) < 50 {
		t.Fatalf("catalog: %v %d tables", err, len(cat.Names()))
	}
	if s.Name() != "embedded" || s.Kind() != "embedded" || s.Endpoint() != ":memory:" {
		t.Errorf("%s %s %s", s.Name(), s.Kind(), s.Endpoint())
	}
}
