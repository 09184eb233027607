// Package elastic runs hunts on Elasticsearch: KQL is compiled to ES|QL
// (package kql/esql) and sent to POST /_query. Each catalog table lives in
// an index pattern named in the config, with optional renames of fields
// whose names differ from the catalog's (ECS's @timestamp for
// TimeGenerated, …). The schema comes from the indices' _mapping.
//
// Only the esapi and elastictransport packages of the official client are
// imported: its root package pulls in the typed API, a 100-second build.
package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/elastic/go-elasticsearch/v9/esapi"
	"golang.org/x/time/rate"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/esql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

const defaultTimeout = 5 * time.Minute

// Config configures an Elasticsearch source.
type Config struct {
	Name string
	// URL is the cluster (SLEUTH_ES_URL overrides it).
	URL string
	// APIKey (SLEUTH_ES_API_KEY, or the variable api_key_env names) wins
	// over Username and Password.
	APIKey    string
	APIKeyEnv string
	Username  string
	Password  string
	// CACert is the PEM of the authority that signed the cluster's certificate.
	CACert []byte
	// Indices maps catalog tables to index patterns; Fields maps, per
	// table, catalog columns to differently named fields.
	Indices map[string]string
	Fields  map[string]map[string]string
	Strict  bool
	// MaxRows caps a query (default and ceiling esql.MaxLimit).
	MaxRows       int
	Timeout       time.Duration
	RatePerMinute float64
	MaxRetries    int
	MaxRetryDelay time.Duration
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
	// Sleep replaces the wait before a retry (tests).
	Sleep func(context.Context, time.Duration) error
	Base  *catalog.Catalog
}

// FromConfig reads an elastic entry of the config file.
func FromConfig(name string, c config.Source, getenv func(string) string) (Config, error) {
	if err := c.Validate(name); err != nil {
		return Config{}, err
	}
	cfg := Config{Name: name, URL: c.URL, Indices: c.Indices, Fields: c.Fields, Strict: c.Strict, MaxRows: c.MaxRows,
		RatePerMinute: c.RatePerMinute, MaxRetries: c.MaxRetries, Username: c.Username, APIKey: c.APIKey}
	if u := getenv("SLEUTH_ES_URL"); u != "" {
		cfg.URL = u
	}
	cfg.APIKeyEnv = c.APIKeyEnv
	if cfg.APIKeyEnv == "" {
		cfg.APIKeyEnv = "SLEUTH_ES_API_KEY"
	}
	if k := getenv(cfg.APIKeyEnv); k != "" {
		cfg.APIKey = k
	}
	if c.PasswordEnv != "" {
		cfg.Password = getenv(c.PasswordEnv)
	}
	if c.Timeout != "" {
		cfg.Timeout, _ = time.ParseDuration(c.Timeout)
	}
	if c.CACert != "" {
		b, err := os.ReadFile(c.CACert)
		if err != nil {
			return Config{}, &config.Error{Path: "sources." + name + ".ca_cert", Msg: err.Error()}
		}
		cfg.CACert = b
	}
	return cfg, nil
}

// Method describes the authentication, without secrets.
func (c Config) Method() string {
	switch {
	case c.APIKey != "":
		return "API key from " + c.APIKeyEnv
	case c.Username != "":
		return "basic authentication as " + c.Username
	}
	return "none"
}

// Source is an Elasticsearch cluster.
type Source struct {
	cfg     Config
	client  *elastictransport.Client
	retrier *source.Retrier
	limiter *rate.Limiter
	cache   source.CatalogCache
	objects map[string][]string // per table, the columns that are object fields
	nonText map[string][]string // per table, string columns of a non-text type (ip, …)
}

