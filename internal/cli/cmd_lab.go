package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/lab"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

const labHelp = `The lab is a simulated enterprise: Windows workstations and servers, Linux
servers, people with roles in offices in several countries, an Azure
subscription. 'sleuth lab generate' writes days of its telemetry into the
store's Sentinel and Defender tables, with attack scenarios woven in and
benign look-alikes (decoys) that a good hunter does not report, and writes
the ground truth next to the store.`

const labGenerateHelp = `Builds the lab into the store: background telemetry for every host and person,
the scenario instances and the decoys. The same seed and flags give the same
rows. The ground truth (one JSON line per scenario instance, with its
techniques, entities and time window) goes to --truth, by default
lab-truth.jsonl next to the store. A store that already holds data is left
alone unless --force, which empties the catalog tables first.

Examples:
  sleuth lab generate                                 # a week ending now, every scenario
  sleuth lab generate --seed 7 --days 3 --hosts 40 --users 60
  sleuth --now 2024-05-01T12:00:00Z lab generate      # a fixed window, for reproducible hunts
  sleuth lab generate --scenarios password-spray,rdp-brute-force --force
  sleuth lab generate --scale 10 --db /tmp/big.duckdb # about ten million events, for benchmarks`

const labScenariosHelp = `Lists the scenario kinds the lab can weave in, attacks first, then decoys
(benign activity that resembles an attack), with their ATT&CK techniques,
tactics and the tables they write.

Examples:
  sleuth lab scenarios
  sleuth lab scenarios --format json | jq -r '.[] | select(.decoy | not) | .name'`

func (a *app) labCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "lab",
		Usage:       "build the simulated enterprise sleuth hunts in by default",
		UsageText:   "sleuth lab generate [flags]\nsleuth lab scenarios [--format …]\nsleuth lab eval [--seeds …]",
		Description: labHelp,
		Commands:    []*ucli.Command{a.labGenerateCmd(), a.labScenariosCmd(), a.labEvalCmd()},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			if cmd.Args().Present() {
				return usagef("run 'sleuth lab --help' for the subcommands", "unknown lab command %q", cmd.Args().First())
			}
			return ucli.ShowSubcommandHelp(cmd)
		},
	}
}

func (a *app) labGenerateCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "generate",
		Usage:       "write the lab's telemetry and ground truth",
		UsageText:   "sleuth lab generate [--seed N] [--days N] [--hosts N] [--users N] [--end TIME] [--scale F] [--scenarios a,b|all|none] [--truth FILE] [--force] [--format table|json]",
		Description: labGenerateHelp,
		Flags: []ucli.Flag{
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "the lab's seed `N`: names, times and values all follow from it"},
			&ucli.IntFlag{Name: "days", Value: lab.DefaultDays, Usage: "`N` days of telemetry, ending at --end"},
			&ucli.IntFlag{Name: "hosts", Value: lab.DefaultHosts, Usage: fmt.Sprintf("`N` hosts, servers included (at least %d)", lab.MinHosts)},
			&ucli.IntFlag{Name: "users", Value: lab.DefaultUsers, Usage: fmt.Sprintf("`N` people (at least %d)", lab.MinUsers)},
			&ucli.StringFlag{Name: "end", Usage: "end of the window, RFC 3339 `TIME` (default --now, else now)"},
			&ucli.FloatFlag{Name: "scale", Value: 1, Usage: "multiply the background volume by `F` (10 gives about ten million events)"},
			&ucli.StringFlag{Name: "scenarios", Value: "all", Usage: "comma-separated scenario `KINDS`, all or none ('sleuth lab scenarios' lists them)"},
			&ucli.StringFlag{Name: "truth", Usage: "write the ground truth to `FILE` (default lab-truth.jsonl next to the store)"},
			&ucli.BoolFlag{Name: "force", Usage: "empty the store's catalog tables first if they hold data"},
			formatFlag(formatTable, formatJSON),
		},
		Action: a.labGenerate,
	}
}

