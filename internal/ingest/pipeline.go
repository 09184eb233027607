package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// The pipeline: one reader goroutine cuts inputs into chunks; Workers
// decoders turn chunks into batches of rows; the collector (Run's goroutine)
// takes batches back in input order, stamps event times, applies --strict,
// counts, and hands each table's rows to that table's writer goroutine. All
// channels are bounded, so memory does not grow with the input.

type pipeline struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	opt    Options
	sink   Sink
	tabs   *tables

	chunks  chan *chunk
	results chan *batch

	// reader state, for progress
	readBytes  atomic.Int64
	totalBytes atomic.Int64
	curFile    atomic.Pointer[string]

	// collector state
	sum     *Summary
	writers map[*tableInfo]*writer
	mem     arena // boxes the times the collector stamps
	wg      sync.WaitGroup
	stopErr error
}

func newPipeline(ctx context.Context, sink Sink, opt Options) *pipeline {
	ctx, cancel := context.WithCancelCause(ctx)
	return &pipeline{
		ctx: ctx, cancel: cancel, opt: opt, sink: sink, tabs: newTables(opt.Catalog),
		chunks:  make(chan *chunk, 2*opt.Workers),
		results: make(chan *batch, 2*opt.Workers),
		sum:     &Summary{Tables: map[string]int64{}},
		writers: map[*tableInfo]*writer{},
	}
}

func (p *pipeline) run(paths []string) (*Summary, error) {
	go p.read(paths)
	var dec sync.WaitGroup
	for range p.opt.Workers {
		dec.Add(1)
		go func() {
			defer dec.Done()
			p.decode()
		}()
	}
	go func() {
		dec.Wait()
		close(p.results)
	}()
	p.collect()
	err := p.closeWriters()
	if p.stopErr != nil {
		err = p.stopErr
	}
	p.sum.Bytes = p.readBytes.Load()
	if err == nil && p.ctx.Err() != nil {
		err = context.Cause(p.ctx)
	}
	p.cancel(nil)
	return p.sum, err
}

// decode turns chunks into batches until the chunks channel closes.
func (p *pipeline) decode() {
	w := newWorker(p)
	for c := range p.chunks {
		b := w.chunk(c)
		putChunk(c)
		select {
		case p.results <- b:
		case <-p.ctx.Done():
			b.recycle()
		}
	}
}

// collect consumes batches in input order.
func (p *pipeline) collect() {
	next := uint64(1)
	held := map[uint64]*batch{}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case b, ok := <-p.results:
			if !ok {
				p.progress()
				return
			}
			held[b.seq] = b
			for {
				b, ok := held[next]
				if !ok {
					break
				}
				delete(held, next)
				next++
				if p.stopErr != nil || p.ctx.Err() != nil {
					b.recycle()
					continue
				}
				p.apply(b)
			}
		case <-tick.C:
			p.progress()
		}
	}
}

// apply processes one batch in order.
func (p *pipeline) apply(b *batch) {
	src := b.src
	b.refs.Store(1)
	for i := range b.items {
		it := &b.items[i]
		if !it.stream {
			p.sum.Events++ // a record, good or bad
		}
		if it.err != nil {
			p.skip(it.err)
			if p.opt.Strict && it.err.Code != CodeEmpty {
				// Stop here: the rows before the bad record are still
				// written, nothing after it.
				p.stopErr = it.err
				b.rows = b.rows[:it.row0]
				break
			}
			continue
		}
		if !it.hasEvt {
			continue
		}
		for _, pr := range src.clock.observe(it.ev) {
			p.stampPending(pr, src.clock)
		}
		t, ok := src.clock.resolve(it.ev, true)
		rows := b.rows[it.row0 : it.row0+it.nrows]
		if !ok {
			for j := range rows {
				src.clock.pending = append(src.clock.pending, pendingRow{ti: rows[j].ti, vals: append([]any(nil), rows[j].vals...), ev: it.ev})
				rows[j].ti = nil // held back; not dispatched from this batch
			}
			continue
		}
		p.stamp(rows, t)
	}
	p.dispatch(b)
	if b.last || p.stopErr != nil || len(src.clock.pending) >= maxPending {
		for _, pr := range src.clock.drain() {
			p.stampPending(pr, src.clock)
		}
	}
	b.release()
	if p.stopErr != nil {
		p.cancel(p.stopErr)
	}
}

// stamp fills the time columns an event's rows left empty.
func (p *pipeline) stamp(rows []outRow, t time.Time) {
	if t.IsZero() {
		return
	}
	tv := p.mem.time(t) // boxed once for all the event's rows
	for _, r := range rows {
		for _, c := range r.ti.timeCols {
			if r.vals[c] == nil {
				r.vals[c] = tv
			}
		}
	}
}

