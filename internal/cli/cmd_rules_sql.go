package cli

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
)

// toSQL checks a compiled rule's KQL against the catalog and lowers it to
// the DuckDB SQL the embedded store runs (the --now reference time fixes
// anything relative).
func (a *app) toSQL(q *kql.Query) (string, error) {
	ch, err := check.Check(q, check.Options{Catalog: catalog.Default(), Now: a.now})
	if err != nil {
		return "", err
	}
	res, err := duckdb.Compile(ch, duckdb.Options{Now: a.now})
	if err != nil {
		return "", err
	}
	return res.SQL, nil
}