func (a *app) labGenerate(ctx context.Context, cmd *ucli.Command) error {
	if cmd.Args().Present() {
		return usagef("sleuth lab generate takes only flags", "unexpected argument %q", cmd.Args().First())
	}
	opt, err := a.labOptions(cmd)
	if err != nil {
		return err
	}
	truthPath := cmd.String("truth")
	if truthPath == "" {
		truthPath = filepath.Join(filepath.Dir(a.dbPath), "lab-truth.jsonl")
	}
	st, err := store.Open(ctx, a.dbPath, store.Options{InitSQL: append(a.storeInitSQL(), ingestStoreSQL...), MemoryLimit: ingestStoreMemory, Threads: ingestThreads})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := a.prepareLabStore(ctx, st, cmd.Bool("force")); err != nil {
		return err
	}
	sum, err := a.writeLab(ctx, st, opt, truthPath)
	if err != nil {
		return err
	}
	secs := sum.Elapsed.Seconds()
	fmt.Fprintf(a.stderr, "sleuth: lab written to %s: %d rows in %d tables in %.1fs (%.0f rows/s); ground truth in %s\n",
		a.dbPath, sum.Rows, len(sum.Tables), secs, float64(sum.Rows)/max(secs, 1e-9), truthPath)
	return writeLabSummary(a.stdout, cmd.String("format"), sum, truthPath)
}

// writeLab generates a lab into st with a progress bar on a terminal, and
// records its ground truth and metadata.
func (a *app) writeLab(ctx context.Context, st *store.Store, opt lab.Options, truthPath string) (*lab.Summary, error) {
	var bar *progressbar.ProgressBar
	var mu sync.Mutex
	if isTerminal(a.stderr) {
		opt.Progress = func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription("lab: hours"),
					progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30),
					progressbar.OptionShowCount())
			}
			_ = bar.Set(done)
		}
	}
	sum, err := lab.Generate(ctx, &labStoreSink{ctx: ctx, st: st}, opt)
	if bar != nil {
		_ = bar.Finish()
		_ = bar.Clear()
	}
	if err != nil {
		return nil, labError(err)
	}
	if err := lab.WriteTruthFile(truthPath, sum.Instances); err != nil {
		return nil, err
	}
	for _, kv := range sum.Meta(truthPath, opt.Scale) {
		if err := st.SetMeta(ctx, kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	for _, p := range sum.Problems {
		fmt.Fprintf(a.stderr, "sleuth: warning: the lab and the catalog disagree: %s\n", p)
	}
	return sum, nil
}

// labOptions reads and checks the flags.
func (a *app) labOptions(cmd *ucli.Command) (lab.Options, error) {
	opt := lab.Options{Seed: cmd.Uint64("seed"), Days: cmd.Int("days"), Hosts: cmd.Int("hosts"), Users: cmd.Int("users"),
		Scale: cmd.Float("scale"), End: a.now, Catalog: catalog.Default()}
	if s := cmd.String("end"); s != "" {
		t, err := parseTime(s)
		if err != nil {
			return opt, usagef("use RFC 3339, e.g. --end 2024-05-01T12:00:00Z", "bad --end %q: %v", s, err)
		}
		opt.End = t
	}
	for _, s := range strings.Split(cmd.String("scenarios"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			opt.Scenarios = append(opt.Scenarios, s)
		}
	}
	if opt.Days < 1 || opt.Hosts < 1 || opt.Users < 1 || opt.Scale <= 0 {
		return opt, usagef("days, hosts, users and scale must be positive", "bad size: --days %d --hosts %d --users %d --scale %g", opt.Days, opt.Hosts, opt.Users, opt.Scale)
	}
	if err := lab.Validate(&opt); err != nil {
		return opt, labError(err)
	}
	return opt, nil
}

// labError turns the lab's option errors into usage errors (exit 2).
func labError(err error) error {
	var le *lab.Error
	if errors.As(err, &le) && le.Code == "lab.options" {
		return usagef(le.Hint, "%s", le.Msg)
	}
	return err
}

// prepareLabStore refuses to mix a new lab into a store that has data,
// unless told to empty it.
func (a *app) prepareLabStore(ctx context.Context, st *store.Store, force bool) error {
	counts, err := st.RowCounts(ctx)
	if err != nil {
		return err
	}
	var full []string
	var total int64
	for name, n := range counts {
		if n > 0 {
			full = append(full, name)
			total += n
		}
	}
	if len(full) == 0 {
		return nil
	}
	sort.Strings(full)
	if !force {
		return withCode("lab.not_empty", "add --force to replace its contents with a new lab, or point --db at another store",
			fmt.Errorf("the store %s already holds %d rows in %d tables (%s)", a.dbPath, total, len(full), strings.Join(full, ", ")))
	}
	for _, name := range full {
		if err := st.Clear(ctx, name); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stderr, "sleuth: emptied %d tables (%d rows) of %s\n", len(full), total, a.dbPath)
	return nil
}

// labStoreSink writes the lab through the store's Appender, one per table.
// The Appender commits a row group at a time, which bounds the store's
// memory however large the lab.
type labStoreSink struct {
	ctx context.Context
	st  *store.Store
}

func (s *labStoreSink) Table(name string) (lab.TableWriter, error) {
	app, err := s.st.Appender(s.ctx, name)
	if err != nil {
		return nil, err
	}
	return &labTableWriter{app: app}, nil
}

type labTableWriter struct {
	app *store.Appender
}

func (w *labTableWriter) Write(row []any, _ string) error { return w.app.Append(row) }

func (w *labTableWriter) Close() error { return w.app.Close() }

// labSummaryJSON is the machine-readable summary.
type labSummaryJSON struct {
	*lab.Summary
	Truth   string  `json:"truth"`
	Seconds float64 `json:"seconds"`
}

func writeLabSummary(w io.Writer, format string, sum *lab.Summary, truthPath string) error {
	if format == formatJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(labSummaryJSON{sum, truthPath, sum.Elapsed.Seconds()})
	}
	fmt.Fprintf(w, "lab: %s (%s), %d hosts, %d people, seed %d\n", sum.Org, sum.Domain, sum.Hosts, sum.Users, sum.Seed)
	fmt.Fprintf(w, "window: %s .. %s\n", formatDatetime(sum.Start), formatDatetime(sum.End))
	fmt.Fprintf(w, "truth: %s\n\n", truthPath)
	tables := &rows.Set{Columns: []rows.Column{{Name: "table", Type: catalog.String}, {Name: "rows", Type: catalog.Long}}}
	for _, t := range sum.Tables {
		tables.Rows = append(tables.Rows, []any{t.Table, t.Rows})
	}
	tables.Rows = append(tables.Rows, []any{"total", sum.Rows})
	if err := writeSet(w, formatTable, tables); err != nil {
		return err
	}
	fmt.Fprintln(w)
	inst := &rows.Set{Columns: []rows.Column{{Name: "id", Type: catalog.String}, {Name: "kind", Type: catalog.String},
		{Name: "start", Type: catalog.Datetime}, {Name: "end", Type: catalog.Datetime}, {Name: "hosts", Type: catalog.String},
		{Name: "users", Type: catalog.String}, {Name: "ips", Type: catalog.String}}}
	for _, t := range sum.Instances {
		kind := "attack"
		if t.Decoy {
			kind = "decoy"
		}
		inst.Rows = append(inst.Rows, []any{t.ID, kind, t.Start, t.End, listCell(t.Hosts), listCell(t.Users), listCell(t.IPs)})
	}
	return writeSet(w, formatTable, inst)
}

