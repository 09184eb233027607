package ingest

import (
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// An arena hands a decoding worker's row values out of large blocks instead
// of allocating each one. Copying a value's bytes into a string and boxing
// it in the row's []any were most of an ingest's allocations (about 30 per
// event of 42), and the allocator and the collector behind them a fifth of
// decoding.
//
// Blocks are never reused: a full block is dropped and the garbage
// collector frees it once no row, string or value points into it any more.
// A string or value from an arena is therefore as immutable and as safe to
// keep as any other, but keeping one for the rest of an ingest (a map key,
// a host name in the clock) keeps its whole block: clone such strings.
//
// A nil *arena allocates each value as Go would.
type arena struct {
	buf   []byte // the current block's unused bytes are buf[len(buf):cap(buf)]
	strs  []string
	times []time.Time
	ints  []int64
	reals []float64
	jsons []catalog.JSON
}

const (
	arenaBlock = 64 << 10 // bytes per block
	arenaLarge = 4 << 10  // values longer than this get their own allocation
	arenaSlots = 1024     // boxed values per block of each type
)

// alloc returns n bytes that the caller fills and never changes afterwards.
func (a *arena) alloc(n int) []byte {
	if a == nil || n > arenaLarge {
		return make([]byte, n)
	}
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, arenaBlock)
	}
	p := a.buf[len(a.buf) : len(a.buf)+n : len(a.buf)+n]
	a.buf = a.buf[:len(a.buf)+n]
	return p
}

// text copies b into a string, replacing invalid UTF-8 with U+FFFD.
func (a *arena) text(b []byte) string {
	if !utf8.Valid(b) {
		return toValidUTF8(b)
	}
	if len(b) == 0 {
		return ""
	}
	p := a.alloc(len(b))
	copy(p, b)
	return unsafe.String(unsafe.SliceData(p), len(p))
}

// unquote decodes a JSON string literal (quotes included) into a string,
// replacing invalid UTF-8 with U+FFFD. Decoding never lengthens a literal,
// so the result is written straight into the block.
func (a *arena) unquote(raw []byte) string {
	n := len(raw) - 2
	if a == nil || n > arenaLarge {
		return validString(appendUnquoted(nil, raw))
	}
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, arenaBlock)
	}
	free := a.buf[len(a.buf):len(a.buf):cap(a.buf)]
	s := appendUnquoted(free, raw)
	if len(s) == 0 || !utf8.Valid(s) {
		return validString(s)
	}
	if unsafe.SliceData(s) != unsafe.SliceData(free[:1]) {
		return string(s) // cannot happen: appendUnquoted outgrew the block
	}
	a.buf = a.buf[:len(a.buf)+len(s)]
	return unsafe.String(unsafe.SliceData(s), len(s))
}

// keep copies b (which must be valid UTF-8) into the arena.
func (a *arena) keep(b []byte) []byte {
	p := a.alloc(len(b))
	copy(p, b)
	return p
}

// Boxing: an interface value holding a string, a time or an int64 is a
// type word and a pointer to a copy of the value, which Go allocates on
// every conversion (runtime.convTstring and friends). The arena stores the
// value in a block of its type and builds the interface pointing at it;
// TestArenaBoxesAreOrdinaryValues checks that such interfaces behave like
// any other (type switches, equality, reflection, fmt).

// eface is the layout of an interface value without methods.
type eface struct{ typ, data unsafe.Pointer }

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	stringType = typeWord("")
	timeType   = typeWord(time.Time{})
	int64Type  = typeWord(int64(0))
	realType   = typeWord(float64(0))
	jsonType   = typeWord(catalog.JSON(nil))
)

// box appends v to the block *slots and returns an interface of type typ
// pointing at it. typ must be T's type word and T a type that interfaces
// hold by pointer (not a pointer, map, channel or function type).
func box[T any](slots *[]T, typ unsafe.Pointer, v T) any {
	if len(*slots) == cap(*slots) {
		*slots = make([]T, 0, arenaSlots)
	}
	*slots = append(*slots, v)
	var out any
	e := (*eface)(unsafe.Pointer(&out))
	e.typ, e.data = typ, unsafe.Pointer(&(*slots)[len(*slots)-1])
	return out
}

func (a *arena) str(s string) any {
	if a == nil || s == "" {
		return s
	}
	return box(&a.strs, stringType, s)
}

func (a *arena) time(t time.Time) any {
	if a == nil {
		return t
	}
	return box(&a.times, timeType, t)
}

func (a *arena) int(n int64) any {
	if a == nil || (n >= 0 && n < 256) { // Go boxes small integers without allocating
		return n
	}
	return box(&a.ints, int64Type, n)
}

func (a *arena) real(f float64) any {
	if a == nil {
		return f
	}
	return box(&a.reals, realType, f)
}

func (a *arena) json(j catalog.JSON) any {
	if a == nil {
		return j
	}
	return box(&a.jsons, jsonType, j)
}

// view is b as a string without a copy, for a name that is used only while
// b is unchanged (a row builder's AdditionalFields keys live until the row
// ends; the record's bytes outlive it).
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
