// Package adx runs hunts on an Azure Data Explorer (Kusto) database
// through azkustodata.
//
// ADX has no timespan parameter, so the query's time window becomes a
// filter on TimeGenerated at every table the query reads; the text sent
// shows it. The schema comes from ".show database schema". Partial query
// failures (a result over the truncation limit, a failed shard) keep the
// rows that arrived and are reported as warnings.
package adx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-kusto-go/azkustodata"
	kerrors "github.com/Azure/azure-kusto-go/azkustodata/errors"
	kkql "github.com/Azure/azure-kusto-go/azkustodata/kql"
	"github.com/Azure/azure-kusto-go/azkustodata/query"
	"github.com/Azure/azure-kusto-go/azkustodata/value"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/azauth"
)

// Defaults and the service's limits.
const (
	MaxRows        = 500_000 // the default result truncation limit
	defaultTimeout = 10 * time.Minute
	MaxWait        = time.Hour
)

// Config configures an ADX source.
type Config struct {
	Name string
	// Cluster is the cluster URL (SLEUTH_ADX_URL overrides it).
	Cluster       string
	Database      string
	Auth          azauth.Config
	Strict        bool
	MaxRows       int
	Timeout       time.Duration
	RatePerMinute float64
	HTTPClient    *http.Client
	Base          *catalog.Catalog
}

// FromConfig reads an adx entry of the config file.
func FromConfig(name string, c config.Source, getenv func(string) string) (Config, error) {
	if err := c.Validate(name); err != nil {
		return Config{}, err
	}
	cfg := Config{Name: name, Cluster: c.Cluster, Database: c.Database, Auth: azauth.FromConfig(c, getenv),
		Strict: c.Strict, MaxRows: c.MaxRows, RatePerMinute: c.RatePerMinute}
	if c.URL != "" {
		cfg.Cluster = c.URL
	}
	if u := getenv("SLEUTH_ADX_URL"); u != "" {
		cfg.Cluster = u
	}
	if c.Timeout != "" {
		cfg.Timeout, _ = time.ParseDuration(c.Timeout)
	}
	return cfg, nil
}

// Source is one ADX database.
type Source struct {
	cfg     Config
	client  *azkustodata.Client
	cred    azcore.TokenCredential
	limiter *rate.Limiter
	cache   source.CatalogCache
}

// New builds an ADX source. It does not contact the cluster.
func New(cfg Config) (*Source, error) {
	if cfg.Base == nil {
		cfg.Base = catalog.Default()
	}
	cfg.Cluster = strings.TrimRight(cfg.Cluster, "/")
	if cfg.Cluster == "" || cfg.Database == "" {
		return nil, source.Errorf(source.CodeConfig, cfg.Name, "set cluster and database in the source's config", "no cluster or database")
	}
	cred, err := cfg.Auth.Credential(azauth.ClientOptions(cfg.HTTPClient, 0, 0))
	if err != nil {
		return nil, &source.Error{Code: source.CodeAuth, Source: cfg.Name, Msg: "cannot set up the Azure credential", Err: err}
	}
	kcsb := azkustodata.NewConnectionStringBuilder(cfg.Cluster).WithTokenCredential(cred)
	var opts []azkustodata.Option
	if cfg.HTTPClient != nil {
		opts = append(opts, azkustodata.WithHttpClient(cfg.HTTPClient))
	}
	client, err := azkustodata.New(kcsb, opts...)
	if err != nil {
		return nil, &source.Error{Code: source.CodeConfig, Source: cfg.Name, Msg: "cannot create the ADX client", Err: err,
			Hint: "the cluster URL must be https://…"}
	}
	return &Source{cfg: cfg, client: client, cred: cred, limiter: source.Limiter(cfg.RatePerMinute)}, nil
}

// Name implements source.Source.
func (s *Source) Name() string { return s.cfg.Name }

// Kind implements source.Source.
func (s *Source) Kind() string { return source.KindADX }

// Endpoint implements source.Source.
func (s *Source) Endpoint() string { return s.cfg.Cluster + " database " + s.cfg.Database }

// Close implements source.Source.
func (s *Source) Close() error { return s.client.Close() }

// Authenticate gets a token for the cluster.
func (s *Source) Authenticate(ctx context.Context) error {
	return azauth.Token(ctx, s.cfg.Name, s.cred, s.cfg.Cluster+"/.default")
}

