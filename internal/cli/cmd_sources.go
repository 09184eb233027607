package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

const sourcesHelp = `Lists where hunts can run: the embedded store (the default) and the
sources named under sources: in the config — Microsoft Sentinel (Log
Analytics) workspaces, Defender XDR advanced hunting, Azure Data Explorer
databases and Elasticsearch clusters. Nothing is contacted and no secret is
shown: the auth column says where the credential comes from.

'sleuth sources test NAME' checks a source end to end: the credential, schema
discovery (which catalog tables exist there) and a one-row query over the
last day, each with its time.

Examples:
  sleuth sources
  sleuth sources --format json | jq -r '.[].name'
  sleuth sources test prod
  SLEUTH_LA_URL=https://127.0.0.1:8443 SLEUTH_AZURE_TOKEN=… sleuth sources test prod

Endpoints can be overridden with SLEUTH_LA_URL, SLEUTH_GRAPH_URL,
SLEUTH_ADX_URL and SLEUTH_ES_URL; a bearer token with SLEUTH_AZURE_TOKEN and
an Elasticsearch API key with SLEUTH_ES_API_KEY. See docs/SOURCES.md.`

func (a *app) sourcesCmd() *ucli.Command {
	return &ucli.Command{
		Name:         "sources",
		Usage:        "list the places hunts can run, or test one",
		UsageText:    "sleuth sources [--format table|json|ndjson|csv]\nsleuth sources test NAME [--timeout 2m] [--format …]",
		Description:  sourcesHelp,
		OnUsageError: onUsageError,
		Flags:        []ucli.Flag{formatFlag()},
		Commands:     []*ucli.Command{a.sourcesTestCmd()},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			if cmd.Args().Present() {
				return usagef("run 'sleuth sources' to list, or 'sleuth sources test NAME'", "unexpected argument %q", cmd.Args().First())
			}
			cfg, err := a.loadSources()
			if err != nil {
				return err
			}
			list := a.describeSources(cfg)
			for _, r := range list {
				if strings.HasPrefix(r.Notes, "invalid: ") {
					fmt.Fprintf(a.stderr, "sleuth: source %s is not usable: %s\n", r.Name, strings.TrimPrefix(r.Notes, "invalid: "))
				}
			}
			return writeSet(a.stdout, cmd.String("format"), sourcesSet(list))
		},
	}
}

func sourcesSet(list []sourceRow) *rows.Set {
	set := &rows.Set{}
	for _, n := range []string{"name", "type", "endpoint", "auth", "notes"} {
		set.Columns = append(set.Columns, rows.Column{Name: n, Type: catalog.String})
	}
	for _, r := range list {
		set.Rows = append(set.Rows, []any{r.Name, r.Type, r.Endpoint, r.Auth, r.Notes})
	}
	return set
}

func (a *app) sourcesTestCmd() *ucli.Command {
	return &ucli.Command{
		Name:         "test",
		Usage:        "check a source's credential, schema discovery and a trivial query",
		UsageText:    "sleuth sources test NAME [--timeout 2m] [--format table|json|ndjson|csv]",
		Description:  sourcesHelp,
		OnUsageError: onUsageError,
		Flags: []ucli.Flag{
			formatFlag(),
			&ucli.DurationFlag{Name: "timeout", Value: 2 * time.Minute, Usage: "give up on each step after `DURATION`"},
		},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("name one source; 'sleuth sources' lists them", "sleuth sources test takes one source name")
			}
			steps, err := a.testSource(ctx, cmd.Args().First(), cmd.Duration("timeout"))
			if werr := writeSet(a.stdout, cmd.String("format"), stepsSet(steps)); werr != nil {
				return werr
			}
			return err
		},
	}
}

// step is one stage of sleuth sources test.
type step struct {
	name    string
	ok      bool
	elapsed time.Duration
	detail  string
}