// New builds an Elasticsearch source. It does not contact the cluster.
func New(cfg Config) (*Source, error) {
	if cfg.Base == nil {
		cfg.Base = catalog.Default()
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, source.Errorf(source.CodeConfig, cfg.Name, "set url to the cluster, such as https://localhost:9200", "bad cluster URL %q", cfg.URL)
	}
	if len(cfg.Indices) == 0 {
		return nil, source.Errorf(source.CodeConfig, cfg.Name, "map tables to index patterns under indices:", "no indices configured")
	}
	opts := []elastictransport.Option{elastictransport.WithURLs(u), elastictransport.WithDisableRetry()}
	switch {
	case cfg.APIKey != "":
		opts = append(opts, elastictransport.WithAPIKey(cfg.APIKey))
	case cfg.Username != "":
		opts = append(opts, elastictransport.WithBasicAuth(cfg.Username, cfg.Password))
	}
	if len(cfg.CACert) > 0 {
		opts = append(opts, elastictransport.WithCACert(cfg.CACert))
	}
	if cfg.Transport != nil {
		opts = append(opts, elastictransport.WithTransport(cfg.Transport))
	}
	client, err := elastictransport.NewClient(opts...)
	if err != nil {
		return nil, &source.Error{Code: source.CodeConfig, Source: cfg.Name, Msg: "cannot create the Elasticsearch client", Err: err}
	}
	return &Source{cfg: cfg, client: client, limiter: source.Limiter(cfg.RatePerMinute),
		retrier: &source.Retrier{Name: cfg.Name, MaxRetries: cfg.MaxRetries, MaxDelay: cfg.MaxRetryDelay, Sleep: cfg.Sleep}}, nil
}

// Name implements source.Source.
func (s *Source) Name() string { return s.cfg.Name }

// Kind implements source.Source.
func (s *Source) Kind() string { return source.KindElastic }

// Endpoint implements source.Source.
func (s *Source) Endpoint() string { return s.cfg.URL }

// Close implements source.Source.
func (s *Source) Close() error { return nil }

// Authenticate asks the cluster who it is; a bad key or password is a 401.
func (s *Source) Authenticate(ctx context.Context) error {
	_, err := s.do(ctx, func(ctx context.Context) (*esapi.Response, error) {
		return esapi.InfoRequest{}.Do(ctx, s.client)
	})
	return err
}

// do sends a request through the rate limit and the retrier, and returns
// the body of a 2xx answer or an error for any other.
func (s *Source) do(ctx context.Context, send func(context.Context) (*esapi.Response, error)) (*source.Reply, error) {
	if err := source.Wait(ctx, s.limiter, s.cfg.Name); err != nil {
		return nil, err
	}
	rep, _, err := s.retrier.Do(ctx, func(ctx context.Context) (*source.Reply, error) {
		res, err := send(ctx)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			return nil, err
		}
		return &source.Reply{Status: res.StatusCode, Header: res.Header, Body: body}, nil
	})
	if err != nil {
		return nil, source.TransportError(ctx, s.cfg.Name, err)
	}
	if rep.Status/100 != 2 {
		e := source.HTTPError(s.cfg.Name, rep.Status, rep.Header, source.ServiceMessage(rep.Body))
		if e.Code == source.CodeForbidden {
			e.Hint = "the API key or user needs the read privilege on the configured indices (and view_index_metadata for discovery)"
		}
		return nil, e
	}
	return rep, nil
}

// Catalog implements source.Source.
func (s *Source) Catalog(ctx context.Context) (*catalog.Catalog, error) {
	b, err := s.Discover(ctx)
	if err != nil {
		return nil, err
	}
	return b.Catalog, nil
}

// Discover implements source.Discoverer: each configured table's columns
// from its index pattern's mapping.
func (s *Source) Discover(ctx context.Context) (*source.Built, error) {
	return s.cache.Get(ctx, s.discover)
}

