// Package store is sleuth's embedded DuckDB store: it creates the catalog's
// tables on first use, migrates them when the catalog changes, appends rows
// through DuckDB's Appender and runs SQL for the layers above.
//
// It is the only package that imports DuckDB, so that the rest of the module
// builds and tests without cgo-heavy dependencies. It knows nothing of KQL:
// compilers hand it SQL, and the SQL macros they rely on arrive through
// Options.InitSQL.
//
// Storage conventions: datetime is TIMESTAMP in UTC, timespan is INTERVAL,
// dynamic is JSON, guid is VARCHAR, and a missing string reads as ""
// because Kusto strings are never null. Each table is a view in main over a
// physical table in the data schema that holds only the columns that ever
// received a value (see migrate.go for why).
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// SchemaVersion is bumped when the storage conventions change in a way that
// needs more than adding or retyping columns.
const SchemaVersion = 2

// Options configure Open.
type Options struct {
	// Catalog defines the tables; nil means catalog.Default().
	Catalog *catalog.Catalog
	// ReadOnly opens the file without write access; several read-only
	// processes may share a store, but not with a writer.
	ReadOnly bool
	// InitSQL runs on every new connection, after the session settings
	// (for example the KQL compiler's macros).
	InitSQL []string
	// Threads caps DuckDB's worker threads; 0 keeps DuckDB's default.
	Threads int
	// MemoryLimit caps DuckDB's buffer memory, such as "1GB"; "" keeps the default.
	MemoryLimit string
}

// Store is an open embedded store. It is safe for concurrent use.
type Store struct {
	path string
	cat  *catalog.Catalog
	conn *duckdb.Connector
	db   *sql.DB
	ro   bool

	zstd bool // the file's format compresses text with zstd (dynamic columns use it)

	mu   sync.Mutex                 // serialises schema changes and meta writes
	phys map[string]map[string]bool // table → its physical columns

	// commits bounds the Appenders' commits running at once: each
	// compresses a row group, with buffers of its own, and more of them
	// than cores only adds to the peak memory (all tables commit together
	// when an ingest ends).
	commits chan struct{}
}

// Error is a store failure with a stable code: store.locked, store.open,
// store.schema, store.query, store.append.
type Error struct {
	Code string
	Msg  string
	Hint string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the stable code, for the CLI's exit-code mapping.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorHint returns a suggestion for the user, or "".
func (e *Error) ErrorHint() string { return e.Hint }

// Open opens or creates the store at path (":memory:" for a throw-away store)
// and brings its tables up to the catalog.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if opt.Catalog == nil {
		opt.Catalog = catalog.Default()
	}
	if path != ":memory:" && path != "" {
		if opt.ReadOnly {
			if _, err := os.Stat(path); err != nil {
				return nil, &Error{Code: "store.open", Msg: "cannot open store " + path, Err: err,
					Hint: "create it with 'sleuth lab generate' or 'sleuth ingest'"}
			}
		} else if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, &Error{Code: "store.open", Msg: "cannot create the store's directory", Err: err}
		}
	}
	dsn := path
	if path == ":memory:" {
		dsn = ""
	}
	if opt.ReadOnly && dsn != "" {
		dsn += "?access_mode=read_only"
	} else if dsn != "" {
		// A new file gets DuckDB's current storage format, the first that
		// compresses text with zstd; an older file keeps its own.
		dsn += "?storage_compatibility_version=" + storageVersion
	}
	init := sessionSQL(opt)
	conn, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		for _, q := range init {
			if _, err := ex.ExecContext(context.Background(), q, nil); err != nil {
				return fmt.Errorf("%s: %w", firstLine(q), err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, openError(path, err)
	}
	s := &Store{path: path, cat: opt.Catalog, conn: conn, db: sql.OpenDB(conn), ro: opt.ReadOnly,
		commits: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
	if err := s.db.PingContext(ctx); err != nil {
		s.Close()
		return nil, openError(path, err)
	}
	if !opt.ReadOnly {
		if s.zstd, err = s.compressesWithZstd(ctx); err != nil {
			s.Close()
			return nil, openError(path, err)
		}
		if err := s.migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func sessionSQL(opt Options) []string {
	q := []string{"SET TimeZone = 'UTC'"}
	if opt.Threads > 0 {
		q = append(q, fmt.Sprintf("SET threads = %d", opt.Threads))
	}
	if opt.MemoryLimit != "" {
		q = append(q, "SET memory_limit = "+quoteString(opt.MemoryLimit))
	}
	return append(q, opt.InitSQL...)
}

func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		return &Error{Code: "store.locked", Msg: "the store " + path + " is in use by another sleuth process",
			Hint: "wait for it to finish, or point --db (SLEUTH_DB) at another file"}
	}
	return &Error{Code: "store.open", Msg: "cannot open store " + path, Err: err,
		Hint: "check that the file is a sleuth store and is readable; --db or SLEUTH_DB chooses another"}
}

// storageVersion is the DuckDB storage format of new store files.
const storageVersion = "v1.5.0"

// compressesWithZstd reports whether the store's file format has zstd
// compression for text (DuckDB storage v1.2.0 and later). Dynamic columns
// use it: JSON documents compress to a quarter of what DuckDB's default
// dictionary and FSST compression make of them, at half the CPU
// (docs/PERFORMANCE.md "Ingest"). A file of an older format would store
// such columns uncompressed, so they keep the default there.
func (s *Store) compressesWithZstd(ctx context.Context) (bool, error) {
	var v sql.NullString
	err := s.db.QueryRowContext(ctx,
		`SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()`).Scan(&v)
	if err != nil {
		return false, err
	}
	return storageAtLeast(v.String, 1, 2), nil
}

// storageAtLeast reports whether a DuckDB storage version tag such as
// "v1.5.0+" is at least major.minor.
func storageAtLeast(tag string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimSuffix(strings.TrimPrefix(tag, "v"), "+"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	maj, err1 := strconv.Atoi(parts[0])
	min, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return maj > major || maj == major && min >= minor
}

// Close releases the store.
func (s *Store) Close() error {
	var errs []error
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if s.conn != nil {
		errs = append(errs, s.conn.Close())
	}
	return errors.Join(errs...)
}

// Path returns the file the store lives in.
func (s *Store) Path() string { return s.path }

// Catalog returns the catalog the store was opened with.
func (s *Store) Catalog() *catalog.Catalog { return s.cat }

// ReadOnly reports whether the store was opened without write access.
func (s *Store) ReadOnly() bool { return s.ro }

// Exec runs a statement that returns no rows.
func (s *Store) Exec(ctx context.Context, query string, args ...any) error {
	if _, err := s.db.ExecContext(ctx, query, args...); err != nil {
		return &Error{Code: "store.query", Msg: "statement failed", Err: err}
	}
	return nil
}

// quoteIdent quotes a SQL identifier for DuckDB.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteString quotes a SQL string literal for DuckDB.
func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
