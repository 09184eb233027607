package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

const detectHelp = `Runs detection rules over a time window and prints the signals: one per
rule and group of related events (the same host, user or source address,
with no gap of more than an hour).

The rules are the built-in pack (Sigma rules written for sleuth, correlation
rules and hunting analytics such as impossible travel; 'sleuth rules list'
shows them) and every Sigma rule under each --rules directory. A user rule
that does not compile is reported on stderr with its file:line and the run
goes on without it (with --strict it then exits 3). Rules over one table
are batched into a few scans, so thousands of rules do not mean thousands of
queries.

The window is --from .. --to (RFC 3339), or the --window before --to, which
defaults to --now. Every signal carries KQL that reproduces it: paste it into
Sentinel.

Examples:
  sleuth detect                                   # the last 24 hours of the embedded store
  sleuth detect --window 7d --level high
  sleuth detect --from 2024-05-01T00:00:00Z --to 2024-05-02T00:00:00Z --format json
  sleuth detect --rules ./sigma/rules/windows --no-builtin --strict
  sleuth detect --source sentinel-prod --window 12h --table SigninLogs`

func (a *app) detectCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "detect",
		Usage:       "run detection rules over a window and print the signals",
		UsageText:   "sleuth detect [--rules DIR]... [--no-builtin] [--from TIME --to TIME | --window DURATION] [--level LEVEL] [--source NAME] [--format table|json|ndjson]",
		Description: detectHelp,
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "rules", Usage: "also run the Sigma rules in `DIR` (a file or directory, read recursively; repeatable)"},
			&ucli.BoolFlag{Name: "no-builtin", Usage: "leave out the built-in pack"},
			&ucli.StringFlag{Name: "from", Usage: "start of the window, RFC 3339 `TIME`"},
			&ucli.StringFlag{Name: "to", Usage: "end of the window, RFC 3339 `TIME` (default --now)"},
			&ucli.StringFlag{Name: "window", Value: "24h", Usage: "length of the window before --to, e.g. 90m, 24h, 7d (`DURATION`)"},
			&ucli.StringFlag{Name: "level", Usage: "only rules of this `LEVEL` and above: informational, low, medium, high, critical"},
			&ucli.StringSliceFlag{Name: "table", Usage: "only rules over `TABLE` (repeatable)"},
			&ucli.StringFlag{Name: "source", Usage: "run on the configured source `NAME` ('sleuth sources' lists them; default the embedded store)"},
			&ucli.BoolFlag{Name: "strict", Usage: "exit 3 when a user rule does not compile"},
			&ucli.IntFlag{Name: "chunk", Value: 50, Usage: "rules per batched scan of a table (`N`); 50 plans fastest in DuckDB, see docs/PERFORMANCE.md"},
			&ucli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "stop each query after `DURATION`"},
			formatFlag(formatTable, formatJSON, formatNDJSON),
		},
		Action: a.runDetect,
	}
}

func (a *app) runDetect(ctx context.Context, cmd *ucli.Command) error {
	if cmd.Args().Present() {
		return usagef("name rule directories with --rules DIR", "unexpected argument %q", cmd.Args().First())
	}
	scope, err := a.detectScope(cmd)
	if err != nil {
		return err
	}
	rs, err := a.loadRuleSet(cmd)
	if err != nil {
		return err
	}
	userErrs := a.reportRuleErrors(rs.Errors)
	src, err := a.openSource(ctx, cmd.String("source"))
	if err != nil {
		return err
	}
	defer src.Close()
	eng := &detect.Engine{Source: src, Rules: rs, Options: detect.Options{Now: a.now, ChunkSize: int(cmd.Int("chunk")), Timeout: cmd.Duration("timeout")}}
	done := a.detectProgress(&eng.Options)
	res, err := eng.Run(ctx, scope)
	done()
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.stderr, "sleuth: warning: %s\n", w)
	}
	for _, e := range res.Errors {
		fmt.Fprintf(a.stderr, "sleuth: warning: %s\n", e.Error())
	}
	if err := writeSignals(a.stdout, cmd.String("format"), res.Signals); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "sleuth: %d signals from %d rules over %d tables, %s .. %s, in %.1fs (%d queries)\n",
		len(res.Signals), res.Rules, len(res.Tables), formatDatetime(scope.Start), formatDatetime(scope.End), res.Elapsed.Seconds(), len(res.Queries))
	if userErrs > 0 && cmd.Bool("strict") {
		return silentExit(ExitQuery)
	}
	return nil
}

