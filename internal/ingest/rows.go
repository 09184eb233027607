package ingest

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// tableInfo is what the row builders need to know about one catalog table.
// Columns are always found by name, so catalog refinements never shift them.
type tableInfo struct {
	t         *catalog.Table
	timeCols  []int // TimeGenerated and Timestamp: filled from the event time
	addl      int   // AdditionalFields, or -1
	addlDyn   bool  // AdditionalFields is dynamic (else a string holding JSON)
	typeCol   int   // Type, set to the table name as Log Analytics does
	typeVal   any   // the table name, boxed once rather than per row
	lostExtra atomic.Int64
}

func newTableInfo(t *catalog.Table) *tableInfo {
	ti := &tableInfo{t: t, addl: t.ColumnIndex("AdditionalFields"), typeCol: t.ColumnIndex("Type"), typeVal: t.Name}
	for _, name := range []string{"TimeGenerated", "Timestamp"} {
		if i := t.ColumnIndex(name); i >= 0 && t.Columns[i].Type == catalog.Datetime {
			ti.timeCols = append(ti.timeCols, i)
		}
	}
	if ti.addl >= 0 {
		ti.addlDyn = t.Columns[ti.addl].Type == catalog.Dynamic
	}
	if ti.typeCol >= 0 && t.Columns[ti.typeCol].Type != catalog.String {
		ti.typeCol = -1
	}
	return ti
}

// tables resolves catalog tables once per run.
type tables struct {
	cat  *catalog.Catalog
	byNm map[string]*tableInfo
}

func newTables(cat *catalog.Catalog) *tables {
	ts := &tables{cat: cat, byNm: map[string]*tableInfo{}}
	for _, t := range cat.Tables() {
		ts.byNm[t.Name] = newTableInfo(t)
	}
	return ts
}

// get returns the named table, or nil when the catalog lacks it.
func (ts *tables) get(name string) *tableInfo { return ts.byNm[name] }

// fold finds a table by name ignoring case.
func (ts *tables) fold(name string) *tableInfo {
	if ti := ts.byNm[name]; ti != nil {
		return ti
	}
	if t, ok := ts.cat.TableFold(name); ok {
		return ts.byNm[t.Name]
	}
	return nil
}

// rowBuilder fills one row of a table. Values are converted to the column's
// type; what does not fit, and fields the catalog does not know, go to
// AdditionalFields as JSON members so nothing is lost.
type rowBuilder struct {
	ti    *tableInfo
	vals  []any
	extra []byte                       // JSON object members, without braces
	keys  []string                     // the members' names, to rename duplicates
	cols  *[colCacheSize]colCacheEntry // the decoding worker's; see col
	mem   *arena                       // the decoding worker's; may be nil
}

// The normalisers name columns with string constants and interned member
// names, whose bytes stay put, so a small cache indexed by the address of
// a name's bytes finds most columns without hashing the name: the catalog's
// map look-ups were a tenth of decoding. An entry still compares the name
// itself, so a name at a reused address is never mistaken for another.
const (
	colCacheBits = 10
	colCacheSize = 1 << colCacheBits
)

type colCacheEntry struct {
	ti   *tableInfo
	name string // a copy: a name in a record's buffer must not pin it
	idx  int
}

func (r *rowBuilder) reset(ti *tableInfo, vals []any) {
	r.ti, r.vals, r.extra = ti, vals, r.extra[:0]
	clear(r.keys)
	r.keys = r.keys[:0]
	if ti.typeCol >= 0 {
		vals[ti.typeCol] = ti.typeVal
	}
}

// col returns the index of the named column, or -1.
func (r *rowBuilder) col(name string) int {
	if r.cols == nil {
		r.cols = new([colCacheSize]colCacheEntry)
	}
	key := uint64(uintptr(unsafe.Pointer(unsafe.StringData(name)))) ^ uint64(uintptr(unsafe.Pointer(r.ti)))<<1
	h := (key * 0x9e3779b97f4a7c15) >> (64 - colCacheBits) // Fibonacci hashing spreads nearby addresses
	// Two ways: a name's entry is in either slot of the pair h falls in,
	// so two names that hash alike do not evict each other at every row.
	e, f := &r.cols[h&^1], &r.cols[h|1]
	if e.ti == r.ti && e.name == name {
		return e.idx
	}
	if f.ti == r.ti && f.name == name {
		return f.idx
	}
	i := r.ti.t.ColumnIndex(name)
	*f = *e
	*e = colCacheEntry{ti: r.ti, name: strings.Clone(name), idx: i}
	return i
}

