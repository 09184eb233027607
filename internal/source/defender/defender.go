// Package defender runs hunts on Microsoft Defender XDR advanced hunting
// through Microsoft Graph: POST /v1.0/security/runHuntingQuery with
// {"Query": KQL, "Timespan": ISO 8601 interval}, answered with
// {"schema":[{"name","type"}], "results":[{column: value}]}. It uses
// azcore's pipeline (bearer token, retries honouring Retry-After) and no
// Graph SDK.
//
// Advanced hunting tables carry their time in Timestamp; sleuth's queries
// use TimeGenerated, so discovery adds TimeGenerated to such tables and
// every read of them is sent as (T | extend TimeGenerated = Timestamp).
// The service returns at most 30,000 rows and stops a query after 10
// minutes; a result that reaches the row limit is marked incomplete.
package defender

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"golang.org/x/time/rate"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/azauth"
)

// The service's documented limits and defaults.
const (
	MaxRows        = 30_000
	MaxWait        = 10 * time.Minute
	DefaultGraph   = "https://graph.microsoft.com"
	scope          = "https://graph.microsoft.com/.default"
	path           = "/v1.0/security/runHuntingQuery"
	defaultRate    = 45 // calls a minute per tenant
	defaultTimeout = 10 * time.Minute
)

// Config configures a Defender XDR source.
type Config struct {
	Name string
	// URL overrides the Graph endpoint (SLEUTH_GRAPH_URL).
	URL           string
	Auth          azauth.Config
	MaxRows       int
	Timeout       time.Duration
	RatePerMinute float64
	MaxRetries    int
	MaxRetryDelay time.Duration
	HTTPClient    *http.Client
	Base          *catalog.Catalog
}

// FromConfig reads a defender entry of the config file.
func FromConfig(name string, c config.Source, getenv func(string) string) (Config, error) {
	if err := c.Validate(name); err != nil {
		return Config{}, err
	}
	cfg := Config{Name: name, URL: c.URL, Auth: azauth.FromConfig(c, getenv), MaxRows: c.MaxRows,
		RatePerMinute: c.RatePerMinute, MaxRetries: c.MaxRetries}
	if u := getenv("SLEUTH_GRAPH_URL"); u != "" {
		cfg.URL = u
	}
	if c.Timeout != "" {
		cfg.Timeout, _ = time.ParseDuration(c.Timeout)
	}
	return cfg, nil
}

// Source is a tenant's advanced hunting.
type Source struct {
	cfg      Config
	endpoint string
	cred     azcore.TokenCredential
	pipeline runtime.Pipeline
	limiter  *rate.Limiter
	cache    source.CatalogCache
}

// New builds a Defender source. It does not contact the service.
func New(cfg Config) (*Source, error) {
	if cfg.Base == nil {
		cfg.Base = catalog.Default()
	}
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = defaultRate
	}
	base := strings.TrimSuffix(strings.TrimRight(cfg.URL, "/"), "/v1.0")
	if base == "" {
		base = DefaultGraph
	}
	opts := azauth.ClientOptions(cfg.HTTPClient, cfg.MaxRetries, cfg.MaxRetryDelay)
	cred, err := cfg.Auth.Credential(opts)
	if err != nil {
		return nil, &source.Error{Code: source.CodeAuth, Source: cfg.Name, Msg: "cannot set up the Azure credential", Err: err,
			Hint: "check tenant_id, client_id and client_secret_env, or run 'az login'"}
	}
	bearer := runtime.NewBearerTokenPolicy(cred, []string{scope}, nil)
	pl := runtime.NewPipeline("sleuth/defender", "v1", runtime.PipelineOptions{PerRetry: []policy.Policy{bearer}}, &opts)
	return &Source{cfg: cfg, endpoint: base, cred: cred, pipeline: pl, limiter: source.Limiter(cfg.RatePerMinute)}, nil
}

// Name implements source.Source.
func (s *Source) Name() string { return s.cfg.Name }

// Kind implements source.Source.
func (s *Source) Kind() string { return source.KindDefender }

// Endpoint implements source.Source.
func (s *Source) Endpoint() string { return s.endpoint + path }

// Close implements source.Source.
func (s *Source) Close() error { return nil }

// Authenticate gets a Graph token.
func (s *Source) Authenticate(ctx context.Context) error {
	return azauth.Token(ctx, s.cfg.Name, s.cred, scope)
}

// Catalog implements source.Source: the advanced hunting tables the
// tenant has, found with one getschema query.
func (s *Source) Catalog(ctx context.Context) (*catalog.Catalog, error) {
	b, err := s.built(ctx)
	if err != nil {
		return nil, err
	}
	return b.Catalog, nil
}

func (s *Source) built(ctx context.Context) (*source.Built, error) {
	return s.cache.Get(ctx, func(ctx context.Context) (*source.Built, error) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		set, _, err := s.call(ctx, source.SchemaQuery(s.cfg.Base.Names()), "")
		if err != nil {
			return nil, err
		}
		found, err := source.SchemaFromSet(set)
		if err != nil {
			return nil, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the tenant's schema", Err: err}
		}
		return source.BuildCatalog(s.cfg.Base, found, source.BuildOptions{Origin: "Defender XDR advanced hunting", AliasTimestamp: true})
	})
}