// detectScope reads the window, level and tables.
func (a *app) detectScope(cmd *ucli.Command) (detect.Scope, error) {
	var s detect.Scope
	to := a.now
	if v := cmd.String("to"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return s, usagef("use RFC 3339, e.g. --to 2024-05-01T12:00:00Z", "bad --to %q: %v", v, err)
		}
		to = t
	}
	from := time.Time{}
	if v := cmd.String("from"); v != "" {
		if cmd.IsSet("window") {
			return s, usagef("give either --from or --window", "--from and --window both set the start of the window")
		}
		t, err := parseTime(v)
		if err != nil {
			return s, usagef("use RFC 3339, e.g. --from 2024-05-01T00:00:00Z", "bad --from %q: %v", v, err)
		}
		from = t
	} else {
		d, err := parseWindow(cmd.String("window"))
		if err != nil {
			return s, usagef("use a duration such as 90m, 24h or 7d", "bad --window %q: %v", cmd.String("window"), err)
		}
		from = to.Add(-d)
	}
	if !to.After(from) {
		return s, usagef("the window must end after it starts", "the window %s .. %s is empty", formatDatetime(from), formatDatetime(to))
	}
	s.Start, s.End = from, to
	if l := cmd.String("level"); l != "" {
		if !detect.ValidLevel(l) {
			return s, usagef("use one of "+strings.Join(detect.Levels, ", "), "unknown level %q", l)
		}
		s.MinLevel = l
	}
	s.Tables = cmd.StringSlice("table")
	for _, t := range s.Tables {
		if _, ok := catalog.Default().Table(t); !ok {
			return s, usagef("'sleuth tables' lists the tables", "unknown table %q", t)
		}
	}
	return s, nil
}

// parseWindow is time.ParseDuration with days: 7d, 1d12h.
func parseWindow(s string) (time.Duration, error) {
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		var n int
		if _, err := fmt.Sscanf(s[:i], "%d", &n); err != nil || fmt.Sprint(n) != s[:i] {
			return 0, fmt.Errorf("bad number of days")
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			s = "0s"
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d+days <= 0 {
		return 0, fmt.Errorf("must be positive")
	}
	return d + days, nil
}

// loadRuleSet compiles the built-in pack and the --rules paths with the
// config's Sigma placeholders.
func (a *app) loadRuleSet(cmd *ucli.Command) (*detect.RuleSet, error) {
	paths := cmd.StringSlice("rules")
	if err := checkPaths(paths); err != nil {
		return nil, err
	}
	if cmd.Bool("no-builtin") && len(paths) == 0 {
		return nil, usagef("give --rules DIR, or drop --no-builtin", "--no-builtin leaves no rules to run")
	}
	cfg, _, err := config.Load(a.configPath)
	if err != nil {
		return nil, err
	}
	return detect.Load(detect.LoadOptions{NoBuiltin: cmd.Bool("no-builtin"), Paths: paths, Placeholders: cfg.Sigma.Placeholders})
}

// reportRuleErrors prints every rule that does not load or compile, with
// its file:line, and returns how many are the user's.
func (a *app) reportRuleErrors(errs []*detect.RuleError) int {
	n := 0
	for _, e := range errs {
		if e.Origin == detect.OriginUser {
			n++
		}
		fmt.Fprintf(a.stderr, "sleuth: warning: %s\n", e.Error())
		if e.Hint != "" && !strings.Contains(e.Hint, "\n") {
			fmt.Fprintf(a.stderr, "sleuth: hint: %s\n", e.Hint)
		}
	}
	if n > 0 {
		fmt.Fprintf(a.stderr, "sleuth: %d rules do not compile and are left out\n", n)
	}
	return n
}

// detectProgress shows a bar on a terminal; the returned func clears it.
func (a *app) detectProgress(opt *detect.Options) func() {
	if !isTerminal(a.stderr) {
		return func() {}
	}
	var mu sync.Mutex
	var bar *progressbar.ProgressBar
	opt.Progress = func(done, total int, what string) {
		mu.Lock()
		defer mu.Unlock()
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription("detect"),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30),
				progressbar.OptionShowCount())
		}
		_ = bar.Set(done)
	}
	return func() {
		mu.Lock()
		defer mu.Unlock()
		if bar != nil {
			_ = bar.Finish()
			_ = bar.Clear()
		}
	}
}

// writeSignals prints signals: a table for people, or JSON objects with
// the fields rule_id, title, level, techniques, table, first_seen,
// last_seen, count, entities, kql and samples (and a few more).
func writeSignals(w io.Writer, format string, sigs []detect.Signal) error {
	switch format {
	case formatJSON, formatNDJSON:
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		var err error
		if format == formatJSON {
			err = enc.Encode(sigs)
		} else {
			for i := range sigs {
				if err = enc.Encode(&sigs[i]); err != nil {
					break
				}
			}
		}
		if err != nil {
			return err
		}
		return bw.Flush()
	}
	return writeSet(w, formatTable, signalSet(sigs))
}

func signalSet(sigs []detect.Signal) *rows.Set {
	set := &rows.Set{Columns: []rows.Column{{Name: "first_seen", Type: catalog.Datetime}, {Name: "level", Type: catalog.String},
		{Name: "title", Type: catalog.String}, {Name: "techniques", Type: catalog.String}, {Name: "subject", Type: catalog.String},
		{Name: "count", Type: catalog.Long}, {Name: "table", Type: catalog.String}}}
	for _, s := range sigs {
		set.Rows = append(set.Rows, []any{s.FirstSeen, s.Level, s.Title, strings.Join(s.Techniques, ","), s.Subject, int64(s.Count), s.Table})
	}
	return set
}

// checkPaths fails with a usage error for a rule path that does not exist.
func checkPaths(paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return usagef("check the path given to --rules", "%s: no such file or directory", p)
			}
			return err
		}
	}
	return nil
}