// Catalog implements source.Source: the database's tables from
// .show database schema.
func (s *Source) Catalog(ctx context.Context) (*catalog.Catalog, error) {
	b, err := s.cache.Get(ctx, s.discover)
	if err != nil {
		return nil, err
	}
	return b.Catalog, nil
}

func (s *Source) discover(ctx context.Context) (*source.Built, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := source.Wait(ctx, s.limiter, s.cfg.Name); err != nil {
		return nil, err
	}
	ds, err := s.client.Mgmt(ctx, s.cfg.Database, kkql.New(".show database schema"))
	if err != nil {
		return nil, s.failure(ctx, err)
	}
	if len(ds.Tables()) == 0 {
		return nil, source.Errorf(source.CodeBadResponse, s.cfg.Name, "", ".show database schema returned no table")
	}
	set, err := toSet(ds.Tables()[0].Columns(), ds.Tables()[0].Rows())
	if err != nil {
		return nil, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the database schema", Err: err}
	}
	found, err := source.SchemaFromSet(set)
	if err != nil {
		return nil, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the database schema", Err: err}
	}
	return source.BuildCatalog(s.cfg.Base, found, source.BuildOptions{Origin: "ADX " + s.Endpoint()})
}

// Discover implements source.Discoverer.
func (s *Source) Discover(ctx context.Context) (*source.Built, error) {
	return s.cache.Get(ctx, s.discover)
}

// Query implements source.Source.
func (s *Source) Query(ctx context.Context, q *kql.Query, opt source.Options) (*source.Result, error) {
	began := time.Now()
	def := s.cfg.Timeout
	if def <= 0 || def > MaxWait {
		def = defaultTimeout
	}
	ctx, cancel := source.Timeout(ctx, opt, def)
	defer cancel()
	cat, err := s.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	hard := MaxRows
	if s.cfg.MaxRows > 0 && s.cfg.MaxRows < hard {
		hard = s.cfg.MaxRows
	}
	p, err := source.Prepare(q, opt, source.PrepareOptions{Catalog: cat, Window: true, HardLimit: hard, Take: true})
	if err != nil {
		return nil, err
	}
	res := &source.Result{Text: p.Text, Warnings: p.Warnings, Stats: source.Stats{Requests: 1}}
	if err := source.Wait(ctx, s.limiter, s.cfg.Name); err != nil {
		return nil, err
	}
	var qopts []azkustodata.QueryOption
	if dl, ok := ctx.Deadline(); ok {
		qopts = append(qopts, azkustodata.ServerTimeout(time.Until(dl)))
	}
	ds, err := s.client.IterativeQuery(ctx, s.cfg.Database, kkql.New("").AddUnsafe(p.Text), qopts...)
	if err != nil {
		return nil, s.failure(ctx, err)
	}
	defer ds.Close()
	set, partial, err := s.primary(ctx, ds)
	if err != nil {
		return nil, err
	}
	if len(partial) > 0 {
		if s.cfg.Strict {
			return nil, source.Errorf(source.CodePartial, s.cfg.Name, "set strict: false to accept partial results, or narrow the query",
				"the cluster returned a partial result: %s", strings.Join(partial, "; "))
		}
		for _, m := range partial {
			res.Warnings = append(res.Warnings, "partial result: "+m)
			if strings.Contains(m, "E_QUERY_RESULT_SET_TOO_LARGE") {
				set.Truncated = true
			}
		}
	}
	p.Cap(set, &res.Warnings)
	res.Set = set
	res.Stats.Rows, res.Stats.Elapsed = len(set.Rows), time.Since(began)
	return res, nil
}

