// Package embedded is the default source: sleuth's own DuckDB store,
// queried by compiling KQL to DuckDB SQL. The time window becomes a filter
// on TimeGenerated at every table the query reads, and the row cap a
// LIMIT one row above it, so that a cut result is detected and reported.
package embedded

import (
	"context"
	"fmt"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// DefaultTimeout bounds a query when the options give no timeout.
const DefaultTimeout = 5 * time.Minute

// Source queries an open store. The caller keeps ownership of the store
// unless it passes Close responsibility with Owned.
type Source struct {
	st    *store.Store
	owned bool
}

// New wraps an open store. With owned set, Close closes the store.
func New(st *store.Store, owned bool) *Source { return &Source{st: st, owned: owned} }

// Name implements source.Source.
func (s *Source) Name() string { return source.KindEmbedded }

// Kind implements source.Source.
func (s *Source) Kind() string { return source.KindEmbedded }

// Endpoint implements source.Source: the store's file.
func (s *Source) Endpoint() string { return s.st.Path() }

// Close implements source.Source.
func (s *Source) Close() error {
	if s.owned {
		return s.st.Close()
	}
	return nil
}

// Catalog implements source.Source: the store holds every catalog table.
func (s *Source) Catalog(context.Context) (*catalog.Catalog, error) { return s.st.Catalog(), nil }

// Query implements source.Source.
func (s *Source) Query(ctx context.Context, q *kql.Query, opt source.Options) (*source.Result, error) {
	began := time.Now()
	ctx, cancel := source.Timeout(ctx, opt, DefaultTimeout)
	defer cancel()
	p, err := source.Prepare(q, opt, source.PrepareOptions{Catalog: s.st.Catalog(), Window: true})
	if err != nil {
		return nil, err
	}
	compiled, err := duckdb.Compile(p.Checked, duckdb.Options{Now: opt.Now, MaxRows: p.Fetch})
	if err != nil {
		return nil, err
	}
	res := &source.Result{Text: compiled.SQL, Warnings: p.Warnings, Stats: source.Stats{Requests: 1}}
	set, err := s.st.Query(ctx, compiled.SQL, p.Limit)
	if err != nil {
		if ctx.Err() != nil {
			return nil, source.TransportError(ctx, s.Name(), err)
		}
		return nil, err
	}
	if set.Truncated {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the result was cut at %d rows; narrow the query or raise the row cap", p.Limit))
	}
	res.Set = set
	res.Stats.Rows, res.Stats.Elapsed = len(set.Rows), time.Since(began)
	return res, nil
}