func (s *Source) discover(ctx context.Context) (*source.Built, error) {
	found := source.Schema{}
	objects, nonText := map[string][]string{}, map[string][]string{}
	var skipped []string
	tables := make([]string, 0, len(s.cfg.Indices))
	for t := range s.cfg.Indices {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fields, err := s.mapping(ctx, s.cfg.Indices[t])
		if err != nil {
			return nil, err
		}
		if len(fields) == 0 {
			skipped = append(skipped, fmt.Sprintf("%s: no index matches %q", t, s.cfg.Indices[t]))
			continue
		}
		found[t], objects[t] = s.columns(t, fields)
		nonText[t] = s.nonTextColumns(t, fields)
	}
	b, err := source.BuildCatalog(s.cfg.Base, found, source.BuildOptions{Origin: "Elasticsearch " + s.cfg.URL})
	if err != nil {
		return nil, err
	}
	for i, r := range b.Skipped {
		if strings.Contains(r, "TimeGenerated") {
			b.Skipped[i] = r + " (map it to the index's time field, such as fields: {" + strings.Fields(r)[0] + ": {TimeGenerated: \"@timestamp\"}})"
		}
	}
	b.Skipped = append(skipped, b.Skipped...)
	s.objects, s.nonText = objects, nonText
	return b, nil
}

// textTypes are the Elasticsearch types the ES|QL string functions take.
var textTypes = map[string]bool{"keyword": true, "text": true, "match_only_text": true, "wildcard": true, "constant_keyword": true}

// nonTextColumns lists a table's string columns whose field is of another
// type (ip, version): the compiler converts them before string functions.
func (s *Source) nonTextColumns(table string, fields map[string]field) []string {
	var out []string
	for col, f := range s.fieldsOf(table, fields) {
		if !f.object && f.kql() == catalog.String && !textTypes[f.esType] {
			out = append(out, col)
		}
	}
	sort.Strings(out)
	return out
}

// fieldsOf maps each column name of a table to its field.
func (s *Source) fieldsOf(table string, fields map[string]field) map[string]field {
	out := map[string]field{}
	for name, f := range fields {
		out[name] = f
	}
	for col, name := range s.cfg.Fields[table] {
		if f, ok := fields[name]; ok {
			out[col] = f
		}
	}
	return out
}

// columns picks a table's columns from an index's fields: for a catalog
// table, its columns that exist there (by their own name or the renamed
// field), in catalog order; for another table, every field.
func (s *Source) columns(table string, fields map[string]field) ([]catalog.Column, []string) {
	rename := s.cfg.Fields[table]
	esName := func(col string) string {
		if f, ok := rename[col]; ok {
			return f
		}
		return col
	}
	var cols []catalog.Column
	var objects []string
	add := func(name string, f field) {
		cols = append(cols, catalog.Column{Name: name, Type: f.kql()})
		if f.object {
			objects = append(objects, name)
		}
	}
	if bt, ok := s.cfg.Base.Table(table); ok {
		for _, c := range bt.Columns {
			if f, ok := fields[esName(c.Name)]; ok {
				add(c.Name, f)
			}
		}
		return cols, objects
	}
	mapped := map[string]string{} // field → column, for renamed fields
	for col, f := range rename {
		mapped[f] = col
	}
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if col, ok := mapped[n]; ok {
			add(col, fields[n])
		} else if !strings.Contains(n, ".") || !fields[parent(n)].object {
			add(n, fields[n])
		}
	}
	return cols, objects
}

func parent(n string) string {
	if i := strings.LastIndexByte(n, '.'); i > 0 {
		return n[:i]
	}
	return ""
}

// Query implements source.Source.
func (s *Source) Query(ctx context.Context, q *kql.Query, opt source.Options) (*source.Result, error) {
	began := time.Now()
	def := s.cfg.Timeout
	if def <= 0 {
		def = defaultTimeout
	}
	ctx, cancel := source.Timeout(ctx, opt, def)
	defer cancel()
	b, err := s.Discover(ctx)
	if err != nil {
		return nil, err
	}
	hard := esql.MaxLimit
	if s.cfg.MaxRows > 0 && s.cfg.MaxRows < hard {
		hard = s.cfg.MaxRows
	}
	p, err := source.Prepare(q, opt, source.PrepareOptions{Catalog: b.Catalog, Window: true, HardLimit: hard})
	if err != nil {
		return nil, err
	}
	copt := esql.Options{Indices: s.cfg.Indices, Fields: s.cfg.Fields, Objects: s.objects, NonText: s.nonText, Limit: p.Fetch}
	// Compile the caller's query first, so that a refusal points into
	// their text rather than into the rewritten one.
	if _, err := esql.Compile(p.Original, copt); err != nil {
		return nil, err
	}
	compiled, err := esql.Compile(p.Checked, copt)
	if err != nil {
		return nil, err
	}
	res := &source.Result{Text: compiled.Text, Warnings: mergeNotices(p.Warnings, compiled.Notices)}
	set, err := s.run(ctx, compiled.Text, res)
	if err != nil {
		return nil, err
	}
	p.Cap(set, &res.Warnings)
	res.Set = set
	res.Stats.Rows, res.Stats.Elapsed = len(set.Rows), time.Since(began)
	return res, nil
}

