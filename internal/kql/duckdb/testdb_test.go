package duckdb_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// testNow is the reference time of every golden.
var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// testTables reads testdata/tables/*.csv: a header of Name:type cells, then
// rows. An empty cell is a null (for strings, "").
type testTable struct {
	table *catalog.Table
	rows  [][]string
}

func readTables(t testing.TB) []testTable {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "tables", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test tables: %v", err)
	}
	var out []testTable
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		tab := &catalog.Table{Name: strings.TrimSuffix(filepath.Base(f), ".csv"), Source: "test"}
		for _, h := range recs[0] {
			name, typ, _ := strings.Cut(h, ":")
			tab.Columns = append(tab.Columns, catalog.Column{Name: name, Type: catalog.Type(typ)})
		}
		out = append(out, testTable{table: tab, rows: recs[1:]})
	}
	return out
}

// testEnv is the catalog and an in-memory store holding the test tables.
type testEnv struct {
	cat   *catalog.Catalog
	store *store.Store
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	tables := readTables(t)
	var defs []*catalog.Table
	for _, tt := range tables {
		defs = append(defs, tt.table)
	}
	cat, err := catalog.New(defs)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:", store.Options{Catalog: cat, InitSQL: duckdb.Prelude(), Threads: 1})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	for _, tt := range tables {
		app, err := st.Appender(ctx, tt.table.Name)
		if err != nil {
			t.Fatal(err)
		}
		for i, rec := range tt.rows {
			vals := make([]any, len(rec))
			for j, cell := range rec {
				v, err := cellValue(cell, tt.table.Columns[j].Type)
				if err != nil {
					t.Fatalf("%s row %d column %s: %v", tt.table.Name, i+2, tt.table.Columns[j].Name, err)
				}
				vals[j] = v
			}
			if err := app.Append(vals); err != nil {
				t.Fatal(err)
			}
		}
		if err := app.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return &testEnv{cat: cat, store: st}
}

func cellValue(s string, t catalog.Type) (any, error) {
	if s == "" {
		if t == catalog.String {
			return "", nil
		}
		return nil, nil
	}
	switch t {
	case catalog.String, catalog.GUID:
		return s, nil
	case catalog.Int, catalog.Long:
		return strconv.ParseInt(s, 10, 64)
	case catalog.Real:
		return strconv.ParseFloat(s, 64)
	case catalog.Bool:
		return strconv.ParseBool(s)
	case catalog.Datetime:
		return time.Parse(time.RFC3339Nano, s)
	case catalog.Timespan:
		d, ok := check.ParseTimespan(s)
		if !ok {
			return nil, fmt.Errorf("bad timespan %q", s)
		}
		return d, nil
	case catalog.Dynamic:
		if !json.Valid([]byte(s)) {
			return nil, fmt.Errorf("bad JSON %q", s)
		}
		return json.RawMessage(s), nil
	}
	return nil, fmt.Errorf("unknown type %s", t)
}

// compile parses, checks and compiles a query against the test catalog.
func (e *testEnv) compile(src string) (*duckdb.Result, error) {
	q, err := kql.Parse(src)
	if err != nil {
		return nil, err
	}
	ch, err := check.Check(q, check.Options{Catalog: e.cat, Now: testNow})
	if err != nil {
		return nil, err
	}
	return duckdb.Compile(ch, duckdb.Options{})
}

// renderCSV writes a result as CSV the way the goldens hold it: datetimes
// and timespans as Kusto prints them, dynamic values as compact JSON, nulls
// as empty cells. Unordered results are sorted so that the comparison does
// not depend on row order.
func renderCSV(set *rows.Set, ordered bool) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	head := make([]string, len(set.Columns))
	for i, c := range set.Columns {
		head[i] = c.Name
	}
	w.Write(head)
	lines := make([][]string, 0, len(set.Rows))
	for _, r := range set.Rows {
		rec := make([]string, len(r))
		for i, v := range r {
			rec[i] = cellText(v)
		}
		lines = append(lines, rec)
	}
	if !ordered {
		sort.Slice(lines, func(i, j int) bool { return strings.Join(lines[i], "\x00") < strings.Join(lines[j], "\x00") })
	}
	w.WriteAll(lines)
	return b.String()
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.9999999Z")
	case time.Duration:
		return formatSpan(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func formatSpan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%d.", days)
		d -= days * 24 * time.Hour
	}
	fmt.Fprintf(&b, "%02d:%02d:%02d", d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
	if f := d % time.Second; f > 0 {
		fmt.Fprintf(&b, ".%07d", f/100)
	}
	return b.String()
}

// sameType reports whether a result column's store type is the checker's.
func sameType(checked, got catalog.Type) bool {
	switch checked {
	case catalog.GUID:
		return got == catalog.String
	case catalog.Decimal:
		return got == catalog.Real
	case "":
		return true
	}
	return checked == got
}

// parseCSV reads an expected CSV and renders it back as renderCSV would for
// an unordered result.
func parseCSV(s string) (string, error) {
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		return "", err
	}
	if len(recs) == 0 {
		return "", fmt.Errorf("no header")
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(recs[0])
	body := recs[1:]
	sort.Slice(body, func(i, j int) bool { return strings.Join(body[i], "\x00") < strings.Join(body[j], "\x00") })
	w.WriteAll(body)
	return b.String(), nil
}
