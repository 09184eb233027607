package ingest

import (
	"sync"
	"sync/atomic"
	"time"
)

// A batch is what a decoder makes of one chunk: items in input order (an
// event's rows, or the error that skipped a record) and the rows themselves,
// whose values are carved from one slab so a batch allocates little.

// item is one input record's outcome.
type item struct {
	line   int64
	err    *Error
	row0   int32 // first row in batch.rows
	nrows  int32
	ev     evTime
	hasEvt bool // the rows' TimeGenerated/Timestamp come from ev
	stream bool // err is about the whole input, not a record
}

// evTime is what the collector needs to stamp an event's rows with the right
// time (see clock.go).
type evTime struct {
	utc, exact, wall time.Time
	host             string
	anchor           bool // utc and wall both known: calibrates the host's clock
}

// outRow is one row for one table.
type outRow struct {
	ti   *tableInfo
	vals []any
}

type batch struct {
	seq   uint64
	src   *source
	last  bool  // the source's final batch
	read  int64 // input bytes consumed so far, for progress
	items []item
	rows  []outRow
	slab  []any
	refs  atomic.Int32 // table writers still holding rows
	rb    rowBuilder
	open  bool
}

const slabSize = 64 << 10

var batchPool = sync.Pool{New: func() any { return &batch{slab: make([]any, 0, slabSize)} }}

func getBatch(c *chunk) *batch {
	b := batchPool.Get().(*batch)
	b.seq, b.src, b.last, b.read = c.seq, c.src, false, c.read
	b.items, b.rows = b.items[:0], b.rows[:0]
	b.refs.Store(0)
	return b
}

// release returns the batch to the pool once no writer holds its rows.
func (b *batch) release() {
	if b.refs.Add(-1) > 0 {
		return
	}
	b.recycle()
}

func (b *batch) recycle() {
	clear(b.slab)
	b.slab = b.slab[:0]
	clear(b.rows)
	for i := range b.items {
		b.items[i] = item{}
	}
	batchPool.Put(b)
}

// beginItem starts the outcome of the record at line.
func (b *batch) beginItem(line int64) {
	b.items = append(b.items, item{line: line, row0: int32(len(b.rows))})
}

// fail turns the current item into an error and drops its rows.
func (b *batch) fail(err *Error) {
	it := &b.items[len(b.items)-1]
	b.rows = b.rows[:it.row0]
	it.err, it.nrows, it.hasEvt = err, 0, false
}

// readerError records an error the reader met between records.
func (b *batch) readerError(line int64, err *Error, stream bool) {
	b.items = append(b.items, item{line: line, err: err, row0: int32(len(b.rows)), stream: stream})
}

// setTime says the current item's rows take their time from ev.
func (b *batch) setTime(ev evTime) {
	it := &b.items[len(b.items)-1]
	it.ev, it.hasEvt = ev, true
}

// row starts a row of ti for the current item. The builder is valid until
// end is called.
func (b *batch) row(ti *tableInfo) *rowBuilder {
	n := len(ti.t.Columns)
	if cap(b.slab)-len(b.slab) < n {
		// The rows carved so far keep the old slab alive; start a new one.
		b.slab = make([]any, 0, max(slabSize, n))
	}
	vals := b.slab[len(b.slab) : len(b.slab)+n : len(b.slab)+n]
	b.slab = b.slab[:len(b.slab)+n]
	b.rb.reset(ti, vals)
	b.open = true
	return &b.rb
}

// end finishes the row started by row.
func (b *batch) end() {
	b.rb.finish()
	b.rows = append(b.rows, outRow{ti: b.rb.ti, vals: b.rb.vals})
	b.items[len(b.items)-1].nrows++
	b.open = false
}
