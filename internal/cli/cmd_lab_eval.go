package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/hunt/eval"
	"github.com/sleuth-hunt/sleuth/internal/lab"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

func (a *app) labEvalCmd() *ucli.Command {
	return &ucli.Command{
		Name:  "eval",
		Usage: "measure hunt quality against the lab's ground truth",
		Description: `Generates a lab per seed into a temporary store, asks one question per attack
(its behaviour and one entity it involved), and checks that a finding names one
of the attack's techniques and entities. Also runs a broad "anything
suspicious" hunt, counts its findings that match no attack, and lists decoys
that any hunt rated high or critical. Prints one line per seed and the totals.

Examples:
  sleuth lab eval --seeds 101,102,103
  sleuth lab eval --seeds 5 --days 7 --hosts 100 --users 150 --format json`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "seeds", Value: "101,102,103", Usage: "comma-separated lab `SEEDS`"},
			&ucli.IntFlag{Name: "days", Value: 4, Usage: "`N` days per lab"},
			&ucli.IntFlag{Name: "hosts", Value: 40, Usage: "`N` hosts per lab"},
			&ucli.IntFlag{Name: "users", Value: 60, Usage: "`N` people per lab"},
			formatFlag(formatTable, formatJSON),
		},
		Action: a.labEval,
	}
}

func (a *app) labEval(ctx context.Context, cmd *ucli.Command) error {
	var seeds []uint64
	for _, f := range strings.Split(cmd.String("seeds"), ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return usagef("e.g. --seeds 101,102", "bad seed %q", f)
		}
		seeds = append(seeds, n)
	}
	days := cmd.Int("days")
	if days < 1 {
		return usagef("the questions ask about the lab's days: give at least --days 1", "--days must be at least 1, not %d", days)
	}
	probe := lab.Options{Seed: seeds[0], Days: days, Hosts: cmd.Int("hosts"), Users: cmd.Int("users"), End: a.now, Catalog: catalog.Default()}
	if err := lab.Validate(&probe); err != nil {
		return usagef("see 'sleuth lab generate --help' for the lab's limits", "%v", err)
	}
	var sums []*eval.Summary
	for _, seed := range seeds {
		fmt.Fprintf(a.stderr, "sleuth: seed %d: generating a %d-day lab…\n", seed, days)
		s, err := a.evalSeed(ctx, seed, lab.Options{Seed: seed, Days: days, Hosts: cmd.Int("hosts"), Users: cmd.Int("users"), End: a.now, Catalog: catalog.Default()})
		if err != nil {
			return err
		}
		s.Seed = seed
		sums = append(sums, s)
		for _, o := range s.Outcomes {
			if !o.Hit {
				fmt.Fprintf(a.stderr, "sleuth: seed %d: missed %s: %q %s\n", seed, o.Case.Truth.ID, o.Case.Question, o.Err)
			}
		}
	}
	if cmd.String("format") == formatJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sums)
	}
	set := &rows.Set{Columns: []rows.Column{{Name: "seed", Type: catalog.Long}, {Name: "recall", Type: catalog.String},
		{Name: "broad_findings", Type: catalog.Long}, {Name: "broad_attacks", Type: catalog.String}, {Name: "broad_unmatched", Type: catalog.Long}, {Name: "decoys_high", Type: catalog.Long}}}
	hits, cases := 0, 0
	for _, s := range sums {
		hits, cases = hits+s.Hits, cases+s.Cases
		set.Rows = append(set.Rows, []any{int64(s.Seed), fmt.Sprintf("%d/%d", s.Hits, s.Cases), int64(s.Broad.Findings),
			fmt.Sprintf("%d/%d", s.Broad.MatchedAttacks, s.Cases), int64(len(s.Broad.Unmatched)), int64(len(s.Decoys))})
	}
	if err := writeSet(a.stdout, formatTable, set); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nrecall %d/%d = %.1f%%\n", hits, cases, 100*float64(hits)/float64(max(cases, 1)))
	return nil
}

func (a *app) evalSeed(ctx context.Context, seed uint64, opt lab.Options) (*eval.Summary, error) {
	dir, err := os.MkdirTemp("", "sleuth-eval-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, filepath.Join(dir, "eval.duckdb"), store.Options{InitSQL: a.storeInitSQL()})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	began := time.Now()
	sum, err := eval.Lab(ctx, st, opt)
	if err != nil {
		return nil, labError(err)
	}
	fmt.Fprintf(a.stderr, "sleuth: seed %d: %d rows in %.0fs; hunting %d attacks…\n", seed, sum.Rows, time.Since(began).Seconds(), len(eval.Cases(sum.Instances, opt.Days)))
	h, err := eval.NewHunter(st, opt.End)
	if err != nil {
		return nil, err
	}
	return eval.Evaluate(ctx, h, sum.Instances, opt.Days)
}