// listCell shows a few entities and how many more there are.
func listCell(xs []string) string {
	const show = 3
	if len(xs) <= show {
		return strings.Join(xs, ",")
	}
	return fmt.Sprintf("%s,+%d", strings.Join(xs[:show], ","), len(xs)-show)
}

func (a *app) labScenariosCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "scenarios",
		Usage:       "list the scenario and decoy kinds with their ATT&CK techniques",
		UsageText:   "sleuth lab scenarios [--format table|json|ndjson|csv]",
		Description: labScenariosHelp,
		Flags:       []ucli.Flag{formatFlag()},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			if cmd.Args().Present() {
				return usagef("sleuth lab scenarios takes no arguments", "unexpected argument %q", cmd.Args().First())
			}
			f := cmd.String("format")
			return writeSet(a.stdout, f, scenariosSet(lab.Kinds(), f == formatJSON || f == formatNDJSON))
		},
	}
}

// scenariosSet lists the kinds; lists are arrays in JSON and joined text in
// the table and CSV.
func scenariosSet(kinds []*lab.Kind, arrays bool) *rows.Set {
	list := func(xs []string) any {
		if !arrays {
			return strings.Join(xs, ", ")
		}
		out := make([]any, len(xs))
		for i, x := range xs {
			out[i] = x
		}
		return out
	}
	set := &rows.Set{Columns: []rows.Column{{Name: "name", Type: catalog.String}, {Name: "decoy", Type: catalog.Bool},
		{Name: "techniques", Type: catalog.Dynamic}, {Name: "tactics", Type: catalog.Dynamic}, {Name: "tables", Type: catalog.Dynamic},
		{Name: "description", Type: catalog.String}}}
	for _, k := range kinds {
		set.Rows = append(set.Rows, []any{k.Name, k.Decoy, list(k.Techniques), list(k.Tactics), list(k.Tables), k.Description})
	}
	return set
}
