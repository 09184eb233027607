package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/llm"
)

const modelsHelp = `Lists the language models sleuth knows, with their context window, output
cap, tokens-per-minute limit at your usage tier, prices, and what a call of
the given size would cost. The current model (--llm, or llm: in the config)
is marked *. Prices are USD per million tokens as published by the vendors;
each entry's source and the date they were taken are in the JSON output.
Correct or add models under llm.models in the config.

Examples:
  sleuth models
  sleuth models --input-tokens 170000 --output-tokens 2000
  sleuth models --provider anthropic --format json
  sleuth models --llm openai:gpt-4.1-mini`

func (a *app) modelsCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "models",
		Usage:       "list LLM models with limits, prices and cost estimates",
		UsageText:   "sleuth models [--input-tokens N] [--output-tokens N] [--provider NAME] [--llm SPEC] [--format table|json]",
		Description: modelsHelp,
		Flags: []ucli.Flag{
			&ucli.IntFlag{Name: "input-tokens", Value: 8000, Usage: "price a call with `N` input tokens"},
			&ucli.IntFlag{Name: "output-tokens", Value: 1000, Usage: "price a call with `N` output tokens (capped at each model's maximum)"},
			&ucli.StringFlag{Name: "provider", Usage: "only models of `NAME`: openai, anthropic or ollama"},
			&ucli.StringFlag{Name: "llm", Usage: "mark `SPEC` as the current model (none|openai:MODEL|azure:DEPLOYMENT|anthropic:MODEL|ollama:MODEL)"},
			&ucli.IntFlag{Name: "tier", Usage: "show the tokens-per-minute limit of usage `TIER` (1-5; default llm.tier or 1)"},
			formatFlag(formatTable, formatJSON),
		},
		Action: a.models,
	}
}

// modelRow is one line of sleuth models; its JSON field names are a
// contract for scripts.
type modelRow struct {
	Current     bool    `json:"current"`
	Model       string  `json:"model"`
	Provider    string  `json:"provider"`
	Context     int     `json:"context"`
	MaxOutput   int     `json:"max_output"`
	NumCtx      int     `json:"num_ctx,omitempty"`
	TPM         int     `json:"tpm,omitempty"`
	InputPer1M  float64 `json:"input_per_1m"`
	OutputPer1M float64 `json:"output_per_1m"`
	EstCostUSD  float64 `json:"est_cost_usd"`
	Exact       bool    `json:"exact_tokens"`
	Source      string  `json:"source"`
	Note        string  `json:"note,omitempty"`
}

func (a *app) models(ctx context.Context, cmd *ucli.Command) error {
	in, out := int(cmd.Int("input-tokens")), int(cmd.Int("output-tokens"))
	if in < 0 || out < 0 {
		return usagef("token counts are zero or more", "--input-tokens %d --output-tokens %d: negative token count", in, out)
	}
	cfg, _, err := config.Load(a.configPath)
	if err != nil {
		return err
	}
	tier := int(cmd.Int("tier"))
	if tier == 0 {
		tier = max(cfg.LLM.Tier, 1)
	}
	if tier < 1 || tier > 5 {
		return usagef("usage tiers run from 1 to 5", "--tier %d is out of range", tier)
	}
	provider := strings.ToLower(cmd.String("provider"))
	if provider != "" && provider != llm.ProviderOpenAI && provider != llm.ProviderAnthropic && provider != llm.ProviderOllama {
		return usagef("use --provider openai, anthropic or ollama (Azure deployments use the openai models)", "unknown provider %q", provider)
	}
	cur, err := currentModel(cfg.LLM, cmd.String("llm"))
	if err != nil {
		return usagef("use --llm none|openai:MODEL|azure:DEPLOYMENT|anthropic:MODEL|ollama:MODEL", "%s", err)
	}
	cat, err := llm.DefaultCatalog().WithOverrides(cfg.LLM.Models)
	if err != nil {
		return err
	}
	rows := modelRows(cat, provider, cur, tier, in, out)
	if cmd.String("format") == formatJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return writeModels(a.stdout, rows, tier, in, out)
}

// currentModel is the catalog entry the flag or config selects: for
// Azure, the model behind the deployment.
func currentModel(cfg config.LLM, flag string) (llm.Spec, error) {
	spec := flag
	if spec == "" && cfg.Provider != "" && !strings.EqualFold(cfg.Provider, llm.ProviderNone) {
		spec = cfg.Provider + ":" + cfg.Model
		if strings.EqualFold(cfg.Provider, llm.ProviderAzure) && cfg.Model == "" {
			spec += cfg.Azure.Deployment
		}
	}
	s, err := llm.Parse(spec)
	if err != nil {
		return s, err
	}
	if s.Provider == llm.ProviderAzure {
		s.Provider = llm.ProviderOpenAI
		if cfg.Azure.Model != "" {
			s.Model = cfg.Azure.Model
		}
	}
	return s, nil
}

func modelRows(cat *llm.Catalog, provider string, cur llm.Spec, tier, in, out int) []modelRow {
	var rows []modelRow
	found := false
	for _, m := range cat.Models() {
		if provider != "" && m.Provider != provider {
			continue
		}
		r := row(m, tier, in, out)
		r.Current = m.Provider == cur.Provider && strings.EqualFold(m.Name, cur.Model)
		found = found || r.Current
		rows = append(rows, r)
	}
	if !cur.None() && !found && (provider == "" || provider == cur.Provider) {
		// The current model is not in the catalog: show it, unpriced.
		m := cat.Lookup(cur.Provider, cur.Model)
		r := row(m, tier, in, out)
		r.Current = true
		rows = append([]modelRow{r}, rows...)
	}
	return rows
}

func row(m llm.ModelInfo, tier, in, out int) modelRow {
	o := out
	if m.MaxOutput > 0 {
		o = min(out, m.MaxOutput)
	}
	cost, _ := m.Cost(in, o)
	return modelRow{Model: m.Name, Provider: m.Provider, Context: m.Context, MaxOutput: m.MaxOutput, NumCtx: m.NumCtx,
		TPM: m.TPMAt(tier), InputPer1M: m.InputPer1M, OutputPer1M: m.OutputPer1M, EstCostUSD: cost,
		Exact: m.Encoding != "", Source: m.Source, Note: m.Note}
}

func writeModels(w io.Writer, rows []modelRow, tier, in, out int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  MODEL\tPROVIDER\tCONTEXT\tOUT_MAX\tTPM (TIER %d)\t$/1M IN\t$/1M OUT\tEST_COST (%s IN, %s OUT)\n", tier, count(in), count(out))
	for _, r := range rows {
		mark := " "
		if r.Current {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, r.Model, r.Provider, count(r.Context), count(r.MaxOutput),
			count(r.TPM), price(r.InputPer1M, r), price(r.OutputPer1M, r), estCost(r))
	}
	return tw.Flush()
}

func count(n int) string {
	if n <= 0 {
		return "?"
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func price(p float64, r modelRow) string {
	if r.Context == 0 {
		return "?"
	}
	return strconv.FormatFloat(p, 'f', 2, 64)
}

func estCost(r modelRow) string {
	switch {
	case r.Context == 0:
		return "?"
	case r.EstCostUSD == 0:
		return "free"
	}
	return fmt.Sprintf("$%.4f", r.EstCostUSD)
}
