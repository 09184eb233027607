package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

const queryHelp = `Runs a KQL query on the embedded store and prints the rows.

The query is checked against the catalog first: unknown tables, columns and
functions are reported with their line and column and a suggestion. Relative
times (ago(1d), now()) are measured from --now when it is given.

Examples:
  sleuth query 'SigninLogs | where ResultType != "0" | summarize count() by UserPrincipalName'
  sleuth query --format json 'DeviceProcessEvents | where ProcessCommandLine has_any ("whoami", "mimikatz") | take 20'
  sleuth query --now 2024-05-01T12:00:00Z 'SecurityEvent | where TimeGenerated > ago(1d) | count'
  sleuth query --file hunt.kql --format csv > hunt.csv
  echo 'Syslog | take 5' | sleuth query -
  sleuth query --explain 'SigninLogs | summarize arg_max(TimeGenerated, *) by UserPrincipalName'
  sleuth query --check --file hunt.kql     # exit 0 when the query is valid, 3 otherwise`

func (a *app) queryCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "query",
		Usage:       "run a KQL query on the embedded store",
		UsageText:   "sleuth query [flags] 'KQL' | -\n   sleuth query [flags] --file FILE",
		Description: queryHelp,
		Flags: []ucli.Flag{
			formatFlag(),
			&ucli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "read the query from `FILE`"},
			&ucli.BoolFlag{Name: "explain", Usage: "print the SQL the query compiles to instead of running it"},
			&ucli.BoolFlag{Name: "check", Usage: "only parse and check the query: exit 0 when it is valid, 3 otherwise"},
			&ucli.IntFlag{Name: "max-rows", Value: 10000, Usage: "print at most `N` rows (0 for all)"},
			&ucli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "stop the query after `DURATION`"},
			&ucli.StringFlag{Name: "source", Usage: "run on the configured source `NAME` instead of the embedded store ('sleuth sources' lists them)"},
		},
		Action: a.runQuery,
	}
}

func (a *app) runQuery(ctx context.Context, cmd *ucli.Command) error {
	if name := cmd.String("source"); name != "" && name != "embedded" {
		return a.queryOnSource(ctx, cmd, name)
	}
	src, err := a.querySource(cmd)
	if err != nil {
		return err
	}
	maxRows := int(cmd.Int("max-rows"))
	if maxRows < 0 {
		return usagef("use a positive number, or 0 for no cap", "bad --max-rows %d", maxRows)
	}
	res, err := a.compileQuery(src)
	if err != nil {
		return err
	}
	for _, n := range res.Notices {
		fmt.Fprintf(a.stderr, "sleuth: notice: %s\n", n)
	}
	switch {
	case cmd.Bool("check"):
		return nil
	case cmd.Bool("explain"):
		_, err := fmt.Fprintln(a.stdout, res.Explain)
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cmd.Duration("timeout"))
	defer cancel()
	st, err := a.queryStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	set, err := st.Query(ctx, res.SQL, maxRows)
	if err != nil {
		return queryRunError(err)
	}
	if err := writeSet(a.stdout, cmd.String("format"), set); err != nil {
		return err
	}
	if set.Truncated {
		fmt.Fprintf(a.stderr, "sleuth: notice: showing the first %d rows; the query returned more (raise --max-rows, or 0 for all)\n", maxRows)
	}
	return nil
}

// querySource reads the query from the argument, stdin (-) or --file.
func (a *app) querySource(cmd *ucli.Command) (string, error) {
	file := cmd.String("file")
	args := cmd.Args().Slice()
	switch {
	case file != "" && len(args) > 0:
		return "", usagef("pass the query as an argument or with --file, not both", "too many queries")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", withCode("usage", "check the path given to --file", err)
		}
		return string(b), nil
	case len(args) == 0:
		return "", usagef("run 'sleuth query --help' for examples", "no query given")
	case len(args) > 1:
		return "", usagef("quote the query: sleuth query 'T | take 10'", "expected one query argument, found %d", len(args))
	case args[0] == "-":
		b, err := io.ReadAll(a.stdin)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
	return args[0], nil
}

// compileQuery parses, checks and compiles. Query errors are printed to
// stderr, each with its line and a caret under the spot, and end the
// command with exit code 3.
func (a *app) compileQuery(src string) (*duckdb.Result, error) {
	if strings.TrimSpace(src) == "" {
		return nil, usagef("run 'sleuth query --help' for examples", "the query is empty")
	}
	q, err := kql.Parse(src)
	if err == nil {
		var ch *check.Checked
		ch, err = check.Check(q, check.Options{Now: a.now})
		if err == nil {
			return duckdb.Compile(ch, duckdb.Options{})
		}
	}
	var list kql.ErrorList
	var one *kql.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = kql.ErrorList{one}
	default:
		return nil, err
	}
	for _, e := range list {
		fmt.Fprintln(a.stderr, e.Format(src))
	}
	code := ExitQuery
	if list.ErrorCode() == kql.CodeInternal {
		code = ExitInternal
	}
	return nil, silentExit(code)
}

// queryStore opens the store read-only. Before anything has been ingested
// there is no store file; the query then runs on empty catalog tables, so
// that queries over datatable, print and range work anywhere.
func (a *app) queryStore(ctx context.Context) (*store.Store, error) {
	if !a.storeExists() {
		fmt.Fprintf(a.stderr, "sleuth: notice: there is no store at %s yet; querying empty tables (fill it with 'sleuth lab generate' or 'sleuth ingest')\n", a.dbPath)
		return store.Open(ctx, ":memory:", store.Options{InitSQL: a.storeInitSQL()})
	}
	return a.openStore(ctx, true)
}

// queryRunError maps a failure while running: DuckDB refusing SQL the
// compiler produced from a checked query is a sleuth bug (kql.internal).
func queryRunError(err error) error {
	var se *store.Error
	if errors.As(err, &se) && se.Code == "store.query" {
		msg := err.Error()
		for _, kind := range []string{"Binder Error", "Parser Error", "Catalog Error", "Not implemented Error"} {
			if strings.Contains(msg, kind) {
				return &kql.Error{Code: kql.CodeInternal, Msg: "the store rejected the compiled query: " + msg,
					Hint: "this is a bug in sleuth; please report it with the query (sleuth query --explain shows the SQL)"}
			}
		}
	}
	return err
}
