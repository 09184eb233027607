// Package sentinel runs hunts on a Microsoft Sentinel (Log Analytics)
// workspace through the Azure Monitor Query client (azlogs).
//
// The query's time window goes to the service as its timespan parameter.
// Partial results are kept and reported as warnings (or as source.partial
// when the source is strict); when the service refuses a window as too
// large and the query is row-wise, the window is halved and the halves'
// rows concatenated, to a bounded depth. The service's limits (500,000
// rows, 64 MB, 10 minutes) are applied before sending and reported when
// hit.
package sentinel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"
	"golang.org/x/time/rate"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/azauth"
)

// The service's documented limits.
const (
	MaxRows        = 500_000
	MaxWait        = 10 * time.Minute
	DefaultAPI     = "https://api.loganalytics.io"
	defaultRate    = 400 // calls a minute; the API allows about 200 per 30 s per user
	defaultSplits  = 4   // a refused window is halved at most this often (16 pieces)
	defaultTimeout = 10 * time.Minute
)

// Config configures a Sentinel source.
type Config struct {
	Name                 string
	WorkspaceID          string
	AdditionalWorkspaces []string
	// URL overrides the Log Analytics endpoint (SLEUTH_LA_URL); the token
	// is still requested for the public audience.
	URL  string
	Auth azauth.Config
	// Strict turns partial results into source.partial errors.
	Strict bool
	// MaxRows caps the rows of a query (default and ceiling MaxRows).
	MaxRows int
	// Timeout bounds a query (default 10m, and the service's ceiling).
	Timeout       time.Duration
	RatePerMinute float64
	MaxRetries    int
	// MaxRetryDelay is the longest Retry-After sleuth waits for (default 60s).
	MaxRetryDelay time.Duration
	// MaxSplits bounds how often a refused window is halved (default 4).
	MaxSplits int
	// HTTPClient replaces the default HTTP client (tests).
	HTTPClient *http.Client
	// Base gives roles and descriptions to discovered tables; nil means
	// catalog.Default().
	Base *catalog.Catalog
}

// Source is a Log Analytics workspace.
type Source struct {
	cfg     Config
	client  *azlogs.Client
	cred    azcore.TokenCredential
	limiter *rate.Limiter
	cache   source.CatalogCache
}

// New builds a Sentinel source. It does not contact the service.
func New(cfg Config) (*Source, error) {
	if cfg.WorkspaceID == "" {
		return nil, source.Errorf(source.CodeConfig, cfg.Name, "set workspace_id in the source's config", "no workspace id")
	}
	if cfg.Base == nil {
		cfg.Base = catalog.Default()
	}
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = defaultRate
	}
	opts := azauth.ClientOptions(cfg.HTTPClient, cfg.MaxRetries, cfg.MaxRetryDelay)
	cred, err := cfg.Auth.Credential(opts)
	if err != nil {
		return nil, &source.Error{Code: source.CodeAuth, Source: cfg.Name, Msg: "cannot set up the Azure credential", Err: err,
			Hint: "check tenant_id, client_id and client_secret_env, or run 'az login'"}
	}
	if cfg.URL != "" {
		opts.Cloud = cloud.Configuration{
			ActiveDirectoryAuthorityHost: cloud.AzurePublic.ActiveDirectoryAuthorityHost,
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				azlogs.ServiceName: {Audience: DefaultAPI, Endpoint: strings.TrimRight(cfg.URL, "/")},
			},
		}
	}
	client, err := azlogs.NewClient(cred, &azlogs.ClientOptions{ClientOptions: opts})
	if err != nil {
		return nil, &source.Error{Code: source.CodeConfig, Source: cfg.Name, Msg: "cannot create the Log Analytics client", Err: err}
	}
	return &Source{cfg: cfg, client: client, cred: cred, limiter: source.Limiter(cfg.RatePerMinute)}, nil
}

// Name implements source.Source.
func (s *Source) Name() string { return s.cfg.Name }

// Kind implements source.Source.
func (s *Source) Kind() string { return source.KindSentinel }

// Endpoint implements source.Source.
func (s *Source) Endpoint() string {
	u := s.cfg.URL
	if u == "" {
		u = DefaultAPI
	}
	return u + " workspace " + s.cfg.WorkspaceID
}

// Close implements source.Source.
func (s *Source) Close() error { return nil }

// Authenticate gets a token for the Log Analytics API.
func (s *Source) Authenticate(ctx context.Context) error {
	return azauth.Token(ctx, s.cfg.Name, s.cred, DefaultAPI+"/.default")
}