// stampPending sends a row that waited for its host's clock offset.
func (p *pipeline) stampPending(pr pendingRow, c *clock) {
	t, _ := c.resolve(pr.ev, false)
	for _, col := range pr.ti.timeCols {
		if pr.vals[col] == nil && !t.IsZero() {
			pr.vals[col] = t
		}
	}
	p.send(pr.ti, writeReq{rows: [][]any{pr.vals}})
}

// dispatch hands each table's rows of b to its writer.
func (p *pipeline) dispatch(b *batch) {
	var byTable map[*tableInfo][][]any
	for _, r := range b.rows {
		if r.ti == nil {
			continue
		}
		if byTable == nil {
			byTable = map[*tableInfo][][]any{}
		}
		byTable[r.ti] = append(byTable[r.ti], r.vals)
	}
	for ti, rows := range byTable {
		b.refs.Add(1)
		p.send(ti, writeReq{rows: rows, b: b})
	}
}

func (p *pipeline) send(ti *tableInfo, req writeReq) {
	w := p.writer(ti)
	if w == nil {
		if req.b != nil {
			req.b.release()
		}
		return
	}
	select {
	case w.ch <- req:
	case <-p.ctx.Done():
		if req.b != nil {
			req.b.release()
		}
	}
}

// skip counts and records an error.
func (p *pipeline) skip(err *Error) {
	if err.Code == CodeNoTable {
		p.sum.NoTable = true
	}
	p.sum.Skipped++
	if len(p.sum.Errors) < p.opt.MaxErrors {
		p.sum.Errors = append(p.sum.Errors, err)
	}
}

func (p *pipeline) progress() {
	if p.opt.Progress == nil {
		return
	}
	name := ""
	if f := p.curFile.Load(); f != nil {
		name = *f
	}
	var rows int64
	for _, w := range p.writers {
		rows += w.rows.Load()
	}
	p.opt.Progress(Progress{File: name, Read: p.readBytes.Load(), Total: p.totalBytes.Load(), Events: p.sum.Events, Rows: rows})
}

// writer appends one table's rows on its own goroutine.
type writer struct {
	ti   *tableInfo
	tw   TableWriter
	ch   chan writeReq
	rows atomic.Int64
	err  error
}

type writeReq struct {
	rows [][]any
	b    *batch // released once appended; nil when the rows are owned
}

// writer returns ti's writer, starting it on first use; nil after a failure.
func (p *pipeline) writer(ti *tableInfo) *writer {
	if w, ok := p.writers[ti]; ok {
		return w
	}
	tw, err := p.sink.Writer(p.ctx, ti.t.Name)
	if err != nil {
		p.fail(&Error{Code: CodeSink, Msg: "cannot write table " + ti.t.Name, Err: err})
		p.writers[ti] = nil
		return nil
	}
	// A short queue per table: each queued request pins a batch, so this
	// bounds how many batches (and their rows) are alive at once.
	w := &writer{ti: ti, tw: tw, ch: make(chan writeReq, 2)}
	p.writers[ti] = w
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		w.loop(p)
	}()
	return w
}

func (w *writer) loop(p *pipeline) {
	for req := range w.ch {
		if w.err == nil {
			w.append(p, req.rows)
		}
		if req.b != nil {
			req.b.release()
		}
	}
}

func (w *writer) append(p *pipeline, rows [][]any) {
	for _, r := range rows {
		if err := w.tw.Append(r); err != nil {
			w.err = err
			p.fail(&Error{Code: CodeSink, Msg: "cannot append to " + w.ti.t.Name, Err: err})
			return
		}
		w.rows.Add(1)
	}
}

// fail stops the run because of a sink failure.
func (p *pipeline) fail(err *Error) {
	p.cancel(err)
}

// closeWriters ends every writer and reports the rows written.
func (p *pipeline) closeWriters() error {
	for _, w := range p.writers {
		if w != nil {
			close(w.ch)
		}
	}
	p.wg.Wait()
	var errs []error
	for ti, w := range p.writers {
		if w == nil {
			continue
		}
		if n := w.rows.Load(); n > 0 {
			p.sum.Tables[ti.t.Name] = n
		}
		if err := w.tw.Close(); err != nil && w.err == nil {
			errs = append(errs, &Error{Code: CodeSink, Msg: "cannot commit " + ti.t.Name, Err: err})
		}
		if lost := ti.lostExtra.Load(); lost > 0 {
			p.opt.Notice(fmt.Sprintf("%s has no AdditionalFields column: %d values the catalog does not know were dropped", ti.t.Name, lost))
		}
	}
	if c := context.Cause(p.ctx); c != nil && !errors.Is(c, context.Canceled) && p.stopErr == nil {
		var ie *Error
		if errors.As(c, &ie) && ie.Code == CodeSink {
			errs = append([]error{ie}, errs...)
		}
	}
	return errors.Join(errs...)
}
