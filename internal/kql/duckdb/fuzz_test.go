package duckdb_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
)

var (
	fuzzOnce sync.Once
	fuzzEnv  *testEnv
)

// FuzzCompile parses, checks and compiles arbitrary queries (seeded from
// the goldens): none of it may panic, a checked query must compile, and
// DuckDB must accept the SQL — a binder or parser error there is a
// compiler bug. Run-time errors that depend on the data (a conversion that
// overflows) are allowed.
func FuzzCompile(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "goldens", "*", "input.kql"))
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4000 {
			return
		}
		fuzzOnce.Do(func() { fuzzEnv = newTestEnv(t) })
		q, err := kql.Parse(src)
		if err != nil {
			return
		}
		ch, err := check.Check(q, check.Options{Catalog: fuzzEnv.cat, Now: testNow})
		if err != nil {
			return
		}
		res, err := duckdb.Compile(ch, duckdb.Options{MaxRows: 50})
		if err != nil {
			t.Fatalf("a checked query did not compile: %v\n%s", err, src)
		}
		assertAccepted(t, fuzzEnv, src, res.SQL)
	})
}

// assertAccepted runs the SQL and fails on errors that mean DuckDB rejected
// the statement itself.
func assertAccepted(t testing.TB, env *testEnv, src, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := env.store.Query(ctx, sql, 50)
	if err == nil || ctx.Err() != nil {
		return
	}
	msg := err.Error()
	for _, kind := range []string{"Binder Error", "Parser Error", "Catalog Error", "Not implemented Error", "INTERNAL Error"} {
		if strings.Contains(msg, kind) {
			t.Errorf("DuckDB rejected the SQL of a checked query: %v\nKQL: %s\nSQL: %s", err, src, sql)
			return
		}
	}
}
