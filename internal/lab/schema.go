package lab

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// schema binds the lab's tables to the catalog by column name. Positions
// are looked up once per table; a column or table the catalog lacks is
// recorded (and the value dropped) so that a drift between the lab and the
// catalog shows up in the Summary and fails the tests instead of writing a
// wrong column.
type schema struct {
	cat    *catalog.Catalog
	tables map[string]*table

	mu       sync.Mutex
	problems map[string]bool // "table.column: reason"
}

// table is one catalog table as the lab writes it.
type table struct {
	name string
	cat  *catalog.Table // nil when the catalog lacks the table
	idx  map[string]int
	s    *schema
	// hostCols holds each host's device columns, boxed once (Defender
	// tables only; see cacheDeviceCols).
	hostCols [][]colVal
}

func newSchema(cat *catalog.Catalog, names []string) *schema {
	s := &schema{cat: cat, tables: map[string]*table{}, problems: map[string]bool{}}
	for _, n := range names {
		t := &table{name: n, s: s}
		if ct, ok := cat.Table(n); ok {
			t.cat = ct
			t.idx = make(map[string]int, len(ct.Columns))
			for i, c := range ct.Columns {
				t.idx[c.Name] = i
			}
		} else {
			s.problem(n + ": the catalog has no such table; its rows are skipped")
		}
		s.tables[n] = t
	}
	return s
}

func (s *schema) table(name string) *table {
	if t, ok := s.tables[name]; ok {
		return t
	}
	// Every table the lab writes is listed in labTables; reaching here is a
	// bug that the tests catch through Problems.
	s.problem(name + ": not registered in labTables")
	return &table{name: name, s: s}
}

func (s *schema) problem(p string) {
	s.mu.Lock()
	s.problems[p] = true
	s.mu.Unlock()
}

// Problems lists the disagreements between the lab and the catalog, sorted.
func (s *schema) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.problems))
	for p := range s.problems {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Row is one row under construction. Values are set by column name and
// stored in catalog order; inst is the scenario or decoy instance the row
// belongs to (nil for background).
type Row struct {
	T    time.Time
	tab  *table
	vals []any
	inst *instance
}

// row starts a row of t at time ts, with TimeGenerated and Type set.
func (t *table) row(ts time.Time) *Row {
	r := &Row{T: ts, tab: t}
	if t.cat == nil {
		return r
	}
	r.vals = make([]any, len(t.cat.Columns))
	r.Set("TimeGenerated", ts)
	r.Opt("Type", t.name)
	return r
}

// Opt sets a column that only some flavours of a table have (Type,
// TenantId, _ResourceId, …): a missing column is not a problem.
func (r *Row) Opt(col string, v any) *Row {
	if r.tab.cat == nil {
		return r
	}
	if _, ok := r.tab.idx[col]; !ok {
		return r
	}
	return r.Set(col, v)
}

// Set stores v in column col, converted to the column's KQL type. Setting
// a column the catalog lacks, or a value that cannot become its type, is
// recorded as a problem.
func (r *Row) Set(col string, v any) *Row {
	if r.tab.cat == nil {
		return r
	}
	i, ok := r.tab.idx[col]
	if !ok {
		r.tab.s.problem(r.tab.name + "." + col + ": not in the catalog")
		return r
	}
	c := r.tab.cat.Columns[i]
	cv, err := coerce(v, c.Type)
	if err != nil {
		r.tab.s.problem(fmt.Sprintf("%s.%s: %v", r.tab.name, col, err))
		return r
	}
	r.vals[i] = cv
	return r
}

// Get returns the value of a column, or nil.
func (r *Row) Get(col string) any {
	if r.tab.cat == nil {
		return nil
	}
	if i, ok := r.tab.idx[col]; ok {
		return r.vals[i]
	}
	return nil
}

// Str returns a string column's value, or "".
func (r *Row) Str(col string) string {
	s, _ := r.Get(col).(string)
	return s
}

// coerce converts v to the Go type the store and the rows package use for
// KQL type t: string for string and guid, int64 for int and long, float64
// for real and decimal, bool, time.Time, time.Duration, and json.RawMessage
// for dynamic. nil stays nil.
func coerce(v any, t catalog.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	// The common case: the value already has the right type. Returning v
	// itself, not the unboxed value, saves an allocation per column.
	switch v.(type) {
	case string:
		if t == catalog.String || t == catalog.GUID {
			return v, nil
		}
	case int64:
		if t == catalog.Long {
			return v, nil
		}
	case float64:
		if t == catalog.Real || t == catalog.Decimal {
			return v, nil
		}
	case bool:
		if t == catalog.Bool {
			return v, nil
		}
	case json.RawMessage:
		if t == catalog.Dynamic {
			return v, nil
		}
	}
	switch t {
	case catalog.String, catalog.GUID:
		return coerceString(v)
	case catalog.Int, catalog.Long:
		return coerceInt(v, t)
	case catalog.Real, catalog.Decimal:
		return coerceReal(v)
	case catalog.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, nil
			}
		}
	case catalog.Datetime:
		if x, ok := v.(time.Time); ok {
			if x.IsZero() {
				return nil, nil
			}
			return x.UTC(), nil
		}
	case catalog.Timespan:
		if x, ok := v.(time.Duration); ok {
			return x, nil
		}
	case catalog.Dynamic:
		return coerceDynamic(v)
	}
	return nil, fmt.Errorf("cannot store a %T (%v) as %s", v, v, t)
}

