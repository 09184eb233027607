package duckdb_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// conformanceRate is the share of the Sentinel hunting queries that parse
// and read only catalog tables which must also check, compile and run on
// an empty store.
const conformanceRate = 0.80

// sharedData locates ../shared/data (or $SLEUTH_SHARED_DATA) and skips the
// test when it is absent, as it is in a user's checkout.
func sharedData(t testing.TB, sub string) string {
	t.Helper()
	dir := os.Getenv("SLEUTH_SHARED_DATA")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Skipf("shared test data not found: %v", err)
		}
		dir = filepath.Join(root, "..", "shared", "data")
	}
	dir = filepath.Join(dir, sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared test data %s is absent (set SLEUTH_SHARED_DATA to run this test)", dir)
	}
	return dir
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

type huntingQuery struct{ file, query string }

func loadHuntingQueries(t testing.TB, dir string) []huntingQuery {
	t.Helper()
	var out []huntingQuery
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var doc struct {
			Query string `yaml:"query"`
		}
		if yaml.Unmarshal(b, &doc) != nil || strings.TrimSpace(doc.Query) == "" {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, huntingQuery{file: rel, query: doc.Query})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConformanceSentinel checks, compiles and runs, on an empty store with
// the built-in catalog, every Sentinel hunting query that parses and whose
// tables are all in the catalog. It fails when fewer than conformanceRate
// of them get through, and logs the most common failure reasons.
func TestConformanceSentinel(t *testing.T) {
	dir := sharedData(t, filepath.Join("kql", "sentinel-hunting-queries"))
	queries := loadHuntingQueries(t, dir)
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:", store.Options{Catalog: catalog.Default(), InitSQL: duckdb.Prelude(), Threads: 1, MemoryLimit: "1GB"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var syntax, foreign, eligible, passed int
	reasons := map[string]int{}
	examples := map[string]string{}
	fail := func(q huntingQuery, reason string) {
		reasons[reason]++
		if _, ok := examples[reason]; !ok {
			examples[reason] = q.file
		}
		if os.Getenv("CONFORMANCE_VERBOSE") != "" {
			t.Logf("%s: %s", q.file, reason)
		}
	}
	for _, q := range queries {
		parsed, err := kql.Parse(q.query)
		if err != nil {
			syntax++
			continue
		}
		ch, err := check.Check(parsed, check.Options{Now: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			var list kql.ErrorList
			if errors.As(err, &list) && hasCode(list, kql.CodeUnknownTable) {
				foreign++
				continue
			}
			eligible++
			fail(q, reasonOf(err))
			continue
		}
		eligible++
		res, err := duckdb.Compile(ch, duckdb.Options{})
		if err != nil {
			fail(q, reasonOf(err))
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		_, err = st.Query(rctx, res.SQL, 10)
		cancel()
		if err != nil {
			fail(q, "run: "+normalise(err.Error()))
			continue
		}
		passed++
	}
	rate := float64(passed) / float64(max(eligible, 1))
	t.Logf("%d queries: %d do not parse, %d read tables outside the catalog, %d eligible, %d check, compile and run (%.1f%%)",
		len(queries), syntax, foreign, eligible, passed, 100*rate)
	type kv struct {
		k string
		n int
	}
	var top []kv
	for k, n := range reasons {
		top = append(top, kv{k, n})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n || (top[i].n == top[j].n && top[i].k < top[j].k) })
	for i, r := range top {
		if i == 25 {
			break
		}
		t.Logf("%4d  %s  (e.g. %s)", r.n, r.k, examples[r.k])
	}
	if rate < conformanceRate {
		t.Errorf("only %.1f%% of the eligible hunting queries check, compile and run; want at least %.0f%%", 100*rate, 100*conformanceRate)
	}
}

func hasCode(l kql.ErrorList, code string) bool {
	for _, e := range l {
		if e.Code == code {
			return true
		}
	}
	return false
}

var quoted = regexp.MustCompile(`'[^']*'|"[^"]*"|\d+`)

// reasonOf reduces an error to its code and message shape, so that errors
// of one kind count together.
func reasonOf(err error) string {
	var list kql.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return list[0].Code + ": " + normalise(list[0].Msg)
	}
	return normalise(err.Error())
}

func normalise(s string) string {
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	if len(s) > 140 {
		s = s[:140]
	}
	return quoted.ReplaceAllString(s, "…")
}
