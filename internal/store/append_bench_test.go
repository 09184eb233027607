package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// BenchmarkAppendWide appends rows that fill 20 of a table's 200 columns,
// the shape of SecurityEvent rows from the lab and from ingest.
func BenchmarkAppendWide(b *testing.B) {
	cols := []catalog.Column{{Name: "TimeGenerated", Type: catalog.Datetime}}
	for i := range 199 {
		cols = append(cols, catalog.Column{Name: fmt.Sprintf("C%03d", i), Type: catalog.String})
	}
	cat, err := catalog.New([]*catalog.Table{{Name: "W", Source: "bench", Columns: cols}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/w.duckdb", Options{Catalog: cat})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	a, err := s.Appender(ctx, "W")
	if err != nil {
		b.Fatal(err)
	}
	row := make([]any, len(cols))
	row[0] = time.Unix(0, 0)
	for i := 1; i <= 20; i++ {
		row[i] = fmt.Sprintf("value-%d", i)
	}
	b.ResetTimer()
	for range b.N {
		if err := a.Append(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		b.Fatal(err)
	}
}
