package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/adx"
	"github.com/sleuth-hunt/sleuth/internal/source/defender"
	"github.com/sleuth-hunt/sleuth/internal/source/elastic"
	"github.com/sleuth-hunt/sleuth/internal/source/embedded"
	"github.com/sleuth-hunt/sleuth/internal/source/sentinel"
)

// openSource opens the source a command runs on: "" or "embedded" is the
// embedded store (read-only), any other name an entry of the config's
// sources section. The caller closes it. Commands that take --source
// (query, detect, hunt) call this.
func (a *app) openSource(ctx context.Context, name string) (source.Source, error) {
	if name == "" || name == source.KindEmbedded {
		return a.openEmbedded(ctx)
	}
	cfg, err := a.loadSources()
	if err != nil {
		return nil, err
	}
	c, ok := cfg.Sources[name]
	if !ok {
		return nil, unknownSource(name, cfg)
	}
	return newSource(name, c, a.getenv)
}

// openEmbedded opens the store read-only as a source.
func (a *app) openEmbedded(ctx context.Context) (source.Source, error) {
	st, err := a.openStore(ctx, true)
	if err != nil {
		return nil, err
	}
	return embedded.New(st, true), nil
}

// loadSources reads the config for its sources section.
func (a *app) loadSources() (*config.Config, error) {
	cfg, _, err := config.Load(a.configPath)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

func unknownSource(name string, cfg *config.Config) error {
	names := append([]string{source.KindEmbedded}, cfg.SourceNames()...)
	return &source.Error{Code: source.CodeConfig, Msg: fmt.Sprintf("no source named %q", name),
		Hint: "the sources are " + strings.Join(names, ", ") + "; add one under sources: in the config (see docs/SOURCES.md)"}
}

// newSource builds a configured source without contacting it.
func newSource(name string, c config.Source, getenv func(string) string) (source.Source, error) {
	client, err := caClient(c)
	if err != nil {
		return nil, err
	}
	switch c.Type {
	case config.SourceSentinel:
		cfg, err := sentinel.FromConfig(name, c, getenv)
		if err != nil {
			return nil, err
		}
		cfg.HTTPClient = client
		return sentinel.New(cfg)
	case config.SourceDefender:
		cfg, err := defender.FromConfig(name, c, getenv)
		if err != nil {
			return nil, err
		}
		cfg.HTTPClient = client
		return defender.New(cfg)
	case config.SourceADX:
		cfg, err := adx.FromConfig(name, c, getenv)
		if err != nil {
			return nil, err
		}
		cfg.HTTPClient = client
		return adx.New(cfg)
	case config.SourceElastic:
		cfg, err := elastic.FromConfig(name, c, getenv)
		if err != nil {
			return nil, err
		}
		return elastic.New(cfg)
	}
	return nil, c.Validate(name)
}

// caClient is an HTTP client that also trusts the source's ca_cert, for
// the Azure sources (Elasticsearch's client takes the certificate
// itself); nil means the SDK's default client.
func caClient(c config.Source) (*http.Client, error) {
	if c.CACert == "" || c.Type == config.SourceElastic {
		return nil, nil
	}
	pem, err := os.ReadFile(c.CACert)
	if err != nil {
		return nil, &config.Error{Path: "ca_cert", Msg: err.Error()}
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &config.Error{Path: c.CACert, Msg: "no PEM certificate in the file"}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
}

// sourceRow describes a configured source for sleuth sources, from the
// config alone: no network, no secrets.
type sourceRow struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Endpoint string `json:"endpoint"`
	Auth     string `json:"auth"`
	Notes    string `json:"notes"`
}

func (a *app) describeSources(cfg *config.Config) []sourceRow {
	out := []sourceRow{{Name: source.KindEmbedded, Type: source.KindEmbedded, Endpoint: a.dbPath, Auth: "local file", Notes: "the default"}}
	for _, name := range cfg.SourceNames() {
		out = append(out, describe(name, cfg.Sources[name], a.getenv))
	}
	return out
}

func describe(name string, c config.Source, getenv func(string) string) sourceRow {
	r := sourceRow{Name: name, Type: c.Type}
	switch c.Type {
	case config.SourceSentinel:
		if cfg, err := sentinel.FromConfig(name, c, getenv); err == nil {
			r.Endpoint = orDefault(cfg.URL, sentinel.DefaultAPI) + " workspace " + cfg.WorkspaceID
			r.Auth = cfg.Auth.Method()
			if n := len(cfg.AdditionalWorkspaces); n > 0 {
				r.Notes = fmt.Sprintf("%d additional workspaces", n)
			}
		}
	case config.SourceDefender:
		if cfg, err := defender.FromConfig(name, c, getenv); err == nil {
			r.Endpoint = orDefault(strings.TrimSuffix(cfg.URL, "/v1.0"), defender.DefaultGraph) + "/v1.0/security/runHuntingQuery"
			r.Auth = cfg.Auth.Method()
		}
	case config.SourceADX:
		if cfg, err := adx.FromConfig(name, c, getenv); err == nil {
			r.Endpoint = cfg.Cluster + " database " + cfg.Database
			r.Auth = cfg.Auth.Method()
		}
	case config.SourceElastic:
		if cfg, err := elastic.FromConfig(name, c, getenv); err == nil {
			r.Endpoint = cfg.URL
			r.Auth = cfg.Method()
			tables := make([]string, 0, len(cfg.Indices))
			for t := range cfg.Indices {
				tables = append(tables, t)
			}
			sort.Strings(tables)
			r.Notes = "tables: " + strings.Join(tables, ", ")
		}
	}
	if err := c.Validate(name); err != nil {
		r.Notes = "invalid: " + err.Error()
	}
	if c.Strict {
		r.Notes = strings.TrimPrefix(r.Notes+"; strict", "; ")
	}
	return r
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return strings.TrimRight(s, "/")
}

// queryOnSource is sleuth query --source NAME: the query is checked
// against the source's own catalog and runs there; its warnings (partial
// results, truncation) are printed as notices on stderr.
func (a *app) queryOnSource(ctx context.Context, cmd *ucli.Command, name string) error {
	text, err := a.querySource(cmd)
	if err != nil {
		return err
	}
	if cmd.Bool("explain") {
		return usagef("with --source, --verbose logs the text sent to the source", "--explain shows the embedded store's SQL and does not combine with --source")
	}
	maxRows := int(cmd.Int("max-rows"))
	if maxRows < 0 {
		return usagef("use a positive number, or 0 for no cap", "bad --max-rows %d", maxRows)
	}
	if strings.TrimSpace(text) == "" {
		return usagef("run 'sleuth query --help' for examples", "the query is empty")
	}
	q, err := kql.Parse(text)
	if err != nil {
		return a.queryErrors(text, err)
	}
	ctx, cancel := context.WithTimeout(ctx, cmd.Duration("timeout"))
	defer cancel()
	src, err := a.openSource(ctx, name)
	if err != nil {
		return err
	}
	defer src.Close()
	if cmd.Bool("check") {
		cat, err := src.Catalog(ctx)
		if err != nil {
			return err
		}
		if _, err := check.Check(q, check.Options{Catalog: cat, Now: a.now}); err != nil {
			return a.queryErrors(text, err)
		}
		return nil
	}
	res, err := src.Query(ctx, q, source.Options{Now: a.now, MaxRows: maxRows, Timeout: cmd.Duration("timeout")})
	if err != nil {
		return a.queryErrors(text, err)
	}
	a.log.Debug("query sent", "source", name, "text", res.Text, "requests", res.Stats.Requests, "elapsed", res.Stats.Elapsed)
	for _, w := range res.Warnings {
		fmt.Fprintf(a.stderr, "sleuth: notice: %s\n", w)
	}
	return writeSet(a.stdout, cmd.String("format"), res.Set)
}

// queryErrors prints query errors (syntax, check, ES|QL refusals) with
// their line and a caret, exit 3; other errors pass through.
func (a *app) queryErrors(text string, err error) error {
	var list kql.ErrorList
	var one *kql.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = kql.ErrorList{one}
	default:
		return err
	}
	for _, e := range list {
		fmt.Fprintln(a.stderr, e.Format(text))
	}
	if list.ErrorCode() == kql.CodeInternal {
		return silentExit(ExitInternal)
	}
	return silentExit(ExitQuery)
}