// Catalog implements source.Source: the catalog tables the workspace has,
// with the workspace's columns, found with one getschema query.
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
	resp, err := s.call(ctx, source.SchemaQuery(s.cfg.Base.Names()), "", time.Minute)
	if err != nil {
		return nil, err
	}
	set, _, err := s.convert(resp.QueryResults, nil)
	if err != nil {
		return nil, err
	}
	found, err := source.SchemaFromSet(set)
	if err != nil {
		return nil, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the workspace's schema", Err: err}
	}
	return source.BuildCatalog(s.cfg.Base, found, source.BuildOptions{Origin: "workspace " + s.cfg.WorkspaceID})
}

// Discover implements source.Discoverer.
func (s *Source) Discover(ctx context.Context) (*source.Built, error) {
	return s.cache.Get(ctx, s.discover)
}

// Query implements source.Source.
func (s *Source) Query(ctx context.Context, q *kql.Query, opt source.Options) (*source.Result, error) {
	began := time.Now()
	timeout := s.timeout(opt)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cat, err := s.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	hard := MaxRows
	if s.cfg.MaxRows > 0 && s.cfg.MaxRows < hard {
		hard = s.cfg.MaxRows
	}
	p, err := source.Prepare(q, opt, source.PrepareOptions{Catalog: cat, HardLimit: hard, Take: true})
	if err != nil {
		return nil, err
	}
	res := &source.Result{Text: p.Text, Warnings: p.Warnings}
	r := &run{s: s, text: p.Text, rowWise: source.RowWise(p.Checked), wait: timeout, res: res}
	set, err := r.window(ctx, opt.Start.UTC(), opt.End.UTC(), 0)
	if err != nil {
		return nil, err
	}
	p.Cap(set, &res.Warnings)
	res.Set = set
	res.Stats.Rows = len(set.Rows)
	res.Stats.Elapsed = time.Since(began)
	return res, nil
}

func (s *Source) timeout(opt source.Options) time.Duration {
	d := opt.Timeout
	if d <= 0 {
		d = s.cfg.Timeout
	}
	if d <= 0 || d > MaxWait {
		d = defaultTimeout
	}
	return d
}

// call sends one query. interval is "" for none.
func (s *Source) call(ctx context.Context, text, interval string, wait time.Duration) (azlogs.QueryWorkspaceResponse, error) {
	if err := source.Wait(ctx, s.limiter, s.cfg.Name); err != nil {
		return azlogs.QueryWorkspaceResponse{}, err
	}
	body := azlogs.QueryBody{Query: &text, AdditionalWorkspaces: s.cfg.AdditionalWorkspaces}
	if interval != "" {
		ti := azlogs.TimeInterval(interval)
		body.Timespan = &ti
	}
	secs := int(wait.Seconds())
	if secs < 1 {
		secs = 1
	}
	resp, err := s.client.QueryWorkspace(ctx, s.cfg.WorkspaceID, body,
		&azlogs.QueryWorkspaceOptions{Options: &azlogs.QueryOptions{Wait: &secs}})
	if err != nil {
		return resp, azauth.ResponseError(ctx, s.cfg.Name, err)
	}
	return resp, nil
}

// run is one Query call, possibly split into several requests.
type run struct {
	s       *Source
	text    string
	rowWise bool
	wait    time.Duration
	res     *source.Result
}

// window runs the query over [start, end) (both zero: no timespan),
// halving the window when the service refuses it as too large.
func (r *run) window(ctx context.Context, start, end time.Time, depth int) (*rows.Set, error) {
	interval := ""
	if !start.IsZero() || !end.IsZero() {
		if end.IsZero() {
			end = time.Now().UTC()
		}
		interval = source.FormatInterval(start, end)
	}
	r.res.Stats.Requests++
	resp, err := r.s.call(ctx, r.text, interval, r.wait)
	var se *source.Error
	if err != nil && errors.As(err, &se) && se.Code == source.CodeBadQuery && exceeded(se.Msg) && r.canSplit(start, depth) {
		return r.split(ctx, start, end, depth)
	}
	if err != nil {
		return nil, err
	}
	set, partial, err := r.s.convert(resp.QueryResults, &r.res.Warnings)
	if err != nil {
		return nil, err
	}
	if len(partial) == 0 {
		return set, nil
	}
	tooBig := exceeded(strings.Join(partial, " "))
	if tooBig && r.canSplit(start, depth) {
		return r.split(ctx, start, end, depth)
	}
	return r.partial(set, partial, tooBig, interval == "")
}

