package detect_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/sleuth-hunt/sleuth/internal/catalog/catgen"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/detect/detecttest"
	"github.com/sleuth-hunt/sleuth/internal/ingest"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// The conformance tests run the engine on public data in ../shared/data
// and skip when it is absent: SigmaHQ's regression events with the rules
// they must trigger, and OTRF recordings of single ATT&CK techniques.

func sharedData(t *testing.T, sub string) string {
	t.Helper()
	root, err := catgen.SharedData()
	if err != nil {
		t.Skipf("shared test data is absent: %v", err)
	}
	p := filepath.Join(root, sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data %s is absent (set SLEUTH_SHARED_DATA to run this test)", p)
	}
	return p
}

var (
	sigmaHQOnce sync.Once
	sigmaHQSet  *detect.RuleSet
	sigmaHQErr  error
)

// sigmaHQ compiles SigmaHQ's rules (and the built-in pack) once for the
// tests that need them.
func sigmaHQ(t *testing.T) *detect.RuleSet {
	t.Helper()
	dir := sharedData(t, "sigma")
	sigmaHQOnce.Do(func() {
		var paths []string
		for _, d := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting"} {
			paths = append(paths, filepath.Join(dir, d))
		}
		sigmaHQSet, sigmaHQErr = detect.Load(detect.LoadOptions{Paths: paths})
	})
	if sigmaHQErr != nil {
		t.Fatal(sigmaHQErr)
	}
	return sigmaHQSet
}

// storeSink lets ingest write into a store.
type storeSink struct{ st *store.Store }

func (s storeSink) Writer(ctx context.Context, table string) (ingest.TableWriter, error) {
	return s.st.Appender(ctx, table)
}

// ingestInto reads files the way sleuth ingest does and reports the rows
// written.
func ingestInto(t *testing.T, s *detecttest.Store, paths ...string) int64 {
	t.Helper()
	sum, err := ingest.Run(context.Background(), storeSink{s.St}, paths, ingest.Options{Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("ingest %v: %v", paths, err)
	}
	return sum.Rows()
}

// span is the time range of everything in a store.
func span(t testing.TB, s *detecttest.Store) (time.Time, time.Time) {
	t.Helper()
	counts, err := s.St.RowCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var lo, hi time.Time
	for table, n := range counts {
		if n == 0 {
			continue
		}
		set, err := s.St.Query(context.Background(), `SELECT min("TimeGenerated"), max("TimeGenerated") FROM "`+table+`"`, 1)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := set.Rows[0][0].(time.Time)
		b, _ := set.Rows[0][1].(time.Time)
		if lo.IsZero() || a.Before(lo) {
			lo = a
		}
		if b.After(hi) {
			hi = b
		}
	}
	return lo, hi
}

// TestOTRFTechniques ingests each OTRF atomic recording into its own store,
// runs the built-in pack and SigmaHQ's rules over the recording's span,
// and counts the recordings whose labelled technique (or its parent or a
// sub-technique) is among the signals' techniques. At least 16 of the 20
// must be.
func TestOTRFTechniques(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 20 recordings; skipped with -short")
	}
	dir := sharedData(t, filepath.Join("otrf", "atomic"))
	rs := sigmaHQ(t)
	labels := otrfLabels(t, dir)
	var mu sync.Mutex
	found := 0
	var misses []string
	t.Run("recordings", func(t *testing.T) {
		for _, l := range labels {
			t.Run(l.id, func(t *testing.T) {
				t.Parallel()
				ok := otrfFinds(t, rs, dir, l)
				mu.Lock()
				defer mu.Unlock()
				if ok {
					found++
				} else {
					misses = append(misses, l.id+" "+strings.Join(l.techniques, ",")+" ("+l.title+")")
				}
			})
		}
	})
	sort.Strings(misses)
	t.Logf("OTRF: %d of %d recordings have their technique among the signals; missed: %s", found, len(labels), strings.Join(misses, "; "))
	if found < 16 {
		t.Errorf("found %d of %d labelled techniques, want at least 16", found, len(labels))
	}
}

// otrfFinds ingests one recording into its own store and runs the rules
// over its span.
func otrfFinds(t *testing.T, rs *detect.RuleSet, dir string, l otrfLabel) bool {
	s := detecttest.Open(t)
	began := time.Now()
	rows := ingestInto(t, s, filepath.Join(dir, l.file))
	ingested := time.Since(began)
	lo, hi := span(t, s)
	res, err := (&detect.Engine{Source: s.Src, Rules: rs}).Run(context.Background(), detect.Scope{Start: lo, End: hi})
	if err != nil {
		t.Fatalf("%s: %v", l.id, err)
	}
	t.Logf("%d rows ingested in %v; %d rules (%d skipped) in %v: %d signals", rows, ingested.Round(time.Millisecond),
		res.Rules, res.Skipped, res.Elapsed.Round(time.Millisecond), len(res.Signals))
	var got []string
	for _, sig := range res.Signals {
		got = append(got, sig.Techniques...)
	}
	return sameFamily(got, l.techniques)
}

type otrfLabel struct {
	id, file, title string
	techniques      []string
}

// otrfLabels reads CATALOG.tsv: dataset id, techniques, title, file.
func otrfLabels(t *testing.T, dir string) []otrfLabel {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "CATALOG.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []otrfLabel
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 || cols[0] == "dataset_id" {
			continue
		}
		out = append(out, otrfLabel{id: cols[0], techniques: strings.Split(cols[1], ","), title: cols[2], file: cols[3]})
	}
	if len(out) != 20 {
		t.Fatalf("CATALOG.tsv lists %d recordings, want 20", len(out))
	}
	return out
}

