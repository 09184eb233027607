package report

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// largeReport is a busy hunt: 200 findings, each with 5 signals of 3
// sample rows and a 40-event timeline, and 500 queries.
func largeReport() *hunt.Report {
	r := sampleReport()
	base := r.Findings[1]
	r.Findings = nil
	for i := 0; i < 200; i++ {
		f := *base
		f.ID = fmt.Sprintf("F-%08x", i)
		f.Entities.Hosts = []string{fmt.Sprintf("host%03d", i%50)}
		f.Evidence = nil
		for j := 0; j < 5; j++ {
			e := base.Evidence[0]
			e.RuleID = fmt.Sprintf("rule-%d", j)
			e.Samples = []map[string]any{e.Samples[0], e.Samples[0], e.Samples[0]}
			f.Evidence = append(f.Evidence, e)
		}
		f.Timeline = nil
		for j := 0; j < 40; j++ {
			f.Timeline = append(f.Timeline, hunt.TimelineEntry{Time: t0.Add(time.Duration(j) * time.Minute), Table: "DeviceProcessEvents",
				Summary: "powershell.exe -enc " + htmlPayload, Related: j%3 == 0})
		}
		r.Findings = append(r.Findings, &f)
	}
	q := r.Queries[1]
	r.Queries = nil
	for i := 0; i < 500; i++ {
		r.Queries = append(r.Queries, q)
	}
	return r
}

func BenchmarkMarkdown(b *testing.B) {
	for _, c := range []struct {
		name string
		r    *hunt.Report
	}{{"sample", sampleReport()}, {"large", largeReport()}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Markdown(c.r)
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	r := largeReport()
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(dir, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTerminal(b *testing.B) {
	r := largeReport()
	b.ReportAllocs()
	for b.Loop() {
		Terminal(io.Discard, r, TerminalOptions{Color: true})
	}
}