func (r *run) canSplit(start time.Time, depth int) bool {
	max := r.s.cfg.MaxSplits
	if max == 0 {
		max = defaultSplits
	}
	return r.rowWise && !start.IsZero() && depth < max
}

func (r *run) split(ctx context.Context, start, end time.Time, depth int) (*rows.Set, error) {
	r.res.Stats.Splits++
	mid := start.Add(end.Sub(start) / 2)
	a, err := r.window(ctx, start, mid, depth+1)
	if err != nil {
		return nil, err
	}
	b, err := r.window(ctx, mid, end, depth+1)
	if err != nil {
		return nil, err
	}
	a.Rows = append(a.Rows, b.Rows...)
	a.Truncated = a.Truncated || b.Truncated
	return a, nil
}

// partial keeps a partial result as warnings, or fails when strict.
func (r *run) partial(set *rows.Set, msgs []string, tooBig, noWindow bool) (*rows.Set, error) {
	name := r.s.cfg.Name
	if r.s.cfg.Strict {
		e := source.Errorf(source.CodePartial, name, "set strict: false to accept partial results, or narrow the query",
			"the workspace returned a partial result: %s", strings.Join(msgs, "; "))
		if tooBig {
			e.Code = source.CodeLimit
		}
		return nil, e
	}
	for _, m := range msgs {
		r.res.Warnings = append(r.res.Warnings, "partial result: "+m)
	}
	if tooBig {
		set.Truncated = true
		hint := "the result exceeded the service's limits and is incomplete"
		switch {
		case !r.rowWise:
			hint += "; the query aggregates or sorts, so sleuth cannot split its window: narrow the window or the query"
		case noWindow:
			hint += "; give the query a time window so sleuth can split it"
		default:
			hint += "; even the smallest split window was refused: narrow the query"
		}
		r.res.Warnings = append(r.res.Warnings, hint)
	}
	return set, nil
}

// exceeded reports whether a service message says a limit was hit.
func exceeded(msg string) bool {
	m := strings.ToLower(msg)
	for _, k := range []string{"e_query_result_set_too_large", "e_low_memory_condition", "e_runaway_query", "exceeded", "too large"} {
		if strings.Contains(m, k) {
			return true
		}
	}
	return false
}

// convert reads the primary table of a response and the messages of a
// partial error. Further tables are reported, not dropped silently.
func (s *Source) convert(qr azlogs.QueryResults, warnings *[]string) (*rows.Set, []string, error) {
	var partial []string
	if qr.Error != nil {
		partial = partialMessages(qr.Error)
	}
	set := &rows.Set{}
	if len(qr.Tables) == 0 {
		if len(partial) > 0 {
			return set, partial, nil
		}
		return nil, nil, source.Errorf(source.CodeBadResponse, s.cfg.Name, "", "the response has no result table")
	}
	if len(qr.Tables) > 1 && warnings != nil {
		*warnings = append(*warnings, fmt.Sprintf("the workspace returned %d tables; sleuth uses the first (%s)", len(qr.Tables), deref(qr.Tables[0].Name)))
	}
	t := qr.Tables[0]
	for _, c := range t.Columns {
		set.Columns = append(set.Columns, rows.Column{Name: deref(c.Name), Type: source.ColumnType(string(deref(c.Type)))})
	}
	for i, r := range t.Rows {
		if len(r) != len(set.Columns) {
			return nil, nil, source.Errorf(source.CodeBadResponse, s.cfg.Name, "", "row %d has %d values for %d columns", i+1, len(r), len(set.Columns))
		}
		row := make([]any, len(r))
		for j, v := range r {
			x, err := source.FromJSON(set.Columns[j].Type, v)
			if err != nil {
				return nil, nil, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name,
					Msg: fmt.Sprintf("row %d, column %s", i+1, set.Columns[j].Name), Err: err}
			}
			row[j] = x
		}
		set.Rows = append(set.Rows, row)
	}
	return set, partial, nil
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

// partialMessages lists the specific messages of a partial error (its
// details' innermost messages), or its own message.
func partialMessages(e *azlogs.ErrorInfo) []string {
	raw := []byte(e.Error())
	msgs := detailMessages(raw)
	if len(msgs) == 0 {
		if m := source.ServiceMessage([]byte(`{"error":` + string(raw) + `}`)); m != "" {
			msgs = []string{m}
		} else {
			msgs = []string{e.Code}
		}
	}
	return msgs
}
