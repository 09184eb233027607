// Package source defines where sleuth's queries run. A Source takes a KQL
// syntax tree and returns rows: the embedded DuckDB store (the default),
// a Microsoft Sentinel / Log Analytics workspace, Defender XDR advanced
// hunting, an Azure Data Explorer database, or Elasticsearch through ES|QL.
//
// Every source checks a query against its own catalog (the tables and
// columns that really exist there, found by schema discovery) before it
// sends anything, so an unknown table or column fails locally with a
// kql.unknown_* error and a span. What the remote service says goes into
// the Result: the text actually sent, the rows, statistics, and every
// warning (partial results, truncation, throttling) — nothing is dropped
// silently. Failures are *Error values with stable codes (source.auth,
// source.forbidden, source.not_found, source.rate_limited, source.timeout,
// source.partial, source.limit, source.unavailable, source.bad_response,
// source.bad_query, source.config) that the CLI maps to exit code 4.
//
// This package holds the interface and what the implementations share
// (query preparation, schema discovery, value conversion, timespans, HTTP
// retries); each implementation lives in a sub-package with its SDK, so
// packages that only need the interface stay light.
package source

import (
	"context"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// Source kinds.
const (
	KindEmbedded = "embedded"
	KindSentinel = "sentinel"
	KindDefender = "defender"
	KindADX      = "adx"
	KindElastic  = "elastic"
)

// Source runs KQL queries somewhere. Implementations are safe for
// concurrent use.
type Source interface {
	// Name is "embedded" or the name the source has in the config.
	Name() string
	// Kind is one of the Kind constants.
	Kind() string
	// Endpoint says where the source is (a URL, a workspace, a file); it
	// never contains a secret.
	Endpoint() string
	// Catalog returns the tables that exist at the source, with their
	// columns, discovered on first use and cached for the source's life.
	Catalog(ctx context.Context) (*catalog.Catalog, error)
	// Query checks q against the source's catalog, sends it and returns
	// the rows.
	Query(ctx context.Context, q *kql.Query, opt Options) (*Result, error)
	// Close releases connections.
	Close() error
}

// Authenticator is implemented by sources that can check their
// credentials without running a query (sleuth sources test).
type Authenticator interface {
	Authenticate(ctx context.Context) error
}

// Discoverer is implemented by sources that find their catalog by schema
// discovery; Discover returns what was found, with the tables left out and
// why (sleuth sources test shows them).
type Discoverer interface {
	Discover(ctx context.Context) (*Built, error)
}

// Options shape one query.
type Options struct {
	// Now is the reference time of ago() and now(); zero means the wall clock.
	Now time.Time
	// Start and End bound TimeGenerated, as [Start, End); both zero means
	// no bound beyond what the query says. Services with a timespan
	// parameter get them as that parameter; the others get a filter on
	// every table the query reads.
	Start, End time.Time
	// MaxRows caps the rows returned; 0 means the source's own limit. A
	// cut result has Set.Truncated and a warning.
	MaxRows int
	// Timeout bounds the query; 0 means the source's default.
	Timeout time.Duration
	// Policy is the guard's query policy, enforced by the checker.
	Policy *check.Policy
}

// Windowed reports whether the options bound the time window.
func (o Options) Windowed() bool { return !o.Start.IsZero() || !o.End.IsZero() }

// Result is what a query returned.
type Result struct {
	// Set holds the rows.
	Set *rows.Set
	// Text is the query actually sent: KQL for the KQL services, ES|QL
	// for Elasticsearch, SQL for the embedded store.
	Text string
	// Stats describes the run.
	Stats Stats
	// Warnings are partial errors, truncation and notices, in the order
	// they arose.
	Warnings []string
}

// Stats describes one query run.
type Stats struct {
	// Elapsed is the wall time of the whole call, retries included.
	Elapsed time.Duration `json:"elapsed"`
	// Requests counts the calls made to the service (time splits and
	// retries made by sleuth included; retries inside an SDK are not
	// visible here).
	Requests int `json:"requests"`
	// Splits counts how often a refused time window was halved.
	Splits int `json:"splits,omitempty"`
	// Rows is the number of rows returned.
	Rows int `json:"rows"`
}
