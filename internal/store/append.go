package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Appender streams rows into one catalog table through DuckDB's Appender.
// Rows become visible a row group at a time, and the rest when the
// appender is closed. An Appender is not safe for concurrent
// use; open one per goroutine and table.
//
// It appends only the table's physical columns. A value for a column that is
// not physical yet makes the column physical first (ALTER TABLE ADD COLUMN),
// which happens a few times per table while data of a new shape arrives.
//
// Rows travel in transactions of whole row groups. DuckDB writes a
// transaction's full row groups straight to the database file as they
// fill, and at commit a transaction of whole row groups adds only their
// location to the write-ahead log; a smaller one writes every row to the
// log and again at the next checkpoint, which cost a bulk load a third of
// its time (docs/PERFORMANCE.md "Ingest"). So the Appender commits by
// itself every commitRows rows, and its caller need not commit at all
// until Close. Inside the transaction it hands the rows over to DuckDB
// after every stageBytes of strings: DuckDB's appender buffers rows outside
// its memory limit until then, the transaction's own storage inside it
// (spilling to disk if it must).
type Appender struct {
	s       *Store
	ctx     context.Context
	table   *catalog.Table
	conn    *sql.Conn
	app     *duckdb.Appender
	conv    []converter    // per catalog column
	cols    []int          // the catalog columns appended, in appender order
	isCol   []bool         // per catalog column: appended
	buf     []driver.Value // one row, in appender order
	n       int64
	inTx    bool  // a transaction is open on conn
	pending int64 // rows appended since the last commit
	staged  int   // bytes of strings appended since the last hand-over to the transaction
}

// commitRows is how many rows an Appender commits at a time: one DuckDB
// row group.
const commitRows = 122_880

// stageBytes bounds the rows DuckDB's appender holds outside its memory
// accounting, by the size of their strings.
const stageBytes = 4 << 20

type converter func(any) (driver.Value, error)

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
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, &Error{Code: "store.append", Msg: "cannot open a connection", Err: err}
	}
	// The context opens the connection; after that the Appender ignores
	// its cancellation, so the rows a caller hands over before an
	// interrupt are stored and committed: stopping is the caller's part.
	a := &Appender{s: s, ctx: context.WithoutCancel(ctx), table: t, conn: conn, conv: make([]converter, len(t.Columns))}
	for i, c := range t.Columns {
		a.conv[i] = converterFor(c.Type)
	}
	if err := a.open(); err != nil {
		conn.Close()
		return nil, err
	}
	return a, nil
}

// open starts a DuckDB appender over the table's physical columns. Its
// transaction begins with the first row.
func (a *Appender) open() error {
	a.s.mu.Lock()
	a.cols, a.isCol = a.cols[:0], make([]bool, len(a.table.Columns))
	var names []string
	for i, c := range a.table.Columns {
		if a.s.phys[a.table.Name][c.Name] {
			a.cols = append(a.cols, i)
			a.isCol[i] = true
			names = append(names, c.Name)
		}
	}
	a.s.mu.Unlock()
	a.buf = make([]driver.Value, len(a.cols))
	types := make([]duckdb.TypeInfo, len(a.cols))
	quoted := make([]string, len(a.cols))
	exprs := make([]string, len(a.cols))
	for k, i := range a.cols {
		ti, err := duckdb.NewTypeInfo(appendType(a.table.Columns[i].Type))
		if err != nil {
			return &Error{Code: "store.append", Msg: "cannot open an appender on " + a.table.Name, Err: err}
		}
		types[k], quoted[k] = ti, quoteIdent(names[k])
		exprs[k] = fmt.Sprintf("col%d", k+1)
		if a.table.Columns[i].Type == catalog.Dynamic {
			// Text that is not JSON is kept as a JSON string rather
			// than failing the rows handed over with it.
			exprs[k] = fmt.Sprintf("COALESCE(TRY_CAST(col%d AS JSON), to_json(col%d))", k+1, k+1)
		}
	}
	// The rows pass through a query so that dynamic values can travel as
	// text: DuckDB validates the JSON as it casts it, in C, where the
	// driver would re-encode every value with encoding/json (a tenth of an
	// ingest's time).
	query := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM appended_data",
		physical(a.table.Name), strings.Join(quoted, ", "), strings.Join(exprs, ", "))
	err := a.conn.Raw(func(dc any) error {
		var err error
		a.app, err = duckdb.NewQueryAppender(dc.(driver.Conn), query, "", types, nil)
		return err
	})
	if err != nil {
		return &Error{Code: "store.append", Msg: "cannot open an appender on " + a.table.Name, Err: err}
	}
	return nil
}

