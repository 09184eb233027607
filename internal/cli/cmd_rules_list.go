package cli

import (
	"context"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

const rulesListHelp = `Lists the rules sleuth detect runs: the built-in pack (Sigma rules written
for sleuth, their correlations, and the hunting analytics written in Go) and
the Sigma rules under each --rules directory. One line per rule: its id,
title, level, kind (sigma, correlation or analytic), ATT&CK techniques, the
tables it reads, where it comes from, and whether it compiles. Rules that a
correlation counts run only through it and are marked hidden.

Exit status: 0, or 3 with --strict when a rule does not compile.

Examples:
  sleuth rules list
  sleuth rules list --level high
  sleuth rules list --rules ./my-rules --format json | jq '.[] | select(.compiles | not)'`

func (a *app) rulesListCmd() *ucli.Command {
	return &ucli.Command{
		Name:         "list",
		Usage:        "list the built-in rules and those in --rules directories",
		UsageText:    "sleuth rules list [--rules DIR]... [--no-builtin] [--level LEVEL] [--format table|json|ndjson|csv]",
		Description:  rulesListHelp,
		OnUsageError: onUsageError,
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "rules", Usage: "also list the Sigma rules in `DIR` (repeatable)"},
			&ucli.BoolFlag{Name: "no-builtin", Usage: "leave out the built-in pack"},
			&ucli.StringFlag{Name: "level", Usage: "only rules of this `LEVEL` and above"},
			&ucli.BoolFlag{Name: "hidden", Usage: "also list the rules that run only through a correlation"},
			&ucli.BoolFlag{Name: "strict", Usage: "exit 3 when a rule does not compile"},
			formatFlag(),
		},
		Action: a.rulesList,
	}
}

func (a *app) rulesList(ctx context.Context, cmd *ucli.Command) error {
	if cmd.Args().Present() {
		return usagef("name rule directories with --rules DIR", "unexpected argument %q", cmd.Args().First())
	}
	level := cmd.String("level")
	if level != "" && !detect.ValidLevel(level) {
		return usagef("use one of "+strings.Join(detect.Levels, ", "), "unknown level %q", level)
	}
	rs, err := a.loadRuleSet(cmd)
	if err != nil {
		return err
	}
	set := ruleListSet(rs, level, cmd.Bool("hidden"))
	if err := writeSet(a.stdout, cmd.String("format"), set); err != nil {
		return err
	}
	failed := 0
	for _, e := range rs.Errors {
		if e.RuleID == "" {
			fmt.Fprintf(a.stderr, "sleuth: warning: %s\n", e.Error())
		}
		failed++
	}
	fmt.Fprintf(a.stderr, "sleuth: %d rules listed; %d do not load or compile\n", len(set.Rows), failed)
	if failed > 0 && cmd.Bool("strict") {
		return silentExit(ExitQuery)
	}
	return nil
}

func ruleListSet(rs *detect.RuleSet, level string, hidden bool) *rows.Set {
	set := &rows.Set{Columns: []rows.Column{{Name: "id", Type: catalog.String}, {Name: "title", Type: catalog.String},
		{Name: "level", Type: catalog.String}, {Name: "kind", Type: catalog.String}, {Name: "techniques", Type: catalog.String},
		{Name: "tables", Type: catalog.String}, {Name: "origin", Type: catalog.String}, {Name: "file", Type: catalog.String},
		{Name: "compiles", Type: catalog.Bool}, {Name: "hidden", Type: catalog.Bool}, {Name: "error", Type: catalog.String}}}
	for _, r := range rs.Rules {
		if r.Hidden && !hidden || level != "" && detect.LevelRank(r.Level) < detect.LevelRank(level) {
			continue
		}
		file := r.File
		if r.Line > 0 {
			file = fmt.Sprintf("%s:%d", r.File, r.Line)
		}
		msg := ""
		if r.Err != nil {
			msg = r.Err.Code + ": " + r.Err.Msg
		}
		set.Rows = append(set.Rows, []any{r.ID, r.Title, r.Level, r.Kind, strings.Join(r.Techniques, ","), strings.Join(r.Tables, ","),
			r.Origin, file, r.Err == nil, r.Hidden, msg})
	}
	return set
}