func coerceString(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.RawMessage:
		return string(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func coerceInt(v any, t catalog.Type) (any, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case int32:
		n = int64(x)
	case float64:
		if x != math.Trunc(x) {
			return nil, fmt.Errorf("%v is not a whole number", x)
		}
		n = int64(x)
	case string:
		i, err := strconv.ParseInt(x, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", x)
		}
		n = i
	case bool:
		if x {
			n = 1
		}
	default:
		return nil, fmt.Errorf("cannot store a %T as %s", v, t)
	}
	return n, checkRange(n, t)
}

func coerceReal(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", x)
		}
		return f, nil
	}
	return nil, fmt.Errorf("cannot store a %T as real", v)
}

func coerceDynamic(v any) (any, error) {
	switch x := v.(type) {
	case json.RawMessage:
		return x, nil
	case string:
		if json.Valid([]byte(x)) {
			return json.RawMessage(x), nil
		}
		b, err := json.Marshal(x)
		return json.RawMessage(b), err
	}
	b, err := json.Marshal(v)
	return json.RawMessage(b), err
}

func checkRange(n int64, t catalog.Type) error {
	if t == catalog.Int && (n > math.MaxInt32 || n < math.MinInt32) {
		return fmt.Errorf("%d overflows int", n)
	}
	return nil
}

// GoTypeOK reports whether v has the Go type the lab promises for KQL type
// t (see coerce). Tests and the Recorder use it.
func GoTypeOK(v any, t catalog.Type) bool {
	if v == nil {
		return true
	}
	switch t {
	case catalog.String, catalog.GUID:
		_, ok := v.(string)
		return ok
	case catalog.Int:
		n, ok := v.(int64)
		return ok && n <= math.MaxInt32 && n >= math.MinInt32
	case catalog.Long:
		_, ok := v.(int64)
		return ok
	case catalog.Real, catalog.Decimal:
		_, ok := v.(float64)
		return ok
	case catalog.Bool:
		_, ok := v.(bool)
		return ok
	case catalog.Datetime:
		x, ok := v.(time.Time)
		return ok && x.Location() == time.UTC
	case catalog.Timespan:
		_, ok := v.(time.Duration)
		return ok
	case catalog.Dynamic:
		x, ok := v.(json.RawMessage)
		return ok && json.Valid(x)
	}
	return false
}
