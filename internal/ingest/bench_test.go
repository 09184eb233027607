package ingest

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/ingest/synth"
)

// cpuTime is the process's user and system CPU time: on a shared machine it
// is steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIngestFile is BenchmarkIngestSynthetic over a file named by
// $SLEUTH_BENCH_NDJSON (for example the 5M-event file benchgen writes);
// each iteration reads the whole file, so run it with -benchtime 1x.
func BenchmarkIngestFile(b *testing.B) {
	path := os.Getenv("SLEUTH_BENCH_NDJSON")
	if path == "" {
		b.Skip("set SLEUTH_BENCH_NDJSON to a file of events (go run ./internal/ingest/benchgen -n 5000000 > f)")
	}
	cpu0 := cpuTime()
	var events int64
	for range b.N {
		sum, err := Run(context.Background(), &discardSink{}, []string{path}, Options{})
		if err != nil || sum.Skipped != 0 {
			b.Fatalf("err %v, skipped %d", err, sum.Skipped)
		}
		events += sum.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(events), "cpu-ns/event")
}

// discardSink counts rows and keeps nothing: it measures ingest without the
// store.
type discardSink struct{ rows atomic.Int64 }

func (s *discardSink) Writer(context.Context, string) (TableWriter, error) {
	return discardWriter{s}, nil
}

type discardWriter struct{ s *discardSink }

func (w discardWriter) Append([]any) error { w.s.rows.Add(1); return nil }
func (w discardWriter) Close() error       { return nil }

// BenchmarkIngestSynthetic decodes and normalises synthetic nxlog NDJSON
// (internal/ingest/synth) into a sink that discards rows; b.N is events.
// The store's own cost is measured through the CLI (docs/PERFORMANCE.md).
// cpu-ns/event (user+sys of the process) is steadier than ns/op on a
// shared machine.
func BenchmarkIngestSynthetic(b *testing.B) {
	const events = 200000
	path := filepath.Join(b.TempDir(), "events.ndjson")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := synth.Write(f, events, 1, 20); err != nil {
		b.Fatal(err)
	}
	f.Close()
	info, _ := os.Stat(path)
	b.SetBytes(info.Size() / events)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/event") }()
	for done := 0; done < b.N; done += events {
		sink := &discardSink{}
		sum, err := Run(context.Background(), sink, []string{path}, Options{})
		if err != nil || sum.Events != events {
			b.Fatalf("events %d, err %v", sum.Events, err)
		}
	}
}