// appendType is the DuckDB type a value of a KQL type is handed over as:
// its column's type, but text for JSON.
func appendType(t catalog.Type) duckdb.Type {
	switch t {
	case catalog.Int:
		return duckdb.TYPE_INTEGER
	case catalog.Long:
		return duckdb.TYPE_BIGINT
	case catalog.Real, catalog.Decimal:
		return duckdb.TYPE_DOUBLE
	case catalog.Bool:
		return duckdb.TYPE_BOOLEAN
	case catalog.Datetime:
		return duckdb.TYPE_TIMESTAMP
	case catalog.Timespan:
		return duckdb.TYPE_INTERVAL
	default: // string, guid, dynamic
		return duckdb.TYPE_VARCHAR
	}
}

func (a *Appender) begin() error {
	if _, err := a.conn.ExecContext(a.ctx, "BEGIN TRANSACTION"); err != nil {
		return &Error{Code: "store.append", Msg: "cannot begin a transaction on " + a.table.Name, Err: err}
	}
	a.inTx, a.pending = true, 0
	return nil
}

// commit hands the buffered rows to the transaction and commits it.
func (a *Appender) commit() error {
	if !a.inTx {
		return nil
	}
	a.inTx = false
	a.staged, a.pending = 0, 0
	err := a.app.Flush()
	if err == nil {
		_, err = a.conn.ExecContext(a.ctx, "COMMIT")
	}
	if err != nil {
		// Leave no failed transaction on a connection going back to the pool.
		a.conn.ExecContext(a.ctx, "ROLLBACK") //nolint:errcheck // the first error is the one to report
		return &Error{Code: "store.append", Msg: "cannot commit rows of " + a.table.Name, Err: err}
	}
	return nil
}

// grow makes columns physical: it commits what was appended, adds them and
// reopens the appender with them.
func (a *Appender) grow(cols []catalog.Column) error {
	if err := a.commit(); err != nil {
		return err
	}
	if err := a.app.Close(); err != nil {
		return &Error{Code: "store.append", Msg: "close appender on " + a.table.Name, Err: err}
	}
	if err := a.s.addColumns(a.ctx, a.table, cols); err != nil {
		return err
	}
	return a.open()
}

// Table returns the table the appender writes.
func (a *Appender) Table() *catalog.Table { return a.table }

// Rows returns the number of rows appended so far.
func (a *Appender) Rows() int64 { return a.n }

