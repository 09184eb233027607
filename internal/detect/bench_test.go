package detect_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog/catgen"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/detect/detecttest"
	"github.com/sleuth-hunt/sleuth/internal/ingest"
	"github.com/sleuth-hunt/sleuth/internal/lab"
)

// The benchmarks measure SigmaHQ's Windows rules (and the built-in pack)
// over real and generated data. Reproduce with
//
//	go test -run XXX -bench Detect -benchtime 5x ./internal/detect
//
// Metrics: rule-events/s is the rules run times the rows of the tables
// they read, per second of Engine.Run — the evaluations a naive engine
// owes; zircolite-events/s is rules times source events, the way
// Zircolite counts; heap-MB is the Go heap after the run.

func windowsRules(b *testing.B) *detect.RuleSet {
	b.Helper()
	root, err := catgen.SharedData()
	if err != nil {
		b.Skipf("shared data is absent: %v", err)
	}
	rs, err := detect.Load(detect.LoadOptions{Paths: []string{filepath.Join(root, "sigma", "rules", "windows")}})
	if err != nil {
		b.Fatal(err)
	}
	return rs
}

// BenchmarkCompileSigmaHQWindows measures loading and compiling SigmaHQ's
// Windows rules and the built-in pack.
func BenchmarkCompileSigmaHQWindows(b *testing.B) {
	root, err := catgen.SharedData()
	if err != nil {
		b.Skipf("shared data is absent: %v", err)
	}
	dir := filepath.Join(root, "sigma", "rules", "windows")
	var n int
	var rs *detect.RuleSet
	for b.Loop() {
		var err error
		rs, err = detect.Load(detect.LoadOptions{Paths: []string{dir}})
		if err != nil {
			b.Fatal(err)
		}
		n = len(rs.Runnable())
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(n), "rules")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	runtime.KeepAlive(rs)
}

// BenchmarkDetectOTRFCompound runs the rules over the OTRF LSASS campaign
// (about 42,000 Windows events on four hosts).
func BenchmarkDetectOTRFCompound(b *testing.B) {
	rs := windowsRules(b)
	root, _ := catgen.SharedData()
	s := detecttest.Open(b)
	sum, err := ingest.Run(context.Background(), storeSink{s.St}, []string{filepath.Join(root, "otrf", "compound")}, ingest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	lo, hi := span(b, s)
	benchRun(b, s, rs, detect.Scope{Start: lo, End: hi}, sum.Events)
}

// BenchmarkDetectLab runs the rules over a lab of the default size (seven
// days, 100 hosts, 150 people).
func BenchmarkDetectLab(b *testing.B) {
	rs := windowsRules(b)
	s := detecttest.Open(b)
	sum, err := lab.Generate(context.Background(), labSink{s.St}, lab.Options{Seed: 1, End: time.Date(2025, 11, 12, 9, 30, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, s, rs, detect.Scope{Start: sum.Start, End: sum.End}, sum.Rows)
}

func benchRun(b *testing.B, s *detecttest.Store, rs *detect.RuleSet, scope detect.Scope, events int64) {
	b.Helper()
	counts, err := s.St.RowCounts(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	eng := &detect.Engine{Source: s.Src, Rules: rs}
	var res *detect.Result
	var elapsed time.Duration
	b.ResetTimer()
	for b.Loop() {
		began := time.Now()
		res, err = eng.Run(context.Background(), scope)
		elapsed += time.Since(began)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perRun := elapsed.Seconds() / float64(b.N)
	var owed float64
	rules := 0
	for _, r := range rs.Runnable() {
		if len(r.Tables) == 0 {
			continue
		}
		if _, ok := counts[r.Tables[0]]; ok {
			owed += float64(counts[r.Tables[0]])
			rules++
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(owed/perRun, "rule-events/s")
	b.ReportMetric(float64(rules)*float64(events)/perRun, "zircolite-events/s")
	b.ReportMetric(float64(len(res.Signals)), "signals")
	b.ReportMetric(float64(res.Skipped), "skipped-rules")
	b.ReportMetric(float64(len(res.Queries)), "queries")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
}
