package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Appender streams rows into one catalog table through DuckDB's appender.
// Rows become visible a row group at a time, and the rest when the
// appender is closed. An Appender is not safe for concurrent
// use; open one per goroutine and table.
//
// It appends only the table's physical columns. A value for a column that is
// not physical yet makes the column physical first (ALTER TABLE ADD COLUMN),
// which happens a few times per table while data of a new shape arrives.
//
// Rows travel in transactions of whole row groups. DuckDB writes a
// transaction's full row groups to the database file when it commits, and
// a commit of whole row groups adds only their location to the write-ahead
// log; a smaller one writes every row to the log and again at the next
// checkpoint, which cost a bulk load a third of its time
// (docs/PERFORMANCE.md "Ingest"). So the Appender commits by itself every
// commitRows rows, and its caller need not commit at all until Close.
// Compressing a row group at commit takes DuckDB a fifth of a second for a
// table of large rows, so the commit runs on its own goroutine while the
// Appender goes on appending on a second connection (a lane); a third
// commit waits for the first.
//
// Rows are written into a data chunk in place (chunk) and handed to
// DuckDB's C appender a chunk at a time; inside the transaction that
// appender hands them on to the table after every stageBytes of strings: it
// buffers rows outside DuckDB's memory limit until then, the transaction's
// own storage inside it (spilling to disk if it must).
type Appender struct {
	s       *Store
	ctx     context.Context
	table   *catalog.Table
	lanes   [2]*lane
	cur     *lane // the lane being appended to
	cols    []int // the catalog columns appended, in appender order
	absent  []int // the catalog columns not physical yet
	names   []string
	types   []catalog.Type
	gen     int  // bumped when columns become physical
	trusted bool // TrustText
	n       int64
	pending int64 // rows appended since the last commit
	staged  int   // bytes of strings appended since the last hand-over to the transaction
}

// lane is one connection of an Appender with its DuckDB appender.
type lane struct {
	conn *sql.Conn
	duck bindings.Connection // conn's DuckDB connection
	app  bindings.Appender
	ch   *chunk // rows not yet handed to app; nil when app is not open
	gen  int    // the Appender's gen when app was opened
	inTx bool   // a transaction is open on conn
	done chan error
}

// commitRows is how many rows an Appender commits at a time: one DuckDB
// row group.
const commitRows = 122_880

// stageBytes bounds the rows DuckDB's appender holds outside its memory
// accounting, by the size of their strings.
const stageBytes = 4 << 20

// Appender opens an appender for a catalog table. Append takes values in the
// table's catalog column order.
func (s *Store) Appender(ctx context.Context, table string) (*Appender, error) {
	if s.ro {
		return nil, &Error{Code: "store.append", Msg: "the store is open read-only"}
	}
	t, ok := s.cat.Table(table)
	if !ok {
		return nil, &Error{Code: "store.append", Msg: "unknown table " + table}
	}
	// The context opens the connections; after that the Appender ignores
	// its cancellation, so the rows a caller hands over before an
	// interrupt are stored and committed: stopping is the caller's part.
	a := &Appender{s: s, ctx: context.WithoutCancel(ctx), table: t}
	a.columns()
	l, err := a.newLane(ctx)
	if err == nil {
		err = a.ready(l)
	}
	if err != nil {
		if l != nil {
			l.conn.Close()
		}
		return nil, err
	}
	a.lanes[0], a.cur = l, l
	return a, nil
}

// columns reads which of the table's columns are physical.
func (a *Appender) columns() {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.cols, a.absent, a.names, a.types = a.cols[:0], a.absent[:0], a.names[:0], a.types[:0]
	for i, c := range a.table.Columns {
		if a.s.phys[a.table.Name][c.Name] {
			a.cols = append(a.cols, i)
			a.names = append(a.names, c.Name)
			a.types = append(a.types, c.Type)
		} else {
			a.absent = append(a.absent, i)
		}
	}
}

