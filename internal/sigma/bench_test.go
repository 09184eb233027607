package sigma

import (
	"testing"
	"time"
)

// BenchmarkCompileWindowsRules compiles every Windows rule of the SigmaHQ
// snapshot (parsed once, outside the timer) and reports rules per second.
func BenchmarkCompileWindowsRules(b *testing.B) {
	var rules []*Rule
	for _, f := range sigmaCorpus(b) {
		rs, _ := ParseFile(f)
		for _, r := range rs {
			if r.Logsource.Product == "windows" {
				rules = append(rules, r)
			}
		}
	}
	compiled := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		compiled = 0
		for _, r := range rules {
			if _, err := Compile(r, Options{}); err == nil {
				compiled++
			}
		}
	}
	b.ReportMetric(float64(len(rules))*float64(b.N)/b.Elapsed().Seconds(), "rules/s")
	b.ReportMetric(float64(compiled), "compiled")
}

// BenchmarkParseCorpus parses every file of the snapshot.
func BenchmarkParseCorpus(b *testing.B) {
	files := sigmaCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			ParseFile(f)
		}
	}
	b.ReportMetric(float64(len(files))*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkEvaluateEventCount slides a 5-minute window over 100,000 events
// in 1,000 groups.
func BenchmarkEvaluateEventCount(b *testing.B) {
	cc := &CompiledCorrelation{Type: EventCount, Span: 5 * time.Minute, GroupBy: []string{"User"},
		Cond: CorrelationCondition{Ops: map[string]float64{"gte": 20}}, Rule: &Rule{}}
	events := make([]Event, 100000)
	for i := range events {
		events[i] = Event{Time: t0.Add(timeOffset(i)), Group: []string{string(rune('a'+i%26)) + string(rune('a'+i/26%40))}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cc.evaluate(append([]Event(nil), events...))
	}
}

func timeOffset(i int) (d time.Duration) { return time.Duration(i) * 1e9 }