// Discover implements source.Discoverer.
func (s *Source) Discover(ctx context.Context) (*source.Built, error) { return s.built(ctx) }

// Query implements source.Source.
func (s *Source) Query(ctx context.Context, q *kql.Query, opt source.Options) (*source.Result, error) {
	began := time.Now()
	ctx, cancel := source.Timeout(ctx, opt, s.timeout())
	defer cancel()
	b, err := s.built(ctx)
	if err != nil {
		return nil, err
	}
	hard := MaxRows
	if s.cfg.MaxRows > 0 && s.cfg.MaxRows < hard {
		hard = s.cfg.MaxRows
	}
	p, err := source.Prepare(q, opt, source.PrepareOptions{Catalog: b.Catalog, HardLimit: hard, Take: true,
		Wrap: func(table string) []kql.Operator {
			if !b.Aliased[table] {
				return nil
			}
			return []kql.Operator{kql.Extend(kql.Named("TimeGenerated", kql.Name("Timestamp")))}
		}})
	if err != nil {
		return nil, err
	}
	interval := ""
	if opt.Windowed() {
		end := opt.End
		if end.IsZero() {
			end = time.Now()
		}
		interval = source.FormatInterval(opt.Start, end)
	}
	res := &source.Result{Text: p.Text, Warnings: p.Warnings}
	set, n, err := s.call(ctx, p.Text, interval)
	res.Stats.Requests = n
	if err != nil {
		return nil, err
	}
	p.Cap(set, &res.Warnings)
	res.Set = set
	res.Stats.Rows, res.Stats.Elapsed = len(set.Rows), time.Since(began)
	return res, nil
}

func (s *Source) timeout() time.Duration {
	if d := s.cfg.Timeout; d > 0 && d <= MaxWait {
		return d
	}
	return defaultTimeout
}

// huntingRequest and huntingResponse are the API's shapes. Graph spells
// the schema's keys Name/Type or name/type; encoding/json matches both.
type (
	huntingRequest struct {
		Query    string `json:"Query"`
		Timespan string `json:"Timespan,omitempty"`
	}
	huntingResponse struct {
		Schema []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"schema"`
		Results []map[string]json.RawMessage `json:"results"`
	}
)

// call runs one hunting query and returns its rows and the number of
// requests made (1; the SDK's own retries are not visible).
func (s *Source) call(ctx context.Context, text, interval string) (*rows.Set, int, error) {
	if err := source.Wait(ctx, s.limiter, s.cfg.Name); err != nil {
		return nil, 0, err
	}
	req, err := runtime.NewRequest(ctx, http.MethodPost, s.endpoint+path)
	if err != nil {
		return nil, 0, &source.Error{Code: source.CodeConfig, Source: s.cfg.Name, Msg: "bad Graph URL", Err: err}
	}
	req.Raw().Header.Set("Accept", "application/json")
	if err := runtime.MarshalAsJSON(req, huntingRequest{Query: text, Timespan: interval}); err != nil {
		return nil, 0, err
	}
	resp, err := s.pipeline.Do(req)
	if err != nil {
		return nil, 1, azauth.ResponseError(ctx, s.cfg.Name, err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		e := azauth.ResponseError(ctx, s.cfg.Name, runtime.NewResponseError(resp))
		if e.Code == source.CodeForbidden {
			e.Hint = "the app or user needs the ThreatHunting.Read.All Graph permission (and a Defender role that can run advanced hunting)"
		}
		return nil, 1, e
	}
	var hr huntingResponse
	if err := runtime.UnmarshalAsJSON(resp, &hr); err != nil {
		return nil, 1, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the hunting result", Err: err}
	}
	set, err := toSet(hr)
	if err != nil {
		return nil, 1, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the hunting result", Err: err}
	}
	return set, 1, nil
}

// toSet turns the API's row objects into rows in schema order.
func toSet(hr huntingResponse) (*rows.Set, error) {
	set := &rows.Set{}
	for _, c := range hr.Schema {
		set.Columns = append(set.Columns, rows.Column{Name: c.Name, Type: source.ColumnType(c.Type)})
	}
	for i, obj := range hr.Results {
		row := make([]any, len(set.Columns))
		for j, c := range set.Columns {
			raw, ok := obj[c.Name]
			if !ok {
				continue
			}
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("row %d, column %s: %w", i+1, c.Name, err)
			}
			x, err := source.FromJSON(c.Type, v)
			if err != nil {
				return nil, fmt.Errorf("row %d, column %s: %w", i+1, c.Name, err)
			}
			if x == nil && c.Type == catalog.String {
				x = ""
			}
			row[j] = x
		}
		set.Rows = append(set.Rows, row)
	}
	return set, nil
}