// regressionPair is one SigmaHQ regression test: a rule and its events.
type regressionPair struct {
	ruleID  string
	file    string
	matches int
	from    time.Time
	to      time.Time
}

// TestSigmaRegressionData ingests SigmaHQ's regression events through
// sleuth's ingest, runs SigmaHQ's rules through the engine, and checks
// that each paired rule raises a signal over its own events for at least
// 90% of the pairs whose events ingest reads.
func TestSigmaRegressionData(t *testing.T) {
	if testing.Short() {
		t.Skip("runs thousands of rules; skipped with -short")
	}
	root := sharedData(t, filepath.Join("sigma", "regression_data"))
	rs := sigmaHQ(t)
	pairs := regressionPairs(t, root)
	s := detecttest.Open(t)
	read := map[string]bool{}
	for _, p := range pairs {
		if ingestInto(t, s, p.file) > 0 {
			read[p.file] = true
		}
	}
	lo, hi := span(t, s)
	res, err := (&detect.Engine{Source: s.Src, Rules: rs}).Run(context.Background(), detect.Scope{Start: lo, End: hi})
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string][]detect.Signal{}
	for _, sig := range res.Signals {
		byRule[sig.RuleID] = append(byRule[sig.RuleID], sig)
	}
	tested, fired, counted := 0, 0, 0
	var misses []string
	for _, p := range pairs {
		if !read[p.file] {
			misses = append(misses, p.ruleID+": ingest read no rows from "+filepath.Base(p.file))
			continue
		}
		tested++
		n := signalEvents(byRule[p.ruleID], p.from, p.to)
		switch {
		case n > 0:
			fired++
			if n >= p.matches {
				counted++
			}
		default:
			misses = append(misses, p.ruleID+": "+whyMissed(rs, p.ruleID, res))
		}
	}
	sort.Strings(misses)
	t.Logf("regression data: %d pairs, ingest read %d; the rule fired on %d (%.1f%%), with at least the expected count on %d; misses:\n  %s",
		len(pairs), tested, fired, 100*float64(fired)/float64(max(tested, 1)), counted, strings.Join(misses, "\n  "))
	if fired*10 < tested*9 {
		t.Errorf("paired rules fired on %d of %d pairs, want at least 90%%", fired, tested)
	}
}

// signalEvents counts the events of signals overlapping [from, to].
func signalEvents(sigs []detect.Signal, from, to time.Time) int {
	n := 0
	for _, s := range sigs {
		if !s.LastSeen.Before(from) && !s.FirstSeen.After(to) {
			n += s.Count
		}
	}
	return n
}

func whyMissed(rs *detect.RuleSet, id string, res *detect.Result) string {
	r, ok := rs.Rule(id)
	switch {
	case !ok:
		return "rule not found"
	case r.Err != nil:
		return "does not compile: " + r.Err.Code + ": " + r.Err.Msg
	case r.Hidden:
		return "runs only through a correlation"
	}
	for _, e := range res.Errors {
		if e.RuleID == id {
			return "failed to run: " + e.Msg
		}
	}
	return "no signal over its events"
}

// regressionPairs reads every info.yml and the time range of its events.
func regressionPairs(t *testing.T, root string) []regressionPair {
	t.Helper()
	var out []regressionPair
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "info.yml" {
			return err
		}
		var info struct {
			Rules []struct{ ID string } `yaml:"rule_metadata"`
			Tests []struct {
				MatchCount int    `yaml:"match_count"`
				Path       string `yaml:"path"`
			} `yaml:"regression_tests_info"`
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if yaml.Unmarshal(b, &info) != nil || len(info.Rules) == 0 || len(info.Tests) == 0 {
			return nil
		}
		jsons, _ := filepath.Glob(filepath.Join(filepath.Dir(p), "*.json"))
		if len(jsons) == 0 {
			return nil
		}
		from, to := eventTimes(t, jsons[0])
		out = append(out, regressionPair{ruleID: info.Rules[0].ID, file: jsons[0], matches: info.Tests[0].MatchCount, from: from, to: to})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// eventTimes is the range of an evtx_dump JSON file's event times (system
// time and Sysmon's UtcTime), a minute wider on each side.
func eventTimes(t *testing.T, path string) (time.Time, time.Time) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lo, hi time.Time
	note := func(s string) {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if ts, err := time.Parse(layout, s); err == nil {
				if lo.IsZero() || ts.Before(lo) {
					lo = ts
				}
				if ts.After(hi) {
					hi = ts
				}
				return
			}
		}
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	for {
		var ev struct {
			Event struct {
				System struct {
					TimeCreated struct {
						Attr struct {
							SystemTime string `json:"SystemTime"`
						} `json:"#attributes"`
					} `json:"TimeCreated"`
				} `json:"System"`
				EventData map[string]any `json:"EventData"`
			} `json:"Event"`
		}
		if err := dec.Decode(&ev); err != nil {
			break
		}
		note(ev.Event.System.TimeCreated.Attr.SystemTime)
		if u, ok := ev.Event.EventData["UtcTime"].(string); ok {
			note(u)
		}
	}
	return lo.Add(-time.Minute), hi.Add(time.Minute)
}