// str sets a column from text; empty text leaves it empty. A column the
// catalog lacks keeps the value in AdditionalFields under its name.
func (r *rowBuilder) str(name, s string) {
	if s == "" {
		return
	}
	if i := r.col(name); i >= 0 {
		r.setText(i, name, s)
		return
	}
	r.extraString(name, s)
}

// val sets a column from a Go value (int64, time.Time, bool, string).
func (r *rowBuilder) val(name string, v any) {
	i := r.col(name)
	if i < 0 {
		r.extraAny(name, v)
		return
	}
	r.setValue(i, name, v)
}

func (r *rowBuilder) setValue(i int, name string, v any) {
	c := r.ti.t.Columns[i]
	switch x := v.(type) {
	case nil:
	case string:
		r.setText(i, name, x)
	case int64:
		switch c.Type {
		case catalog.Int, catalog.Long:
			r.vals[i] = r.mem.int(x)
		case catalog.Real, catalog.Decimal:
			r.vals[i] = r.mem.real(float64(x))
		case catalog.String, catalog.GUID:
			r.vals[i] = r.mem.str(strconv.FormatInt(x, 10))
		case catalog.Dynamic:
			r.vals[i] = r.mem.json(catalog.JSON(strconv.FormatInt(x, 10)))
		default:
			r.extraAny(name, v)
		}
	case time.Time:
		switch c.Type {
		case catalog.Datetime:
			r.vals[i] = r.mem.time(x)
		case catalog.String:
			r.vals[i] = r.mem.str(x.Format(time.RFC3339Nano))
		default:
			r.extraAny(name, v)
		}
	case bool:
		switch c.Type {
		case catalog.Bool:
			r.vals[i] = x
		case catalog.String:
			r.vals[i] = strconv.FormatBool(x)
		default:
			r.extraAny(name, v)
		}
	case catalog.JSON:
		// The caller built this JSON for the row (EventData): it is valid
		// and owned, so it is stored without a copy.
		switch r.ti.t.Columns[i].Type {
		case catalog.Dynamic:
			r.vals[i] = r.mem.json(x)
		case catalog.String:
			r.vals[i] = r.mem.str(unsafe.String(unsafe.SliceData(x), len(x)))
		default:
			r.extraRaw(name, x)
		}
	}
}

// setText converts text to the column's type.
func (r *rowBuilder) setText(i int, name, s string) {
	var err error
	switch r.ti.t.Columns[i].Type {
	case catalog.String, catalog.GUID:
		r.vals[i] = r.mem.str(s)
		return
	case catalog.Int, catalog.Long:
		var n int64
		if n, err = parseInt(s); err == nil {
			r.vals[i] = r.mem.int(n)
		}
	case catalog.Real, catalog.Decimal:
		var f float64
		if f, err = parseReal(s); err == nil {
			r.vals[i] = r.mem.real(f)
		}
	case catalog.Bool:
		var b bool
		if b, err = parseBool(s); err == nil {
			r.vals[i] = b
		}
	case catalog.Datetime:
		var t time.Time
		if t, err = parseTime(s); err == nil {
			r.vals[i] = r.mem.time(t)
		}
	case catalog.Timespan:
		var d time.Duration
		if d, err = parseTimespan(s); err == nil {
			r.vals[i] = d
		}
	case catalog.Dynamic:
		r.vals[i] = r.mem.json(dynamicFromText(s))
		return
	}
	if err != nil {
		r.extraString(name, s)
	}
}

// setJSON stores JSON text (an object, array, number or bool) read from a
// record in a column; raw aliases the record, so it is copied once.
func (r *rowBuilder) setJSON(i int, name string, raw []byte) {
	switch r.ti.t.Columns[i].Type {
	case catalog.Dynamic:
		if !utf8.Valid(raw) {
			raw = []byte(toValidUTF8(raw))
		}
		r.vals[i] = r.mem.json(r.mem.keep(raw))
	case catalog.String, catalog.GUID:
		r.vals[i] = r.mem.str(r.mem.text(raw))
	default:
		r.setText(i, name, r.mem.text(raw))
	}
}

