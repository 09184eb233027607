package store

/*
#include <stdlib.h>
*/
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// chunk fills one DuckDB data chunk in place, for DuckDB's C appender to
// take whole: fixed-width values go straight into the vectors' memory and
// strings into their 16-byte slots, short ones inline and longer ones
// pointing into an arena of C memory that DuckDB copies from when the chunk
// is handed over. So a row costs no cgo call and no allocation; the driver's
// appender made one call and one copy per string (docs/PERFORMANCE.md
// "Ingest").
type chunk struct {
	dc    bindings.DataChunk
	vecs  []vec
	rows  int // complete rows
	cap   int // rows a chunk holds
	arena unsafe.Pointer
	size  int  // arena bytes
	used  int  // arena bytes holding strings of complete rows and the row being written
	utf8  bool // strings are known to be valid UTF-8 (Appender.TrustText)
}

// vec is one column of the chunk.
type vec struct {
	t     catalog.Type
	data  unsafe.Pointer
	valid unsafe.Pointer // uint64 words, one bit per row
}

// The arena starts at minArena and doubles while whole chunks do not fit,
// up to maxArena; a single row larger than that gets an arena of its own
// size, given back after the row is handed over.
const (
	minArena = 256 << 10
	maxArena = 4 << 20
)

// errArenaFull: the row's strings do not fit in what is left of the arena.
var errArenaFull = errors.New("chunk arena full")

// newChunk makes a chunk for an appender's columns; types are the catalog
// types of the appender's columns, in order.
func newChunk(app bindings.Appender, types []catalog.Type) (*chunk, error) {
	n := int(bindings.AppenderColumnCount(app))
	if n != len(types) {
		return nil, fmt.Errorf("appender has %d columns, want %d", n, len(types))
	}
	lts := make([]bindings.LogicalType, n)
	defer func() {
		for i := range lts {
			bindings.DestroyLogicalType(&lts[i])
		}
	}()
	for i := range lts {
		lts[i] = bindings.AppenderColumnType(app, bindings.IdxT(i))
		if got, want := bindings.GetTypeId(lts[i]), duckTypeID(types[i]); got != want {
			return nil, fmt.Errorf("column %d has DuckDB type %d, want %d for %s", i+1, got, want, types[i])
		}
	}
	ch := &chunk{dc: bindings.CreateDataChunk(lts), vecs: make([]vec, n), cap: int(bindings.VectorSize())}
	for i, t := range types {
		ch.vecs[i].t = t
	}
	ch.setArena(minArena)
	ch.bind()
	return ch, nil
}

// duckTypeID is the DuckDB type of the column storing a KQL type (SQLType).
func duckTypeID(t catalog.Type) bindings.Type {
	switch t {
	case catalog.Int:
		return bindings.TypeInteger
	case catalog.Long:
		return bindings.TypeBigInt
	case catalog.Real, catalog.Decimal:
		return bindings.TypeDouble
	case catalog.Bool:
		return bindings.TypeBoolean
	case catalog.Datetime:
		return bindings.TypeTimestamp
	case catalog.Timespan:
		return bindings.TypeInterval
	default: // string, guid, dynamic (JSON is VARCHAR underneath)
		return bindings.TypeVarchar
	}
}

// bind fetches the vectors' memory, which moves when the chunk is reset.
func (ch *chunk) bind() {
	for i := range ch.vecs {
		v := bindings.DataChunkGetVector(ch.dc, bindings.IdxT(i))
		bindings.VectorEnsureValidityWritable(v)
		ch.vecs[i].data = bindings.VectorGetData(v)
		ch.vecs[i].valid = bindings.VectorGetValidity(v)
	}
}

func (ch *chunk) setArena(size int) {
	if ch.arena != nil {
		C.free(ch.arena)
	}
	ch.arena, ch.size, ch.used = C.malloc(C.size_t(size)), size, 0
	if ch.arena == nil {
		panic(fmt.Sprintf("store: cannot allocate %d bytes", size))
	}
}

// full reports whether the chunk can take no more rows.
func (ch *chunk) full() bool { return ch.rows == ch.cap }

// handOver appends the complete rows to DuckDB's appender and empties the
// chunk. It resizes the arena when it was too small for a whole chunk, or
// grew past maxArena for one large row.
func (ch *chunk) handOver(app bindings.Appender) error {
	if ch.rows == 0 {
		return nil
	}
	short := !ch.full()
	bindings.DataChunkSetSize(ch.dc, bindings.IdxT(ch.rows))
	st := bindings.AppendDataChunk(app, ch.dc)
	bindings.DataChunkReset(ch.dc)
	ch.rows, ch.used = 0, 0
	ch.bind()
	switch {
	case ch.size > maxArena:
		ch.setArena(maxArena)
	case short && ch.size < maxArena:
		ch.setArena(min(2*ch.size, maxArena))
	}
	if st != bindings.StateSuccess {
		return errors.New(bindings.AppenderError(app))
	}
	return nil
}

// close frees the chunk and its arena.
func (ch *chunk) close() {
	bindings.DestroyDataChunk(&ch.dc)
	if ch.arena != nil {
		C.free(ch.arena)
		ch.arena = nil
	}
}

// put writes one row: vals[k] is the value of the chunk's column k. On an
// error the row is not added, and errArenaFull asks the caller to hand the
// chunk over (or, for an empty chunk, to grow the arena) and try again.
// It returns the bytes of strings the row holds.
func (ch *chunk) put(vals []any, at []int) (int, error) {
	r, mark, bytes := ch.rows, ch.used, 0
	for k := range ch.vecs {
		n, err := ch.set(k, r, vals[at[k]])
		if err != nil {
			ch.used = mark
			if err == errArenaFull {
				return 0, err
			}
			return 0, colError{k, err}
		}
		bytes += n
	}
	ch.rows++
	return bytes, nil
}

