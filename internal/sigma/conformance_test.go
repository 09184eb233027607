package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// sharedData locates ../shared/data next to the module root, or
// $SLEUTH_SHARED_DATA; it skips the test when neither exists.
func sharedData(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("SLEUTH_SHARED_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no module root found; skipping the test that needs ../shared/data")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("shared test data not found at %s (set SLEUTH_SHARED_DATA); skipping", d)
	}
	return d
}

// sigmaCorpus lists every rule file in the SigmaHQ snapshot (rules,
// rules-threat-hunting, rules-emerging-threats, …).
func sigmaCorpus(t testing.TB) []string {
	root := filepath.Join(sharedData(t), "sigma")
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "regression_data" || d.Name() == "tests") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 1000 {
		t.Fatalf("only %d rule files under %s", len(files), root)
	}
	return files
}

// reason turns an error into a failure category for the report: its code
// and message with quoted values masked.
var quoted = regexp.MustCompile(`"[^"]*"`)

func reason(err error) string {
	if ke, ok := err.(kql.ErrorList); ok && len(ke) > 0 {
		return ke[0].Code + ": " + quoted.ReplaceAllString(ke[0].Msg, `"…"`)
	}
	var e *Error
	switch x := err.(type) {
	case *Error:
		e = x
	case ErrorList:
		e = x[0]
	default:
		return err.Error()
	}
	return e.Code + ": " + quoted.ReplaceAllString(e.Msg, `"…"`)
}

func topReasons(t *testing.T, what string, counts map[string]int, n int) {
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range counts {
		kvs = append(kvs, kv{k, v})
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].v > kvs[j].v || kvs[i].v == kvs[j].v && kvs[i].k < kvs[j].k })
	for i := 0; i < len(kvs) && i < n; i++ {
		t.Logf("%s: %5d  %s", what, kvs[i].v, kvs[i].k)
	}
}

// TestConformanceSigmaHQ parses every rule of the SigmaHQ snapshot and
// compiles the Windows ones. It fails when fewer than 99% parse or fewer
// than 90% of the Windows rules whose logsource maps to a catalog table
// compile, and logs the top reasons for failures.
func TestConformanceSigmaHQ(t *testing.T) {
	files := sigmaCorpus(t)
	var docs, parsed, winMapped, winCompiled, winTotal int
	parseFail, compileFail := map[string]int{}, map[string]int{}
	for _, f := range files {
		rules, errs := ParseFile(f)
		docs += len(rules) + len(errs)
		parsed += len(rules)
		for _, e := range errs {
			parseFail[reason(e)]++
		}
		for _, r := range rules {
			if r.Logsource.Product != "windows" || r.Correlation != nil {
				continue
			}
			winTotal++
			c, err := Compile(r, Options{})
			if e, ok := err.(*Error); ok && e.Code == CodeUnmappedLogsource {
				compileFail["(not counted) "+reason(err)]++
				continue
			}
			winMapped++
			if err != nil {
				compileFail[reason(err)]++
				continue
			}
			winCompiled++
			if _, perr := kql.Parse(kql.Print(c.Query)); perr != nil {
				t.Errorf("%s: compiled KQL does not parse back: %v\n%s", f, perr, kql.Print(c.Query))
			}
		}
	}
	parseRate := float64(parsed) / float64(docs)
	compileRate := float64(winCompiled) / float64(winMapped)
	t.Logf("parsed %d of %d rule documents (%.2f%%) in %d files", parsed, docs, 100*parseRate, len(files))
	t.Logf("windows: %d rules, %d map to a catalog table, %d compile (%.2f%%)", winTotal, winMapped, winCompiled, 100*compileRate)
	topReasons(t, "parse failure", parseFail, 10)
	topReasons(t, "compile failure", compileFail, 15)
	if parseRate < 0.99 {
		t.Errorf("parse rate %.2f%% is below 99%%", 100*parseRate)
	}
	if compileRate < 0.90 {
		t.Errorf("windows compile rate %.2f%% is below 90%%", 100*compileRate)
	}
}

// TestCompiledRulesCheck runs the KQL checker (names and types against the
// catalog) over every compiled SigmaHQ rule: what the Sigma compiler emits
// must be KQL the embedded store can run. It fails when more than 2% do
// not check, and logs why.
func TestCompiledRulesCheck(t *testing.T) {
	files := sigmaCorpus(t)
	reasons := map[string]int{}
	n, bad := 0, 0
	for _, f := range files {
		rules, _ := ParseFile(f)
		for _, r := range rules {
			c, err := Compile(r, Options{})
			if err != nil {
				continue
			}
			n++
			if _, err := check.Check(c.Query, check.Options{}); err != nil {
				bad++
				reasons[reason(err)]++
			}
		}
	}
	t.Logf("%d compiled rules, %d do not pass the KQL checker", n, bad)
	topReasons(t, "check failure", reasons, 10)
	if float64(bad) > 0.02*float64(n) {
		t.Errorf("%d of %d compiled rules fail the KQL checker", bad, n)
	}
}
