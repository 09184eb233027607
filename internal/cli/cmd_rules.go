package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/sigma"
)

const rulesHelp = `Works with Sigma rules (Sigma 2: detection rules, correlation rules,
multi-document files). sleuth compiles each rule to KQL over its catalog
tables: the logsource picks the table (process_creation → DeviceProcessEvents,
service security → SecurityEvent, other Windows channels → WindowsEvent, …)
and Sysmon field names map to Defender columns (Image → FolderPath, …).

Examples:
  sleuth rules list                               # the built-in pack: id, title, level, techniques
  sleuth rules list --rules ./rules --format json
  sleuth rules check ./rules                      # does every rule parse and compile?
  sleuth rules check --format json rule.yml | jq '.[] | select(.compiled | not)'
  sleuth rules convert proc_creation_win_whoami.yml          # Sentinel-ready KQL
  sleuth rules convert --to sql brute_force_correlation.yml  # DuckDB SQL for the embedded store`

const rulesCheckHelp = `Parses and compiles every Sigma rule in the files and directories given
(directories are read recursively for *.yml and *.yaml), so correlation rules
may refer to rules in other files. One line per rule: its file, id, whether it
parsed and compiled, and for a failure the stable error code and the message
with the rule's line and column. A summary goes to stderr.

Exit status: 0 when every rule compiles, 3 otherwise.

Examples:
  sleuth rules check ./my-rules
  sleuth rules check --format json rule.yml
  sleuth rules check a.yml b.yml correlations/`

const rulesConvertHelp = `Prints each Sigma rule as a query: Sentinel-ready KQL (--to kql, the
default) or the DuckDB SQL sleuth runs on its embedded store (--to sql). A
comment above each query names the rule; a correlation rule's comment says how
its windows are computed. Rules a correlation refers to are printed only when
the correlation says generate: true. Rules that do not compile are reported
on stderr with their file:line and a stable code; the others still print.

|expand placeholders take their values from the config:
  sigma:
    placeholders:
      Admins_Workstations: [ws-admin-*, jump01]

Exit status: 0 when every rule converts, 3 otherwise.

Examples:
  sleuth rules convert rule.yml
  sleuth rules convert --to sql rule.yml
  sleuth rules convert ./rules > detections.kql`

func (a *app) rulesCmd() *ucli.Command {
	return &ucli.Command{
		Name:         "rules",
		Usage:        "list, check and convert Sigma rules",
		UsageText:    "sleuth rules list|check|convert [flags] PATH...",
		Description:  rulesHelp,
		OnUsageError: onUsageError,
		Commands:     []*ucli.Command{a.rulesListCmd(), a.rulesCheckCmd(), a.rulesConvertCmd()},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			if cmd.Args().Present() {
				return usagef("the rules subcommands are list, check and convert; run 'sleuth rules --help'", "unknown rules subcommand %q", cmd.Args().First())
			}
			return ucli.ShowSubcommandHelp(cmd)
		},
	}
}

func (a *app) rulesCheckCmd() *ucli.Command {
	return &ucli.Command{
		Name:         "check",
		Usage:        "parse and compile Sigma rules, reporting each one",
		UsageText:    "sleuth rules check [--format table|json] PATH...",
		Description:  rulesCheckHelp,
		OnUsageError: onUsageError,
		Flags:        []ucli.Flag{formatFlag(formatTable, formatJSON)},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			coll, opts, err := a.loadRules(cmd)
			if err != nil {
				return err
			}
			results := checkRules(coll, opts)
			if err := writeSet(a.stdout, cmd.String("format"), checkSet(results)); err != nil {
				return err
			}
			failed := summarizeCheck(a.stderr, results)
			if failed > 0 {
				return silentExit(ExitQuery)
			}
			return nil
		},
	}
}