// colError is a value that column k of the chunk could not take.
type colError struct {
	col int
	err error
}

func (e colError) Error() string { return e.err.Error() }
func (e colError) Unwrap() error { return e.err }

// growFor makes an empty chunk's arena larger after a row did not fit.
func (ch *chunk) growFor() {
	ch.setArena(2 * ch.size)
}

// set writes one value; it returns the bytes of string it stored.
func (ch *chunk) set(k, r int, v any) (int, error) {
	c := &ch.vecs[k]
	switch c.t {
	case catalog.Int:
		n, ok, err := toInt64(v)
		if err != nil {
			return 0, err
		}
		if ok && (n > math.MaxInt32 || n < math.MinInt32) {
			return 0, fmt.Errorf("%d overflows int", n)
		}
		if ok {
			*(*int32)(unsafe.Add(c.data, 4*r)) = int32(n)
		}
		c.setValid(r, ok)
	case catalog.Long:
		n, ok, err := toInt64(v)
		if err != nil {
			return 0, err
		}
		if ok {
			*(*int64)(unsafe.Add(c.data, 8*r)) = n
		}
		c.setValid(r, ok)
	case catalog.Real, catalog.Decimal:
		f, ok, err := toFloat(v)
		if err != nil {
			return 0, err
		}
		if ok {
			*(*float64)(unsafe.Add(c.data, 8*r)) = f
		}
		c.setValid(r, ok)
	case catalog.Bool:
		switch b := v.(type) {
		case nil:
			c.setValid(r, false)
		case bool:
			*(*bool)(unsafe.Add(c.data, r)) = b
			c.setValid(r, true)
		default:
			return 0, fmt.Errorf("want bool, got %T", v)
		}
	case catalog.Datetime:
		switch t := v.(type) {
		case nil:
			c.setValid(r, false)
		case time.Time:
			if !t.IsZero() {
				*(*int64)(unsafe.Add(c.data, 8*r)) = t.UnixMicro()
			}
			c.setValid(r, !t.IsZero())
		default:
			return 0, fmt.Errorf("want time.Time, got %T", v)
		}
	case catalog.Timespan:
		switch d := v.(type) {
		case nil:
			c.setValid(r, false)
		case time.Duration:
			p := unsafe.Add(c.data, 16*r) // months int32, days int32, micros int64
			*(*[2]int32)(p) = [2]int32{}
			*(*int64)(unsafe.Add(p, 8)) = d.Microseconds()
			c.setValid(r, true)
		default:
			return 0, fmt.Errorf("want time.Duration, got %T", v)
		}
	case catalog.Dynamic:
		b, err := jsonText(v)
		if err != nil {
			return 0, err
		}
		if len(b) == 0 {
			c.setValid(r, false)
			return 0, nil
		}
		return ch.str(c, r, unsafe.String(unsafe.SliceData(b), len(b)))
	default:
		return ch.str(c, r, toText(v, ch.utf8))
	}
	return 0, nil
}

func (c *vec) setValid(r int, ok bool) {
	w := (*uint64)(unsafe.Add(c.valid, 8*(r/64)))
	if ok {
		*w |= 1 << (r % 64)
	} else {
		*w &^= 1 << (r % 64)
	}
}

// str writes a string (valid UTF-8) in DuckDB's string_t layout: its length
// as a uint32, then either the string itself padded with zeros to 12 bytes,
// or its first 4 bytes and a pointer to the whole.
func (ch *chunk) str(c *vec, r int, s string) (int, error) {
	n := len(s)
	if n > math.MaxUint32 {
		return 0, fmt.Errorf("a string of %d bytes is over DuckDB's 4 GiB limit", n)
	}
	p := unsafe.Add(c.data, 16*r)
	if n <= 12 {
		*(*uint32)(p) = uint32(n)
		in := (*[12]byte)(unsafe.Add(p, 4))
		*in = [12]byte{}
		copy(in[:], s)
		c.setValid(r, true)
		return n, nil
	}
	if ch.used+n > ch.size {
		return 0, errArenaFull
	}
	dst := unsafe.Add(ch.arena, ch.used)
	copy(unsafe.Slice((*byte)(dst), n), s)
	ch.used += n
	*(*uint32)(p) = uint32(n)
	copy((*[4]byte)(unsafe.Add(p, 4))[:], s[:4])
	// A C pointer kept as an integer: the GC has nothing to do with it.
	*(*uintptr)(unsafe.Add(p, 8)) = uintptr(dst)
	c.setValid(r, true)
	return n, nil
}

// toText turns a value for a string column into valid UTF-8; nil is "".
// A string is taken as valid when trusted says so.
func toText(v any, trusted bool) string {
	var s string
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if trusted {
			return x
		}
		s = x
	case []byte:
		s = string(x)
	case fmt.Stringer:
		s = x.String()
	default:
		s = fmt.Sprint(v)
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// jsonText returns a dynamic value's JSON text, or nil for a null. Invalid
// UTF-8 becomes U+FFFD, and text that DuckDB would not parse as JSON is
// stored as a JSON string of that text, so that one bad value neither
// fails the rows around it nor the queries that read it later.
func jsonText(v any) ([]byte, error) {
	switch j := v.(type) {
	case nil:
		return nil, nil
	case catalog.JSON:
		return j, nil
	case json.RawMessage:
		if len(j) == 0 {
			return nil, nil
		}
		if !utf8.Valid(j) {
			j = []byte(strings.ToValidUTF8(string(j), "\uFFFD"))
		}
		if catalog.ValidJSON(j) {
			return j, nil
		}
		return json.Marshal(string(j))
	}
	return json.Marshal(v)
}
