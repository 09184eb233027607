package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// Query runs a SELECT and materialises at most maxRows rows (0 means no
// cap); Set.Truncated reports a cut. Column types are mapped back to KQL.
func (s *Store) Query(ctx context.Context, query string, maxRows int, args ...any) (*rows.Set, error) {
	set := &rows.Set{}
	err := s.each(ctx, query, func(cols []rows.Column) { set.Columns = cols }, func(_ []rows.Column, row []any) error {
		if maxRows > 0 && len(set.Rows) >= maxRows {
			set.Truncated = true
			return errStop
		}
		set.Rows = append(set.Rows, append([]any(nil), row...))
		return nil
	}, args...)
	return set, err
}

var errStop = fmt.Errorf("stop")

// Each runs a SELECT and calls fn for every row. The row slice is reused
// between calls; copy what you keep. fn may return an error to stop early.
func (s *Store) Each(ctx context.Context, query string, fn func(cols []rows.Column, row []any) error, args ...any) error {
	return s.each(ctx, query, nil, fn, args...)
}

func (s *Store) each(ctx context.Context, query string, onCols func([]rows.Column), fn func(cols []rows.Column, row []any) error, args ...any) error {
	rs, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return queryError(ctx, err)
	}
	defer rs.Close()
	cts, err := rs.ColumnTypes()
	if err != nil {
		return queryError(ctx, err)
	}
	cols := make([]rows.Column, len(cts))
	for i, ct := range cts {
		cols[i] = rows.Column{Name: ct.Name(), Type: KQLType(ct.DatabaseTypeName())}
	}
	if onCols != nil {
		onCols(cols)
	}
	scan := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range scan {
		ptrs[i] = &scan[i]
	}
	row := make([]any, len(cts))
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return queryError(ctx, err)
		}
		for i, v := range scan {
			row[i] = normalise(v, cols[i].Type)
		}
		if err := fn(cols, row); err != nil {
			if err == errStop {
				return nil
			}
			return err
		}
	}
	if err := rs.Err(); err != nil {
		return queryError(ctx, err)
	}
	return nil
}

// Columns returns the result columns of a query without fetching rows.
func (s *Store) Columns(ctx context.Context, query string, args ...any) ([]rows.Column, error) {
	rs, err := s.db.QueryContext(ctx, "SELECT * FROM ("+query+") LIMIT 0", args...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer rs.Close()
	cts, err := rs.ColumnTypes()
	if err != nil {
		return nil, queryError(ctx, err)
	}
	cols := make([]rows.Column, len(cts))
	for i, ct := range cts {
		cols[i] = rows.Column{Name: ct.Name(), Type: KQLType(ct.DatabaseTypeName())}
	}
	return cols, nil
}

func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &Error{Code: "store.timeout", Msg: "query cancelled", Err: ctx.Err(),
			Hint: "narrow the time window or raise --timeout"}
	}
	return &Error{Code: "store.query", Msg: "query failed", Err: err}
}

// KQLType maps a DuckDB type name to the KQL type of its values.
func KQLType(duck string) catalog.Type {
	d := strings.ToUpper(duck)
	switch {
	case d == "VARCHAR" || d == "UUID" || d == "ENUM" || strings.HasPrefix(d, "ENUM("):
		return catalog.String
	case d == "INTEGER" || d == "SMALLINT" || d == "TINYINT" || d == "USMALLINT" || d == "UTINYINT":
		return catalog.Int
	case d == "BIGINT" || d == "HUGEINT" || d == "UINTEGER" || d == "UBIGINT" || d == "UHUGEINT":
		return catalog.Long
	case d == "DOUBLE" || d == "FLOAT" || strings.HasPrefix(d, "DECIMAL"):
		return catalog.Real
	case d == "BOOLEAN":
		return catalog.Bool
	case strings.HasPrefix(d, "TIMESTAMP") || d == "DATE":
		return catalog.Datetime
	case d == "INTERVAL" || d == "TIME":
		return catalog.Timespan
	}
	return catalog.Dynamic // JSON, LIST, STRUCT, MAP, arrays
}

// normalise turns driver values into the package rows conventions.
func normalise(v any, t catalog.Type) any {
	switch x := v.(type) {
	case nil:
		if t == catalog.String {
			return ""
		}
		return nil
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case float32:
		return float64(x)
	case float64:
		if t == catalog.Dynamic {
			// Numbers inside JSON values, which the driver decodes with
			// encoding/json, keep the json.Number form package rows promises.
			return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
		}
		return x
	case duckdb.Decimal:
		return x.Float64()
	case time.Time:
		return x.UTC()
	case duckdb.Interval:
		return time.Duration(x.Micros)*time.Microsecond + time.Duration(x.Days)*24*time.Hour + time.Duration(x.Months)*30*24*time.Hour
	case duckdb.UUID:
		return x.String()
	case []byte:
		if t == catalog.String {
			return string(x)
		}
		return decodeJSON(x)
	case string:
		// A JSON column arrives decoded, so a string in a dynamic value is a
		// JSON string, not JSON text to decode again.
		return x
	case duckdb.Map:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalise(e, catalog.Dynamic)
		}
		return m
	case map[string]any:
		for k, e := range x {
			x[k] = normalise(e, catalog.Dynamic)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalise(e, catalog.Dynamic)
		}
		return x
	}
	return v
}

func decodeJSON(b []byte) any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return string(b)
	}
	return v
}

// RowCounts returns the number of rows in every catalog table.
func (s *Store) RowCounts(ctx context.Context) (map[string]int64, error) {
	out := make(map[string]int64)
	rs, err := s.db.QueryContext(ctx, `SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = ?`, dataSchema)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	var names []string
	for rs.Next() {
		var n string
		var est sql.NullInt64
		if err := rs.Scan(&n, &est); err != nil {
			rs.Close()
			return nil, queryError(ctx, err)
		}
		if _, ok := s.cat.Table(n); ok {
			names = append(names, n)
		}
	}
	rs.Close()
	for _, n := range names {
		var c int64
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+physical(n)).Scan(&c); err != nil {
			return nil, queryError(ctx, err)
		}
		out[n] = c
	}
	return out, nil
}