func mergeNotices(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, n := range b {
		dup := false
		for _, x := range out {
			dup = dup || x == n
		}
		if !dup {
			out = append(out, n)
		}
	}
	return out
}

// esqlResponse is the JSON answer of POST /_query.
type esqlResponse struct {
	Columns   []struct{ Name, Type string } `json:"columns"`
	Values    [][]json.RawMessage           `json:"values"`
	IsPartial bool                          `json:"is_partial"`
}

// run sends the ES|QL query and reads the answer.
func (s *Source) run(ctx context.Context, text string, res *source.Result) (*rows.Set, error) {
	body, err := json.Marshal(map[string]any{"query": text})
	if err != nil {
		return nil, err
	}
	partial := !s.cfg.Strict
	rep, err := s.do(ctx, func(ctx context.Context) (*esapi.Response, error) {
		res.Stats.Requests++
		return esapi.EsqlQueryRequest{Body: bytes.NewReader(body), AllowPartialResults: &partial}.Do(ctx, s.client)
	})
	if err != nil {
		return nil, err
	}
	var er esqlResponse
	if err := json.Unmarshal(rep.Body, &er); err != nil {
		return nil, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the ES|QL answer", Err: err}
	}
	for _, w := range rep.Header.Values("Warning") {
		res.Warnings = append(res.Warnings, warningText(w))
	}
	if er.IsPartial {
		res.Warnings = append(res.Warnings, "partial result: some shards or clusters failed; the rows are incomplete")
	}
	set, err := toSet(er)
	if err != nil {
		return nil, &source.Error{Code: source.CodeBadResponse, Source: s.cfg.Name, Msg: "cannot read the ES|QL answer", Err: err}
	}
	if er.IsPartial {
		set.Truncated = true
	}
	return set, nil
}

// warningText extracts the text of an HTTP Warning header:
// 299 Elasticsearch-9.1.0-abc "Line 1:42: evaluation of [...] failed".
func warningText(h string) string {
	if i := strings.IndexByte(h, '"'); i >= 0 {
		if j := strings.LastIndexByte(h, '"'); j > i {
			return strings.ReplaceAll(h[i+1:j], `\"`, `"`)
		}
	}
	return h
}

// toSet converts the answer's rows. A column whose values include arrays
// (a multi-valued field, or VALUES) becomes dynamic, holding the arrays.
func toSet(er esqlResponse) (*rows.Set, error) {
	set := &rows.Set{}
	types := make([]catalog.Type, len(er.Columns))
	for i, c := range er.Columns {
		types[i] = source.ColumnType(c.Type)
		set.Columns = append(set.Columns, rows.Column{Name: c.Name, Type: types[i]})
	}
	for i, raw := range er.Values {
		row := make([]any, len(set.Columns))
		for j := range set.Columns {
			if j >= len(raw) {
				break
			}
			v, multi, err := value(raw[j], types[j])
			if err != nil {
				return nil, fmt.Errorf("row %d, column %s: %w", i+1, set.Columns[j].Name, err)
			}
			if multi {
				set.Columns[j].Type = catalog.Dynamic
			}
			row[j] = v
		}
		set.Rows = append(set.Rows, row)
	}
	return set, nil
}

// value converts one value; multi reports an array of values.
func value(raw json.RawMessage, t catalog.Type) (v any, multi bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false, err
	}
	if arr, ok := v.([]any); ok {
		return arr, true, nil
	}
	v, err = source.FromJSON(t, v)
	return v, false, err
}
