package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// SQLType is the DuckDB column type that stores values of a KQL type.
func SQLType(t catalog.Type) string {
	switch t {
	case catalog.Int:
		return "INTEGER"
	case catalog.Long:
		return "BIGINT"
	case catalog.Real, catalog.Decimal:
		return "DOUBLE"
	case catalog.Bool:
		return "BOOLEAN"
	case catalog.Datetime:
		return "TIMESTAMP"
	case catalog.Timespan:
		return "INTERVAL"
	case catalog.Dynamic:
		return "JSON"
	default: // string, guid
		return "VARCHAR"
	}
}

const metaTable = "_sleuth_meta"

// dataSchema holds the physical tables. Each has only the columns that ever
// received a value, because DuckDB's append cost grows with a table's
// physical width (a 200-column row costs about seven times a 20-column one)
// and most catalog columns stay empty. The catalog-shaped view of each
// table lives in main, under the table's own name, with the never-filled
// columns as typed constants, so queries see the catalog and nothing else.
const dataSchema = "data"

// migrate brings the store to the catalog: physical tables exist, columns
// whose catalog type changed are retyped, and every view is current.
// Physical columns the catalog no longer lists are kept, so an upgrade never
// drops data.
func (s *Store) migrate(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS ` + metaTable + ` (key VARCHAR PRIMARY KEY, value VARCHAR)`,
		`CREATE SCHEMA IF NOT EXISTS ` + dataSchema,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return &Error{Code: "store.schema", Msg: "cannot prepare the store", Err: err}
		}
	}
	if err := s.checkVersion(ctx); err != nil {
		return err
	}
	if err := s.moveVersion1Tables(ctx); err != nil {
		return err
	}
	existing, err := s.physicalColumns(ctx)
	if err != nil {
		return err
	}
	s.phys = map[string]map[string]bool{}
	for _, t := range s.cat.Tables() {
		cols, ok := existing[t.Name]
		if !ok {
			if err := s.createTable(ctx, t); err != nil {
				return err
			}
			cols = map[string]string{"TimeGenerated": "TIMESTAMP"}
		} else if err := s.retype(ctx, t, cols); err != nil {
			return err
		}
		s.phys[t.Name] = map[string]bool{}
		for c := range cols {
			s.phys[t.Name][c] = true
		}
		if err := s.createView(ctx, t); err != nil {
			return err
		}
	}
	return s.setMetaLocked(ctx, "schema_version", strconv.Itoa(SchemaVersion))
}

func (s *Store) checkVersion(ctx context.Context) error {
	v, ok, err := s.metaLocked(ctx, "schema_version")
	if err != nil || !ok {
		return err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return &Error{Code: "store.schema", Msg: "the store's schema version " + strconv.Quote(v) + " is not a number"}
	}
	if n > SchemaVersion {
		return &Error{Code: "store.schema",
			Msg:  fmt.Sprintf("the store was written by a newer sleuth (schema %d, this build knows %d)", n, SchemaVersion),
			Hint: "upgrade sleuth, or point --db at another file"}
	}
	return nil
}

// moveVersion1Tables moves the full-width tables of a version 1 store
// (catalog tables in main) into the data schema, where views replace them.
func (s *Store) moveVersion1Tables(ctx context.Context) error {
	rs, err := s.db.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'`)
	if err != nil {
		return &Error{Code: "store.schema", Msg: "cannot read the store's tables", Err: err}
	}
	var old []string
	for rs.Next() {
		var n string
		if err := rs.Scan(&n); err != nil {
			rs.Close()
			return &Error{Code: "store.schema", Msg: "cannot read the store's tables", Err: err}
		}
		if _, ok := s.cat.Table(n); ok {
			old = append(old, n)
		}
	}
	rs.Close()
	for _, n := range old {
		q := fmt.Sprintf(`CREATE TABLE %s.%s AS SELECT * FROM main.%s; DROP TABLE main.%s`, dataSchema, quoteIdent(n), quoteIdent(n), quoteIdent(n))
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return &Error{Code: "store.schema", Msg: "cannot move table " + n + " to the version 2 layout", Err: err}
		}
	}
	return nil
}

