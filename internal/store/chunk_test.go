package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// TestAppenderWritesStringsOfEverySize: strings are written into DuckDB's
// string slots by hand, inline up to 12 bytes and through the arena above;
// rows span several chunks, one row is larger than the arena may grow for
// whole chunks, and a row that fails half-way leaves no trace.
func TestAppenderWritesStringsOfEverySize(t *testing.T) {
	ctx := context.Background()
	s := fileStore(t)
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("0123456789abcdef", (9<<20)/16) // 9 MiB, over maxArena
	want := map[int64]string{}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 5000
	for i := range n {
		var v string
		switch {
		case i == 2500:
			v = huge
		case i%7 == 0:
			v = strings.Repeat("x", i%40) // 0 to 39 bytes: both sides of 12
		default:
			v = fmt.Sprintf("row %d %s", i, strings.Repeat("é", i%300))
		}
		ts := t0.Add(time.Duration(i) * time.Second)
		if i%1000 == 999 {
			// A value the Int column cannot take, after a string was written.
			if err := a.Append([]any{ts, v, "not a number", nil, nil, nil, nil, nil, nil}); err == nil {
				t.Fatalf("row %d: want an error for the Int column", i)
			}
			continue
		}
		must(t, a.Append([]any{ts, v, i, nil, nil, nil, nil, nil, nil}))
		want[int64(i)] = v
	}
	must(t, a.Close())
	got, err := s.Query(ctx, `SELECT I, S FROM "T" ORDER BY I`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(got.Rows), len(want))
	}
	for _, r := range got.Rows {
		i := r[0].(int64)
		if r[1] != want[i] {
			t.Fatalf("row %d: S has %d bytes %.40q…, want %d bytes %.40q…", i, len(r[1].(string)), r[1], len(want[i]), want[i])
		}
	}
}

// TestAppenderRepairsInvalidUTF8: DuckDB's own string check is bypassed,
// so the Appender makes strings valid itself rather than storing bytes
// every later query would trip on.
func TestAppenderRepairsInvalidUTF8(t *testing.T) {
	ctx := context.Background()
	s := fileStore(t)
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	must(t, a.Append([]any{time.Unix(0, 0), "a\xffb", nil, nil, nil, nil, nil, nil, []byte("a long guid-ish value \xfe\xfe with bad bytes")}))
	must(t, a.Close())
	got, err := s.Query(ctx, `SELECT S, G, length(G) > 0 FROM "T"`, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"a\uFFFDb", "a long guid-ish value \uFFFD with bad bytes", true}}
	if d := cmp.Diff(want, got.Rows); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestCatalogJSONIsStoredAsItIs: catalog.JSON is trusted, json.RawMessage
// is checked; both end up as JSON that DuckDB's functions read.
func TestCatalogJSONIsStoredAsItIs(t *testing.T) {
	ctx := context.Background()
	s := fileStore(t)
	a, err := s.Appender(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	must(t, a.Append([]any{time.Unix(0, 0), "s", nil, nil, nil, nil, catalog.JSON(`{"a":{"b":[1,2]}}`), nil, nil}))
	must(t, a.Append([]any{time.Unix(1, 0), "s", nil, nil, nil, nil, catalog.JSON(nil), nil, nil}))
	must(t, a.Close())
	got, err := s.Query(ctx, `SELECT D -> '$.a.b[1]' FROM "T" ORDER BY TimeGenerated`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 2 || fmt.Sprint(got.Rows[0][0]) != "2" || got.Rows[1][0] != nil {
		t.Fatalf("got %v", got.Rows)
	}
}

// TestAppenderReachesDuckDB: the Appender takes DuckDB's connection out of
// duckdb-go's; a driver whose connection does not hold one where expected
// gets an error, not a crash.
func TestAppenderReachesDuckDB(t *testing.T) {
	ctx := context.Background()
	s := fileStore(t)
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	must(t, conn.Raw(func(dc any) error {
		c, err := duckConn(dc)
		if err == nil && c.Ptr == nil {
			err = errors.New("nil connection")
		}
		return err
	}))
	type otherConn struct{ driver.Conn }
	for _, dc := range []any{&otherConn{}, otherConn{}, nil, &struct{ conn int }{}} {
		var se *Error
		if _, err := duckConn(dc); !errors.As(err, &se) {
			t.Errorf("duckConn(%T) = %v, want a store error", dc, err)
		}
	}
}