// Append adds one row. vals holds one value per catalog column, in order;
// nil is a null (or "" for string columns). The accepted Go types per KQL
// type are: string and guid: string (anything else is formatted);
// int and long: any integer type, or an integral float64; real: any number;
// bool: bool; datetime: time.Time; timespan: time.Duration; dynamic:
// json.RawMessage holding JSON text (text that is not JSON is stored as a
// JSON string), or any value json.Marshal accepts.
func (a *Appender) Append(vals []any) error {
	if len(vals) != len(a.conv) {
		return &Error{Code: "store.append", Msg: fmt.Sprintf("%s: row has %d values, the table has %d columns", a.table.Name, len(vals), len(a.conv))}
	}
	var need []catalog.Column
	for i, v := range vals {
		if !a.isCol[i] && !empty(v) {
			need = append(need, a.table.Columns[i])
		}
	}
	if len(need) > 0 {
		if err := a.grow(need); err != nil {
			return err
		}
	}
	if !a.inTx {
		if err := a.begin(); err != nil {
			return err
		}
	}
	for k, i := range a.cols {
		dv, err := a.conv[i](vals[i])
		if err != nil {
			return &Error{Code: "store.append", Msg: a.table.Name + "." + a.table.Columns[i].Name, Err: err}
		}
		switch v := dv.(type) {
		case string:
			a.staged += len(v)
		case []byte:
			a.staged += len(v)
		}
		a.buf[k] = dv
	}
	if err := a.app.AppendRow(a.buf...); err != nil {
		return &Error{Code: "store.append", Msg: "append to " + a.table.Name, Err: err}
	}
	a.n++
	a.pending++
	switch {
	case a.pending >= commitRows:
		return a.commit()
	case a.staged >= stageBytes:
		if err := a.app.Flush(); err != nil {
			return &Error{Code: "store.append", Msg: "flush " + a.table.Name, Err: err}
		}
		a.staged = 0
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
	case []byte:
		return len(x) == 0
	case time.Time:
		return x.IsZero()
	}
	return false
}

// Close commits and releases the appender.
func (a *Appender) Close() error {
	err := a.commit()
	if cerr := a.app.Close(); cerr != nil && err == nil {
		err = &Error{Code: "store.append", Msg: "close appender on " + a.table.Name, Err: cerr}
	}
	if cerr := a.conn.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

func converterFor(t catalog.Type) converter {
	switch t {
	case catalog.Int:
		return func(v any) (driver.Value, error) {
			n, ok, err := toInt64(v)
			if !ok || err != nil {
				return nil, err
			}
			if n > math.MaxInt32 || n < math.MinInt32 {
				return nil, fmt.Errorf("%d overflows int", n)
			}
			return int32(n), nil
		}
	case catalog.Long:
		return func(v any) (driver.Value, error) {
			n, ok, err := toInt64(v)
			if !ok || err != nil {
				return nil, err
			}
			return n, nil
		}
	case catalog.Real, catalog.Decimal:
		return toFloat
	case catalog.Bool:
		return func(v any) (driver.Value, error) {
			switch b := v.(type) {
			case nil:
				return nil, nil
			case bool:
				return b, nil
			}
			return nil, fmt.Errorf("want bool, got %T", v)
		}
	case catalog.Datetime:
		return func(v any) (driver.Value, error) {
			switch t := v.(type) {
			case nil:
				return nil, nil
			case time.Time:
				if t.IsZero() {
					return nil, nil
				}
				return t.UTC(), nil
			}
			return nil, fmt.Errorf("want time.Time, got %T", v)
		}
	case catalog.Timespan:
		return func(v any) (driver.Value, error) {
			switch d := v.(type) {
			case nil:
				return nil, nil
			case time.Duration:
				return duckdb.Interval{Micros: d.Microseconds()}, nil
			}
			return nil, fmt.Errorf("want time.Duration, got %T", v)
		}
	case catalog.Dynamic:
		return toJSON
	default:
		return toString
	}
}

func toString(v any) (driver.Value, error) {
	switch s := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil // the interface already holds the string; re-boxing it would allocate
	case []byte:
		return string(s), nil
	case fmt.Stringer:
		return s.String(), nil
	}
	return fmt.Sprint(v), nil
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

func toFloat(v any) (driver.Value, error) {
	switch n := v.(type) {
	case nil:
		return nil, nil
	case float64:
		return n, nil
	case float32:
		return float64(n), nil
	case json.Number:
		f, err := n.Float64()
		return f, err
	}
	i, ok, err := toInt64(v)
	if !ok || err != nil {
		return nil, err
	}
	return float64(i), nil
}

func toJSON(v any) (driver.Value, error) {
	switch j := v.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		if len(j) == 0 {
			return nil, nil
		}
		return []byte(j), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return b, nil
}