// newLane opens a connection.
func (a *Appender) newLane(ctx context.Context) (*lane, error) {
	conn, err := a.s.db.Conn(ctx)
	if err != nil {
		return nil, &Error{Code: "store.append", Msg: "cannot open a connection", Err: err}
	}
	l := &lane{conn: conn, gen: -1}
	err = conn.Raw(func(dc any) error {
		l.duck, err = duckConn(dc)
		return err
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return l, nil
}

// duckConn returns the DuckDB connection behind a connection of duckdb-go,
// which keeps it unexported: the Appender needs it for DuckDB's C appender,
// which takes whole data chunks where the driver's appender takes one value
// at a time (docs/PERFORMANCE.md "Ingest"). A driver upgrade that moves it
// fails here, clearly, and in TestAppenderReachesDuckDB.
func duckConn(dc any) (bindings.Connection, error) {
	v := reflect.ValueOf(dc)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		f := v.Elem().FieldByName("conn")
		if f.IsValid() && f.Type() == reflect.TypeFor[bindings.Connection]() {
			if p := f.FieldByName("Ptr").UnsafePointer(); p != nil {
				return bindings.Connection{Ptr: p}, nil
			}
		}
	}
	return bindings.Connection{}, &Error{Code: "store.append", Msg: fmt.Sprintf("the DuckDB driver's connection (%T) does not hold a DuckDB connection where this build expects it", dc)}
}

// ready makes a lane's DuckDB appender match the table's physical columns,
// opening it anew after columns were added.
func (a *Appender) ready(l *lane) error {
	if l.gen == a.gen && l.ch != nil {
		return nil
	}
	if l.ch != nil {
		if err := l.release(a.table.Name); err != nil {
			return err
		}
	}
	fail := func(err error) error {
		return &Error{Code: "store.append", Msg: "cannot open an appender on " + a.table.Name, Err: err}
	}
	if bindings.AppenderCreateExt(l.duck, "", dataSchema, a.table.Name, &l.app) != bindings.StateSuccess {
		err := errors.New(bindings.AppenderError(l.app))
		bindings.AppenderDestroy(&l.app)
		return fail(err)
	}
	for _, name := range a.names {
		if bindings.AppenderAddColumn(l.app, name) != bindings.StateSuccess {
			err := errors.New(bindings.AppenderError(l.app))
			bindings.AppenderDestroy(&l.app)
			return fail(err)
		}
	}
	ch, err := newChunk(l.app, a.types)
	if err != nil {
		bindings.AppenderDestroy(&l.app)
		return fail(err)
	}
	ch.utf8 = a.trusted
	l.ch, l.gen = ch, a.gen
	return nil
}

// TrustText tells the Appender that every string value it will be handed
// is valid UTF-8, so it skips its own check (a few percent of a bulk
// load). DuckDB does not check strings appended this way; invalid UTF-8
// would reach every query that reads it. The ingest's decoders repair
// invalid bytes before rows reach the store.
func (a *Appender) TrustText() {
	a.trusted = true
	for _, l := range a.lanes {
		if l != nil && l.ch != nil {
			l.ch.utf8 = true
		}
	}
}

func (l *lane) begin(ctx context.Context, table string) error {
	if _, err := l.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return &Error{Code: "store.append", Msg: "cannot begin a transaction on " + table, Err: err}
	}
	l.inTx = true
	return nil
}

// flush hands the chunk's rows to DuckDB's appender, and its rows to the
// transaction.
func (l *lane) flush() error {
	err := l.ch.handOver(l.app)
	if err == nil && bindings.AppenderFlush(l.app) != bindings.StateSuccess {
		err = errors.New(bindings.AppenderError(l.app))
	}
	return err
}

// commit hands the buffered rows to the transaction and commits it, when
// the store lets one more commit run (Store.commits).
func (l *lane) commit(ctx context.Context, s *Store, table string) error {
	if !l.inTx {
		return nil
	}
	l.inTx = false
	err := l.flush()
	if err == nil {
		s.commits <- struct{}{}
		_, err = l.conn.ExecContext(ctx, "COMMIT")
		<-s.commits
	}
	if err != nil {
		// Leave no failed transaction on a connection going back to the pool.
		l.conn.ExecContext(ctx, "ROLLBACK") //nolint:errcheck // the first error is the one to report
		return &Error{Code: "store.append", Msg: "cannot commit rows of " + table, Err: err}
	}
	return nil
}

// wait waits for the lane's commit on its own goroutine, if one runs.
func (l *lane) wait() error {
	if l == nil || l.done == nil {
		return nil
	}
	err := <-l.done
	l.done = nil
	return err
}

// release frees the lane's DuckDB appender and chunk.
func (l *lane) release(table string) error {
	var err error
	if bindings.AppenderClose(l.app) != bindings.StateSuccess {
		err = &Error{Code: "store.append", Msg: "close appender on " + table, Err: errors.New(bindings.AppenderError(l.app))}
	}
	bindings.AppenderDestroy(&l.app)
	l.ch.close()
	l.ch = nil
	return err
}

// rotate commits the current lane on its own goroutine and moves on to the
// other, once that one's previous commit is done.
func (a *Appender) rotate() error {
	l := a.cur
	l.done = make(chan error, 1)
	go func() { l.done <- l.commit(a.ctx, a.s, a.table.Name) }()
	a.pending, a.staged = 0, 0
	next := a.lanes[1]
	if l == next {
		next = a.lanes[0]
	}
	var err error
	if next == nil {
		if next, err = a.newLane(a.ctx); err == nil {
			a.lanes[1] = next
		}
	}
	if err == nil {
		err = next.wait()
	}
	if err != nil {
		// Stay on the committing lane, idle again, so that nothing else
		// touches it while its commit runs.
		return errors.Join(err, l.wait())
	}
	a.cur = next
	return a.ready(next)
}

// settle commits everything appended, waiting for the commits running on
// their own goroutines.
func (a *Appender) settle() error {
	err := errors.Join(a.lanes[0].wait(), a.lanes[1].wait())
	if err == nil {
		err = a.cur.commit(a.ctx, a.s, a.table.Name)
	}
	a.pending, a.staged = 0, 0
	return err
}

