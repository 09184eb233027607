package kql

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// conformanceThreshold is the share of Sentinel hunting queries that must
// parse without a kql.syntax error.
const conformanceThreshold = 0.95

// sharedData returns the shared test data folder, or skips the test when
// it is absent (a user's checkout has no ../shared).
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

type huntingQuery struct {
	file  string
	query string
}

// loadHuntingQueries reads the query: field of every YAML file under dir.
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
		if err := yaml.Unmarshal(b, &doc); err != nil || strings.TrimSpace(doc.Query) == "" {
			return nil // not a hunting query file; counted by the caller as absent
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

// TestConformanceSentinel parses Microsoft's Sentinel hunting queries. It
// fails when fewer than conformanceThreshold of them parse without a
// kql.syntax error, and logs the most common failure reasons.
func TestConformanceSentinel(t *testing.T) {
	dir := sharedData(t, "kql/sentinel-hunting-queries")
	queries := loadHuntingQueries(t, dir)
	if len(queries) < 100 {
		t.Fatalf("found only %d hunting queries in %s", len(queries), dir)
	}
	var syntaxFails, otherFails, roundTripFails int
	reasons := map[string][]string{}
	for _, hq := range queries {
		q, err := Parse(hq.query)
		if err != nil {
			var list ErrorList
			errors.As(err, &list)
			first := list[0]
			if first.Code == CodeSyntax {
				syntaxFails++
			} else {
				otherFails++
			}
			line, col := Position(hq.query, first.Span.Start)
			key := first.Code + ": " + reasonKey(first.Msg)
			reasons[key] = append(reasons[key], fmt.Sprintf("%s:%d:%d", hq.file, line, col))
			continue
		}
		if msg := roundTrip(q); msg != "" {
			roundTripFails++
			t.Errorf("%s: %s", hq.file, msg)
		}
	}
	ok := len(queries) - syntaxFails - otherFails
	rate := float64(len(queries)-syntaxFails) / float64(len(queries))
	t.Logf("%d queries: %d parse, %d kql.syntax errors, %d other errors (%.1f%% without kql.syntax)",
		len(queries), ok, syntaxFails, otherFails, 100*rate)
	logReasons(t, reasons)
	if rate < conformanceThreshold {
		t.Errorf("only %.1f%% of hunting queries parse without kql.syntax; the threshold is %.0f%%",
			100*rate, 100*conformanceThreshold)
	}
	if roundTripFails > 0 {
		t.Errorf("%d parsed queries did not survive print and parse", roundTripFails)
	}
}

// reasonKey groups messages that differ only in the token found.
func reasonKey(msg string) string {
	if i := strings.Index(msg, ", found"); i > 0 {
		return msg[:i]
	}
	return msg
}

func logReasons(t *testing.T, reasons map[string][]string) {
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(reasons[keys[i]]) != len(reasons[keys[j]]) {
			return len(reasons[keys[i]]) > len(reasons[keys[j]])
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		t.Logf("%3d  %s  (e.g. %s)", len(reasons[k]), k, strings.Join(reasons[k][:min(3, len(reasons[k]))], ", "))
	}
}
