package eval_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/hunt/eval"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/lab"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// BenchmarkHunt times whole offline hunts (plan, guard, queries, every
// built-in rule, triage, widening, enrichment) on a lab of the default size:
// 7 days, 100 hosts, 150 people, about 960,000 rows. The lab is generated
// once, outside the timer; SLEUTH_BENCH_LAB names a store to reuse instead.
func BenchmarkHunt(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	path := os.Getenv("SLEUTH_BENCH_LAB")
	fresh := path == ""
	if fresh {
		path = b.TempDir() + "/bench.duckdb"
	}
	st, err := store.Open(ctx, path, store.Options{InitSQL: duckdb.Prelude()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if fresh {
		if _, err := eval.Lab(ctx, st, lab.Options{Seed: 7, End: now}); err != nil {
			b.Fatal(err)
		}
	}
	h, err := eval.NewHunter(st, now)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct{ name, question string }{
		{"broad-week", "anything suspicious this week?"},
		{"signins-24h", "I'm worried someone has breached our tenant. Can you search for suspicious sign-ins in the last 24 hours?"},
		{"host-3d", "Was anything run on a domain controller in the last 3 days?"},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := h(ctx, q.question); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