func stepsSet(steps []step) *rows.Set {
	set := &rows.Set{Columns: []rows.Column{{Name: "step", Type: catalog.String}, {Name: "status", Type: catalog.String},
		{Name: "elapsed_ms", Type: catalog.Long}, {Name: "detail", Type: catalog.String}}}
	for _, s := range steps {
		status := "ok"
		if !s.ok {
			status = "failed"
		}
		set.Rows = append(set.Rows, []any{s.name, status, s.elapsed.Milliseconds(), s.detail})
	}
	return set
}

// testSource runs the steps in order and stops at the first failure,
// whose error it returns.
func (a *app) testSource(ctx context.Context, name string, timeout time.Duration) ([]step, error) {
	var steps []step
	run := func(name string, fn func(context.Context) (string, error)) error {
		sctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		began := time.Now()
		detail, err := fn(sctx)
		s := step{name: name, ok: err == nil, elapsed: time.Since(began), detail: detail}
		if err != nil {
			s.detail = err.Error()
		}
		steps = append(steps, s)
		return err
	}
	var src source.Source
	err := run("config", func(ctx context.Context) (string, error) {
		var err error
		src, err = a.openSource(ctx, name)
		if err != nil {
			return "", err
		}
		return src.Kind() + " at " + src.Endpoint(), nil
	})
	if err != nil {
		return steps, err
	}
	defer src.Close()
	if au, ok := src.(source.Authenticator); ok {
		detail := "got a token (the service checks it in the next steps)"
		if src.Kind() == source.KindElastic {
			detail = "the cluster accepted the credential"
		}
		if err := run("auth", func(ctx context.Context) (string, error) { return detail, au.Authenticate(ctx) }); err != nil {
			return steps, err
		}
	}
	var cat *catalog.Catalog
	if err := run("schema", func(ctx context.Context) (string, error) {
		var err error
		cat, err = src.Catalog(ctx)
		if err != nil {
			return "", err
		}
		return schemaDetail(ctx, src, cat), nil
	}); err != nil {
		return steps, err
	}
	err = run("query", func(ctx context.Context) (string, error) { return a.trivialQuery(ctx, src, cat) })
	return steps, err
}

func schemaDetail(ctx context.Context, src source.Source, cat *catalog.Catalog) string {
	names := cat.Names()
	d := fmt.Sprintf("%d tables", len(names))
	if len(names) > 0 {
		shown := names
		if len(shown) > 5 {
			shown = append(append([]string(nil), shown[:5]...), "…")
		}
		d += ": " + strings.Join(shown, ", ")
	}
	if dis, ok := src.(source.Discoverer); ok {
		if b, err := dis.Discover(ctx); err == nil && len(b.Skipped) > 0 {
			d += "; left out: " + strings.Join(b.Skipped, "; ")
		}
	}
	return d
}

// trivialQuery reads one row of one table over the last day: the
// smallest query that exercises the query path, the window and the cap.
func (a *app) trivialQuery(ctx context.Context, src source.Source, cat *catalog.Catalog) (string, error) {
	table := pickTable(cat)
	if table == "" {
		return "", &source.Error{Code: source.CodeNotFound, Source: src.Name(), Msg: "the source has none of the catalog's tables",
			Hint: "check the workspace, database or index mapping; 'sleuth tables' lists the catalog"}
	}
	q := kql.NewQuery(kql.Statement(kql.Pipe(kql.Name(table), kql.Take(1))))
	res, err := src.Query(ctx, q, source.Options{Now: a.now, Start: a.now.Add(-24 * time.Hour), End: a.now})
	if err != nil {
		return "", err
	}
	d := fmt.Sprintf("%d row from %s in the last day", len(res.Set.Rows), table)
	if len(res.Set.Rows) == 0 {
		d = fmt.Sprintf("no rows from %s in the last day (the source answered)", table)
	}
	if len(res.Warnings) > 0 {
		d += "; warnings: " + strings.Join(res.Warnings, "; ")
	}
	return d, nil
}

// pickTable prefers tables every tenant tends to have.
func pickTable(cat *catalog.Catalog) string {
	for _, t := range []string{"SigninLogs", "SecurityEvent", "DeviceProcessEvents", "AuditLogs"} {
		if _, ok := cat.Table(t); ok {
			return t
		}
	}
	names := cat.Names()
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}
