package cli

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// openStore opens the store at --db. Read-only opens of a store that does
// not exist yet fail with a hint; writable opens create it.
func (a *app) openStore(ctx context.Context, readOnly bool) (*store.Store, error) {
	return store.Open(ctx, a.dbPath, store.Options{ReadOnly: readOnly, InitSQL: a.storeInitSQL()})
}

// storeExists reports whether the store file is there, so read-only commands
// can say "nothing ingested yet" instead of creating an empty store.
func (a *app) storeExists() bool {
	_, err := os.Stat(a.dbPath)
	return !errors.Is(err, fs.ErrNotExist)
}

// storeInitSQL is the SQL every store connection runs first: the macros
// the KQL compiler's SQL calls.
func (a *app) storeInitSQL() []string { return duckdb.Prelude() }