func (a *app) rulesConvertCmd() *ucli.Command {
	return &ucli.Command{
		Name:         "convert",
		Usage:        "print Sigma rules as KQL or DuckDB SQL",
		UsageText:    "sleuth rules convert [--to kql|sql] PATH...",
		Description:  rulesConvertHelp,
		OnUsageError: onUsageError,
		Flags: []ucli.Flag{&ucli.StringFlag{Name: "to", Value: "kql", Usage: "the query `LANGUAGE`: kql or sql",
			Validator: func(s string) error {
				if s != "kql" && s != "sql" {
					return fmt.Errorf("unknown language %q; use kql or sql", s)
				}
				return nil
			}}},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			coll, opts, err := a.loadRules(cmd)
			if err != nil {
				return err
			}
			failed := a.convertRules(coll, opts, cmd.String("to"))
			if failed > 0 {
				return silentExit(ExitQuery)
			}
			return nil
		},
	}
}

// loadRules reads the rule paths and the config's Sigma settings.
func (a *app) loadRules(cmd *ucli.Command) (*sigma.Collection, sigma.Options, error) {
	paths := cmd.Args().Slice()
	if len(paths) == 0 {
		return nil, sigma.Options{}, usagef("name rule files or directories, e.g. '"+cmd.FullName()+" ./rules'", "no rule paths given")
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, sigma.Options{}, usagef("check the path", "%s: no such file or directory", p)
			}
			return nil, sigma.Options{}, err
		}
	}
	cfg, _, err := config.Load(a.configPath)
	if err != nil {
		return nil, sigma.Options{}, err
	}
	coll, err := sigma.LoadPaths(paths...)
	if err != nil {
		return nil, sigma.Options{}, err
	}
	if len(coll.Rules) == 0 && len(coll.Errs) == 0 {
		return nil, sigma.Options{}, usagef("Sigma rules are YAML files ending in .yml or .yaml", "no rule files in %s", strings.Join(paths, ", "))
	}
	return coll, sigma.Options{Catalog: catalog.Default(), Placeholders: cfg.Sigma.Placeholders}, nil
}

// ruleResult is one line of rules check.
type ruleResult struct {
	path, id         string
	parsed, compiled bool
	code, message    string
	extra            int // further problems of the same document
}

func checkRules(coll *sigma.Collection, opts sigma.Options) []ruleResult {
	var out []ruleResult
	seen := map[string]int{} // file and document → index in out: one line per document
	for _, e := range coll.Errs {
		key := fmt.Sprintf("%s\x00%d", e.File, e.Doc)
		if i, dup := seen[key]; dup {
			out[i].extra++
			continue
		}
		parsed := e.Code == sigma.CodeBadField && strings.Contains(e.Msg, "also used by")
		seen[key] = len(out)
		out = append(out, ruleResult{path: e.File, id: e.RuleID, parsed: parsed, code: e.Code, message: errorMessage(e)})
	}
	for i := range out {
		if out[i].extra > 0 {
			out[i].message += fmt.Sprintf(" (and %d more problems)", out[i].extra)
		}
	}
	for _, r := range coll.Rules {
		res := ruleResult{path: r.File, id: r.ID, parsed: true}
		notes, err := compileRule(r, coll, opts)
		if err != nil {
			res.code, res.message = errorCode(err), errorMessage(err)
		} else {
			res.compiled = true
			res.message = strings.Join(notes, "; ")
		}
		out = append(out, res)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// compileRule compiles a detection or correlation rule, returning its notes.
func compileRule(r *sigma.Rule, coll *sigma.Collection, opts sigma.Options) ([]string, error) {
	if r.Correlation != nil {
		cc, err := sigma.CompileCorrelation(r, coll, opts)
		if err != nil {
			return nil, err
		}
		return cc.Notes, nil
	}
	c, err := sigma.Compile(r, opts)
	if err != nil {
		return nil, err
	}
	return c.Notes, nil
}

// errorMessage is LINE:COL: message (hint: …), without the file the path
// column already shows.
func errorMessage(err error) string {
	var e *sigma.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Msg
	if e.Pos.Line > 0 {
		msg = e.Pos.String() + ": " + msg
	}
	if e.Hint != "" && !strings.Contains(e.Hint, "\n") {
		msg += " (hint: " + e.Hint + ")"
	}
	return msg
}

func checkSet(results []ruleResult) *rows.Set {
	set := &rows.Set{Columns: []rows.Column{{Name: "path", Type: catalog.String}, {Name: "id", Type: catalog.String},
		{Name: "parsed", Type: catalog.Bool}, {Name: "compiled", Type: catalog.Bool},
		{Name: "code", Type: catalog.String}, {Name: "message", Type: catalog.String}}}
	for _, r := range results {
		set.Rows = append(set.Rows, []any{r.path, r.id, r.parsed, r.compiled, r.code, r.message})
	}
	return set
}

// summarizeCheck writes the totals and the commonest failures to stderr
// and returns how many rules failed.
func summarizeCheck(w io.Writer, results []ruleResult) int {
	parsed, compiled := 0, 0
	codes := map[string]int{}
	for _, r := range results {
		if r.parsed {
			parsed++
		}
		if r.compiled {
			compiled++
		} else {
			codes[r.code]++
		}
	}
	failed := len(results) - compiled
	fmt.Fprintf(w, "sleuth: %d rules: %d parsed, %d compiled, %d failed\n", len(results), parsed, compiled, failed)
	var keys []string
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return codes[keys[i]] > codes[keys[j]] || codes[keys[i]] == codes[keys[j]] && keys[i] < keys[j]
	})
	for i, k := range keys {
		if i == 5 {
			break
		}
		fmt.Fprintf(w, "sleuth:   %d × %s\n", codes[k], k)
	}
	return failed
}