// primary reads the primary result of an iterative dataset. Errors that
// arrive after rows (the cluster's partial failures) are returned as
// messages; an error before any table is the query's failure.
func (s *Source) primary(ctx context.Context, ds query.IterativeDataset) (*rows.Set, []string, error) {
	var set *rows.Set
	var partial []string
	for tr := range ds.Tables() {
		if err := tr.Err(); err != nil {
			if set == nil {
				return nil, nil, s.failure(ctx, err)
			}
			partial = append(partial, message(err))
			continue
		}
		t := tr.Table()
		if !t.IsPrimaryResult() || set != nil {
			for range t.Rows() { // drain: the reader needs every frame consumed
			}
			continue
		}
		var rs []query.Row
		for rr := range t.Rows() {
			if err := rr.Err(); err != nil {
				partial = append(partial, message(err))
				continue
			}
			rs = append(rs, rr.Row())
		}
		var err error
		if set, err = toSet(t.Columns(), rs); err != nil {
			return nil, nil, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the result", Err: err}
		}
	}
	if set == nil {
		return nil, nil, source.Errorf(source.CodeBadResponse, s.cfg.Name, "", "the result has no primary table")
	}
	return set, partial, nil
}

// failure maps an azkustodata error to a source error.
func (s *Source) failure(ctx context.Context, err error) *source.Error {
	var he *kerrors.HttpError
	if errors.As(err, &he) {
		return source.HTTPError(s.cfg.Name, he.StatusCode, nil, restMessage(he))
	}
	if ctx.Err() != nil {
		return source.TransportError(ctx, s.cfg.Name, err)
	}
	var ke *kerrors.Error
	if errors.As(err, &ke) && strings.Contains(strings.ToLower(err.Error()), "token") {
		return azauth.AuthError(ctx, s.cfg.Name, err)
	}
	if errors.As(err, &ke) && ke.Kind == kerrors.KHTTPError {
		return source.TransportError(ctx, s.cfg.Name, err)
	}
	return &source.Error{Code: source.CodeBadQuery, Source: s.cfg.Name, Msg: "the cluster refused the query: " + message(err)}
}

// restMessage is the service's own message in an HTTP error body: the
// detailed @message Kusto adds, else the OneAPI message.
func restMessage(he *kerrors.HttpError) string {
	if e, ok := he.UnmarshalREST()["error"].(map[string]any); ok {
		for _, k := range []string{"@message", "message"} {
			if m, ok := e[k].(string); ok && m != "" {
				return m
			}
		}
	}
	return message(he)
}

// message is the first line of an azkustodata error, which otherwise
// carries the whole query and activity ids.
func message(err error) string {
	m := err.Error()
	if i := strings.IndexByte(m, '\n'); i > 0 {
		m = m[:i]
	}
	return strings.TrimSpace(m)
}

// toSet converts Kusto rows to a rows.Set.
func toSet(cols query.Columns, rs []query.Row) (*rows.Set, error) {
	set := &rows.Set{}
	for _, c := range cols {
		set.Columns = append(set.Columns, rows.Column{Name: c.Name(), Type: source.ColumnType(string(c.Type()))})
	}
	for i, r := range rs {
		vals := r.Values()
		row := make([]any, len(set.Columns))
		for j := range set.Columns {
			if j >= len(vals) {
				break
			}
			v, err := goValue(vals[j], set.Columns[j].Type)
			if err != nil {
				return nil, fmt.Errorf("row %d, column %s: %w", i+1, set.Columns[j].Name, err)
			}
			row[j] = v
		}
		set.Rows = append(set.Rows, row)
	}
	return set, nil
}

// goValue converts one Kusto value to what rows.Set holds.
func goValue(v value.Kusto, t catalog.Type) (any, error) {
	switch x := v.GetValue().(type) {
	case nil:
		return nil, nil
	case string:
		return x, nil
	case *bool:
		return deref(x), nil
	case *int32:
		return deref(x), nil
	case *int64:
		return deref(x), nil
	case *float64:
		return deref(x), nil
	case *decimal.Decimal:
		if x == nil {
			return nil, nil
		}
		f, _ := x.Float64()
		return f, nil
	case *time.Time:
		if x == nil {
			return nil, nil
		}
		return x.UTC(), nil
	case *time.Duration:
		return deref(x), nil
	case *uuid.UUID:
		if x == nil {
			return nil, nil
		}
		return x.String(), nil
	case []byte:
		if x == nil {
			return nil, nil
		}
		return source.FromJSON(catalog.Dynamic, string(x))
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		return source.FromJSON(t, string(b))
	}
}

// deref returns *p widened to what rows.Set holds, or nil.
func deref[T bool | int32 | int64 | float64 | time.Duration](p *T) any {
	if p == nil {
		return nil
	}
	switch v := any(*p).(type) {
	case int32:
		return int64(v)
	default:
		return v
	}
}