// dynamicFromText keeps JSON objects and arrays that exports wrote as text
// (Sentinel exports dynamic columns that way) and quotes anything else.
// s is valid UTF-8.
func dynamicFromText(s string) catalog.JSON {
	t := strings.TrimSpace(s)
	if t != "" && (t[0] == '{' || t[0] == '[') {
		b := []byte(t)
		var d flatDecoder
		if d.single(b) == nil {
			return b
		}
	}
	b, _ := json.Marshal(s)
	return b
}

// extraString adds a text member to AdditionalFields.
func (r *rowBuilder) extraString(key, s string) {
	if !r.extraKey(key) {
		return
	}
	r.extra = appendJSONString(r.extra, s)
}

// extraRaw adds a member whose value is JSON text.
func (r *rowBuilder) extraRaw(key string, raw []byte) {
	if !r.extraKey(key) {
		return
	}
	r.extra = append(r.extra, raw...)
}

func (r *rowBuilder) extraAny(key string, v any) {
	switch x := v.(type) {
	case nil:
	case string:
		r.extraString(key, x)
	case int64:
		if r.extraKey(key) {
			r.extra = strconv.AppendInt(r.extra, x, 10)
		}
	case time.Time:
		r.extraString(key, x.UTC().Format(time.RFC3339Nano))
	case bool:
		if r.extraKey(key) {
			r.extra = strconv.AppendBool(r.extra, x)
		}
	case catalog.JSON:
		r.extraRaw(key, x)
	}
}

// extraKey writes `"key":` (renaming a key already present) and reports
// whether the member should be written at all (false when the table has
// nowhere to keep it).
func (r *rowBuilder) extraKey(key string) bool {
	if r.ti.addl < 0 {
		r.ti.lostExtra.Add(1)
		return false
	}
	for r.hasKey(key) {
		key += "_"
	}
	r.keys = append(r.keys, key)
	if len(r.extra) > 0 {
		r.extra = append(r.extra, ',')
	}
	r.extra = appendJSONString(r.extra, key)
	r.extra = append(r.extra, ':')
	return true
}

// hasKey reports whether AdditionalFields already has the member; rows have
// few members, so a scan beats a map.
func (r *rowBuilder) hasKey(key string) bool {
	for _, k := range r.keys {
		if k == key {
			return true
		}
	}
	return false
}

// mergeAdditional merges an AdditionalFields value the record already had:
// an object's members are kept as they are, anything else under its name.
func (r *rowBuilder) mergeAdditional(raw []byte, isText bool) {
	if isText {
		t := strings.TrimSpace(string(raw))
		if t == "" {
			return
		}
		raw = []byte(t)
		if raw[0] != '{' {
			r.extraString("AdditionalFields", string(raw))
			return
		}
	}
	var sub flatDecoder
	if err := sub.decode(raw); err != nil {
		r.extraRaw("AdditionalFields", dynamicFromText(string(raw)))
		return
	}
	for _, f := range sub.fields {
		r.extraRaw(string(f.key), f.raw)
	}
}

// finish writes AdditionalFields.
func (r *rowBuilder) finish() {
	if r.ti.addl < 0 || len(r.extra) == 0 {
		return
	}
	var b []byte
	if utf8.Valid(r.extra) {
		b = r.mem.alloc(len(r.extra) + 2)
		b[0] = '{'
		copy(b[1:], r.extra)
		b[len(b)-1] = '}'
	} else {
		// A member copied raw from the record held invalid UTF-8; the
		// decoder checked the JSON, not the bytes inside its strings.
		b = []byte("{" + toValidUTF8(r.extra) + "}")
	}
	if r.ti.addlDyn {
		r.vals[r.ti.addl] = r.mem.json(b)
	} else {
		// b is never written again, so the string may share it.
		r.vals[r.ti.addl] = r.mem.str(unsafe.String(unsafe.SliceData(b), len(b)))
	}
}

// appendJSONString appends s as a JSON string.
func appendJSONString[T string | []byte](dst []byte, s T) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