// convertRules prints every top-level rule and reports the others' errors.
func (a *app) convertRules(coll *sigma.Collection, opts sigma.Options, to string) int {
	failed := 0
	for _, e := range coll.Errs {
		report(a.stderr, e)
		failed++
	}
	hidden := coll.Referenced()
	first := true
	for _, r := range coll.Rules {
		if hidden[r] {
			continue
		}
		text, err := a.convertRule(r, coll, opts, to)
		if err != nil {
			report(a.stderr, err)
			failed++
			continue
		}
		if !first {
			fmt.Fprintln(a.stdout)
		}
		first = false
		fmt.Fprint(a.stdout, text)
	}
	return failed
}

func (a *app) convertRule(r *sigma.Rule, coll *sigma.Collection, opts sigma.Options, to string) (string, error) {
	var q *kql.Query
	var lines []string
	if r.Correlation != nil {
		cc, err := sigma.CompileCorrelation(r, coll, opts)
		if err != nil {
			return "", err
		}
		q = cc.Query
		lines = append(lines, fmt.Sprintf("correlation: %s over %s by %s: %s", cc.Type, r.Correlation.Timespan, strings.Join(cc.GroupBy, ", "), cc.Method))
		lines = append(lines, notes(cc.Notes)...)
	} else {
		c, err := sigma.Compile(r, opts)
		if err != nil {
			return "", err
		}
		q = c.Query
		lines = append(lines, notes(c.Notes)...)
	}
	if to == "kql" {
		return header("//", r, lines) + kql.Pretty(q) + "\n", nil
	}
	sql, err := a.toSQL(q)
	if err != nil {
		return "", fmt.Errorf("%s: %w", r.File, err)
	}
	return header("--", r, lines) + sql + ";\n", nil
}

func notes(ns []string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = "note: " + n
	}
	return out
}

// header is the comment naming the rule above its query.
func header(prefix string, r *sigma.Rule, extra []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", prefix, ruleLine(r.Title))
	meta := "sigma"
	if r.ID != "" {
		meta += " id " + r.ID
	}
	for _, kv := range [][2]string{{"level", r.Level}, {"status", r.Status}} {
		if kv[1] != "" {
			meta += ", " + kv[0] + " " + kv[1]
		}
	}
	fmt.Fprintf(&b, "%s %s (%s:%d)\n", prefix, meta, r.File, r.Pos.Line)
	if len(r.Tags) > 0 {
		fmt.Fprintf(&b, "%s tags: %s\n", prefix, strings.Join(r.Tags, ", "))
	}
	for _, l := range extra {
		fmt.Fprintf(&b, "%s %s\n", prefix, ruleLine(l))
	}
	return b.String()
}

func ruleLine(s string) string { return strings.Join(strings.Fields(s), " ") }
