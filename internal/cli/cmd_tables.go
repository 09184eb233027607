package cli

import (
	"context"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/suggest"
)

const tablesHelp = `Lists the tables sleuth knows (the Log Analytics flavour of Microsoft
Sentinel and Defender XDR tables) with the rows the store holds in each and
their number of columns. Without a store yet, every count is zero and a
notice on stderr says how to get data.

Examples:
  sleuth tables                          # every table, with row counts
  sleuth tables --non-empty              # only what has data
  sleuth tables --format json | jq '.[] | select(.rows > 0) | .name'
  sleuth schema DeviceProcessEvents      # then look at one table's columns`

const schemaHelp = `Shows a table's columns: KQL type, entity role and a one-line description.
Roles (time, host, user, ip, process, file, url, hash) are what pivots and
entity extraction use, so they say which columns name the same kind of thing
across tables. Table names are case-sensitive, as in KQL.

Examples:
  sleuth schema SigninLogs
  sleuth schema SecurityEvent --format csv > SecurityEvent.csv
  sleuth schema DeviceNetworkEvents --format json | jq -r '.[] | select(.role == "ip") | .name'`

func (a *app) tablesCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "tables",
		Usage:       "list the catalog's tables with their row counts",
		UsageText:   "sleuth tables [--non-empty] [--format table|json|ndjson|csv]",
		Description: tablesHelp,
		// Subcommands do not inherit the root's handler: without it a bad
		// flag would exit 1 with the help on stdout instead of a usage error.
		OnUsageError: onUsageError,
		Flags: []ucli.Flag{
			formatFlag(),
			&ucli.BoolFlag{Name: "non-empty", Usage: "list only tables that hold rows"},
		},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			if cmd.Args().Present() {
				return usagef("sleuth tables takes no arguments; for one table's columns run 'sleuth schema "+cmd.Args().First()+"'",
					"unexpected argument %q", cmd.Args().First())
			}
			counts, err := a.rowCounts(ctx)
			if err != nil {
				return err
			}
			return writeSet(a.stdout, cmd.String("format"), tablesSet(catalog.Default(), counts, cmd.Bool("non-empty")))
		},
	}
}

// rowCounts reads the row count of every table from the store, read-only.
// Without a store it says so on stderr and counts nothing: listing tables
// must not create an empty store as a side effect.
func (a *app) rowCounts(ctx context.Context) (map[string]int64, error) {
	if !a.storeExists() {
		fmt.Fprintf(a.stderr, "sleuth: nothing has been ingested yet (no store at %s); row counts are zero\n", a.dbPath)
		fmt.Fprintln(a.stderr, "sleuth: hint: build the lab with 'sleuth lab generate', or load logs with 'sleuth ingest'")
		return map[string]int64{}, nil
	}
	st, err := a.openStore(ctx, true)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.RowCounts(ctx)
}

// tablesSet is the tables listing: name, rows, columns, in name order.
func tablesSet(cat *catalog.Catalog, counts map[string]int64, nonEmpty bool) *rows.Set {
	set := &rows.Set{Columns: []rows.Column{
		{Name: "name", Type: catalog.String},
		{Name: "rows", Type: catalog.Long},
		{Name: "columns", Type: catalog.Long},
	}}
	for _, t := range cat.Tables() {
		n := counts[t.Name]
		if nonEmpty && n == 0 {
			continue
		}
		set.Rows = append(set.Rows, []any{t.Name, n, int64(len(t.Columns))})
	}
	return set
}

func (a *app) schemaCmd() *ucli.Command {
	return &ucli.Command{
		Name:         "schema",
		Usage:        "show a table's columns, types, entity roles and descriptions",
		UsageText:    "sleuth schema TABLE [--format table|json|ndjson|csv]",
		Description:  schemaHelp,
		OnUsageError: onUsageError,
		Flags:        []ucli.Flag{formatFlag()},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			switch cmd.Args().Len() {
			case 0:
				return usagef("name a table, e.g. 'sleuth schema SigninLogs'; 'sleuth tables' lists them", "missing the table name")
			case 1:
			default:
				return usagef("name one table", "too many arguments: %s", strings.Join(cmd.Args().Slice(), " "))
			}
			t, err := lookupTable(catalog.Default(), cmd.Args().First())
			if err != nil {
				return err
			}
			return writeSet(a.stdout, cmd.String("format"), schemaSet(t))
		},
	}
}

// lookupTable finds a table by its exact name, or fails with a usage error
// that suggests the closest names, a case-insensitive match first.
func lookupTable(cat *catalog.Catalog, name string) (*catalog.Table, error) {
	if t, ok := cat.Table(name); ok {
		return t, nil
	}
	hint := "run 'sleuth tables' for the list"
	if t, ok := cat.TableFold(name); ok {
		return nil, usagef("did you mean "+t.Name+"? table names are case-sensitive, as in KQL", "unknown table %q", name)
	}
	if near := suggest.Closest(name, cat.Names(), 3); len(near) > 0 {
		hint = "did you mean " + orList(near) + "? " + hint
	}
	return nil, usagef(hint, "unknown table %q", name)
}

func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// schemaSet is one table's columns: name, type, role, description, in
// catalog order (the order ingest and the store use).
func schemaSet(t *catalog.Table) *rows.Set {
	set := &rows.Set{Columns: []rows.Column{
		{Name: "name", Type: catalog.String},
		{Name: "type", Type: catalog.String},
		{Name: "role", Type: catalog.String},
		{Name: "description", Type: catalog.String},
	}}
	for _, c := range t.Columns {
		set.Rows = append(set.Rows, []any{c.Name, string(c.Type), string(c.Role), c.Description})
	}
	return set
}