// grow makes columns physical: it commits what was appended, adds them and
// reopens the appender with them.
func (a *Appender) grow(cols []catalog.Column) error {
	if err := a.settle(); err != nil {
		return err
	}
	if err := a.s.addColumns(a.ctx, a.table, cols); err != nil {
		return err
	}
	a.columns()
	a.gen++
	return a.ready(a.cur)
}

// Table returns the table the appender writes.
func (a *Appender) Table() *catalog.Table { return a.table }

// Rows returns the number of rows appended so far.
func (a *Appender) Rows() int64 { return a.n }

// Append adds one row. vals holds one value per catalog column, in order;
// nil is a null (or "" for string columns). The accepted Go types per KQL
// type are: string and guid: string (anything else is formatted; invalid
// UTF-8 becomes U+FFFD); int and long: any integer type, or an integral
// float64; real: any number; bool: bool; datetime: time.Time; timespan:
// time.Duration; dynamic: catalog.JSON, stored as it is; json.RawMessage,
// checked, and stored as a JSON string when DuckDB would not parse it; or
// any value json.Marshal accepts.
func (a *Appender) Append(vals []any) error {
	if len(vals) != len(a.table.Columns) {
		return &Error{Code: "store.append", Msg: fmt.Sprintf("%s: row has %d values, the table has %d columns", a.table.Name, len(vals), len(a.table.Columns))}
	}
	var need []catalog.Column
	for _, i := range a.absent {
		if !empty(vals[i]) {
			need = append(need, a.table.Columns[i])
		}
	}
	if len(need) > 0 {
		if err := a.grow(need); err != nil {
			return err
		}
	}
	l := a.cur
	if err := a.ready(l); err != nil { // a no-op unless a reopen failed before
		return err
	}
	if !l.inTx {
		if err := l.begin(a.ctx, a.table.Name); err != nil {
			return err
		}
	}
	n, err := l.ch.put(vals, a.cols)
	for err == errArenaFull {
		if l.ch.rows == 0 {
			l.ch.growFor()
		} else if err = l.ch.handOver(l.app); err != nil {
			return &Error{Code: "store.append", Msg: "append to " + a.table.Name, Err: err}
		}
		n, err = l.ch.put(vals, a.cols)
	}
	if err != nil {
		var ce colError
		if errors.As(err, &ce) {
			return &Error{Code: "store.append", Msg: a.table.Name + "." + a.table.Columns[a.cols[ce.col]].Name, Err: ce.err}
		}
		return &Error{Code: "store.append", Msg: "append to " + a.table.Name, Err: err}
	}
	a.n++
	a.pending++
	a.staged += n
	switch {
	case a.pending >= commitRows:
		return a.rotate()
	case l.ch.full():
		if err := l.ch.handOver(l.app); err != nil {
			return &Error{Code: "store.append", Msg: "append to " + a.table.Name, Err: err}
		}
		if a.staged >= stageBytes {
			a.staged = 0
			if err := l.flush(); err != nil {
				return &Error{Code: "store.append", Msg: "flush " + a.table.Name, Err: err}
			}
		}
	}
	return nil
}

// empty reports values that leave a column at its default, so a column that
// only ever receives them need not exist physically.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case json.RawMessage:
		return len(x) == 0
	case catalog.JSON:
		return len(x) == 0
	case []byte:
		return len(x) == 0
	case time.Time:
		return x.IsZero()
	}
	return false
}

// Close commits and releases the appender.
func (a *Appender) Close() error {
	err := a.settle()
	for _, l := range a.lanes {
		if l == nil {
			continue
		}
		if l.ch != nil {
			if cerr := l.release(a.table.Name); cerr != nil && err == nil {
				err = cerr
			}
		}
		if cerr := l.conn.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}

func toInt64(v any) (int64, bool, error) {
	switch n := v.(type) {
	case nil:
		return 0, false, nil
	case int:
		return int64(n), true, nil
	case int8:
		return int64(n), true, nil
	case int16:
		return int64(n), true, nil
	case int32:
		return int64(n), true, nil
	case int64:
		return n, true, nil
	case uint8:
		return int64(n), true, nil
	case uint16:
		return int64(n), true, nil
	case uint32:
		return int64(n), true, nil
	case uint64:
		if n > math.MaxInt64 {
			return 0, false, fmt.Errorf("%d overflows long", n)
		}
		return int64(n), true, nil
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) || math.IsNaN(n) {
			return 0, false, fmt.Errorf("%v is not a whole number", n)
		}
		return int64(n), true, nil
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		return i, err == nil, err
	}
	return 0, false, fmt.Errorf("want an integer, got %T", v)
}

func toFloat(v any) (float64, bool, error) {
	switch n := v.(type) {
	case nil:
		return 0, false, nil
	case float64:
		return n, true, nil
	case float32:
		return float64(n), true, nil
	case json.Number:
		f, err := n.Float64()
		return f, err == nil, err
	}
	i, ok, err := toInt64(v)
	return float64(i), ok, err
}