func (s *Store) physicalColumns(ctx context.Context) (map[string]map[string]string, error) {
	rs, err := s.db.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = ?`, dataSchema)
	if err != nil {
		return nil, &Error{Code: "store.schema", Msg: "cannot read the store's schema", Err: err}
	}
	defer rs.Close()
	out := map[string]map[string]string{}
	for rs.Next() {
		var t, c, ty string
		if err := rs.Scan(&t, &c, &ty); err != nil {
			return nil, &Error{Code: "store.schema", Msg: "cannot read the store's schema", Err: err}
		}
		if out[t] == nil {
			out[t] = map[string]string{}
		}
		out[t][c] = ty
	}
	return out, rs.Err()
}

func physical(table string) string { return dataSchema + "." + quoteIdent(table) }

// createTable creates a physical table with TimeGenerated only; the other
// columns arrive with their first value (addColumns).
func (s *Store) createTable(ctx context.Context, t *catalog.Table) error {
	q := fmt.Sprintf("CREATE TABLE %s (%s TIMESTAMP)", physical(t.Name), quoteIdent("TimeGenerated"))
	if _, err := s.db.ExecContext(ctx, q); err != nil {
		return &Error{Code: "store.schema", Msg: "cannot create table " + t.Name, Err: err}
	}
	return nil
}

func (s *Store) retype(ctx context.Context, t *catalog.Table, have map[string]string) error {
	for _, c := range t.Columns {
		got, ok := have[c.Name]
		want := SQLType(c.Type)
		if !ok || sameType(got, want) {
			continue
		}
		q := fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DATA TYPE %s USING TRY_CAST(%s AS %s)",
			physical(t.Name), quoteIdent(c.Name), want, quoteIdent(c.Name), want)
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return &Error{Code: "store.schema", Msg: fmt.Sprintf("cannot change %s.%s from %s to %s", t.Name, c.Name, got, want), Err: err}
		}
		have[c.Name] = want
	}
	return nil
}

// addColumns makes catalog columns physical. Strings get the default "",
// which also fills the rows already stored: Kusto strings are never null.
func (s *Store) addColumns(ctx context.Context, t *catalog.Table, cols []catalog.Column) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cols {
		if s.phys[t.Name][c.Name] {
			continue
		}
		q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", physical(t.Name), quoteIdent(c.Name), SQLType(c.Type))
		if c.Type == catalog.String || c.Type == catalog.GUID {
			q += " DEFAULT ''"
		}
		if c.Type == catalog.Dynamic && s.zstd {
			q += " USING COMPRESSION zstd"
		}
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return &Error{Code: "store.schema", Msg: "cannot add column " + t.Name + "." + c.Name, Err: err}
		}
		s.phys[t.Name][c.Name] = true
	}
	return s.createView(ctx, t)
}

// createView (re)defines the catalog-shaped view of a table: physical
// columns as they are, the others as typed constants.
func (s *Store) createView(ctx context.Context, t *catalog.Table) error {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE VIEW main.%s AS SELECT ", quoteIdent(t.Name))
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case s.phys[t.Name][c.Name]:
			b.WriteString(quoteIdent(c.Name))
		case c.Type == catalog.String || c.Type == catalog.GUID:
			fmt.Fprintf(&b, "''::VARCHAR AS %s", quoteIdent(c.Name))
		default:
			fmt.Fprintf(&b, "NULL::%s AS %s", SQLType(c.Type), quoteIdent(c.Name))
		}
	}
	fmt.Fprintf(&b, " FROM %s", physical(t.Name))
	if _, err := s.db.ExecContext(ctx, b.String()); err != nil {
		return &Error{Code: "store.schema", Msg: "cannot create the view of " + t.Name, Err: err}
	}
	return nil
}

func sameType(have, want string) bool {
	have = strings.ToUpper(have)
	if have == want {
		return true
	}
	// information_schema spells a few types differently.
	return want == "TIMESTAMP" && have == "TIMESTAMP WITHOUT TIME ZONE"
}

// Meta returns a value from the store's metadata table.
func (s *Store) Meta(ctx context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.metaLocked(ctx, key)
}

func (s *Store) metaLocked(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM `+metaTable+` WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return "", false, nil // a read-only store from before the meta table
		}
		return "", false, &Error{Code: "store.query", Msg: "cannot read store metadata", Err: err}
	}
	return v, true, nil
}

// SetMeta records a value in the store's metadata table.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setMetaLocked(ctx, key, value)
}

func (s *Store) setMetaLocked(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO `+metaTable+` VALUES (?, ?)`, key, value)
	if err != nil {
		return &Error{Code: "store.query", Msg: "cannot write store metadata", Err: err}
	}
	return nil
}

// Clear removes every row of a catalog table, and with them the physical
// columns, so the next data starts narrow again.
func (s *Store) Clear(ctx context.Context, table string) error {
	t, ok := s.cat.Table(table)
	if !ok {
		return &Error{Code: "store.schema", Msg: "unknown table " + table}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.db.ExecContext(ctx, "DROP VIEW IF EXISTS main."+quoteIdent(t.Name)+"; DROP TABLE IF EXISTS "+physical(t.Name)); err != nil {
		return &Error{Code: "store.schema", Msg: "cannot clear " + t.Name, Err: err}
	}
	if err := s.createTable(ctx, t); err != nil {
		return err
	}
	s.phys[t.Name] = map[string]bool{"TimeGenerated": true}
	return s.createView(ctx, t)
}
