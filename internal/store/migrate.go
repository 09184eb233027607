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

// migrate creates missing tables and columns and retypes columns whose
// catalog type changed. Columns the catalog no longer lists are kept, so an
// upgrade never drops data.
func (s *Store) migrate(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+metaTable+` (key VARCHAR PRIMARY KEY, value VARCHAR)`); err != nil {
		return &Error{Code: "store.schema", Msg: "cannot create the store's metadata table", Err: err}
	}
	if err := s.checkVersion(ctx); err != nil {
		return err
	}
	existing, err := s.existingColumns(ctx)
	if err != nil {
		return err
	}
	for _, t := range s.cat.Tables() {
		cols, ok := existing[t.Name]
		if !ok {
			if err := s.createTable(ctx, t); err != nil {
				return err
			}
			continue
		}
		if err := s.alterTable(ctx, t, cols); err != nil {
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

func (s *Store) existingColumns(ctx context.Context) (map[string]map[string]string, error) {
	rs, err := s.db.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main'`)
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

func (s *Store) createTable(ctx context.Context, t *catalog.Table) error {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(quoteIdent(t.Name))
	b.WriteString(" (")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c.Name))
		b.WriteByte(' ')
		b.WriteString(SQLType(c.Type))
	}
	b.WriteString(")")
	if _, err := s.db.ExecContext(ctx, b.String()); err != nil {
		return &Error{Code: "store.schema", Msg: "cannot create table " + t.Name, Err: err}
	}
	return nil
}

func (s *Store) alterTable(ctx context.Context, t *catalog.Table, have map[string]string) error {
	for _, c := range t.Columns {
		want := SQLType(c.Type)
		got, ok := have[c.Name]
		switch {
		case !ok:
			q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", quoteIdent(t.Name), quoteIdent(c.Name), want)
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				return &Error{Code: "store.schema", Msg: "cannot add column " + t.Name + "." + c.Name, Err: err}
			}
		case !sameType(got, want):
			q := fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DATA TYPE %s USING TRY_CAST(%s AS %s)",
				quoteIdent(t.Name), quoteIdent(c.Name), want, quoteIdent(c.Name), want)
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				return &Error{Code: "store.schema", Msg: fmt.Sprintf("cannot change %s.%s from %s to %s", t.Name, c.Name, got, want), Err: err}
			}
		}
	}
	return nil
}

func sameType(have, want string) bool {
	have = strings.ToUpper(have)
	if have == want {
		return true
	}
	// information_schema spells a few types differently.
	return (want == "TIMESTAMP" && have == "TIMESTAMP WITHOUT TIME ZONE") || (want == "JSON" && have == "JSON")
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
