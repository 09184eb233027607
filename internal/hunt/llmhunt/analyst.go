package llmhunt

import (
	"context"
	"fmt"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// Analyst reviews a hunt's findings with the model (implements
// hunt.Analyst): one call over compact, fenced evidence of every finding,
// then strict validation of each verdict before it touches the report.
type Analyst struct {
	S *Session
	// EvidenceTokens bounds the evidence in the prompt (DefaultEvidenceTokens
	// when 0); MaxFindings bounds how many findings are sent.
	EvidenceTokens int
	MaxFindings    int
	// Rows fetches the rows behind each signal for the evidence; nil uses
	// the detector's samples.
	Rows RowSource
	// Catalog finds the columns that name a signal's subject when its
	// events are fetched (catalog.Default() when nil).
	Catalog *catalog.Catalog
}

// analysis is the structured answer.
type analysis struct {
	Findings []threat `json:"findings" jsonschema:"one entry per finding reviewed"`
}

// threat is one finding's verdict and write-up.
type threat struct {
	ID              string   `json:"id" jsonschema:"the finding id exactly as given"`
	Verdict         string   `json:"verdict" jsonschema:"confirm, dismiss or escalate"`
	Reasons         []string `json:"reasons" jsonschema:"why, citing the evidence"`
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	Confidence      string   `json:"confidence" jsonschema:"Low, Medium or High"`
	Tactic          string   `json:"tactic" jsonschema:"MITRE ATT&CK tactic name"`
	Technique       string   `json:"technique" jsonschema:"MITRE ATT&CK technique name"`
	SubTechnique    string   `json:"sub_technique" jsonschema:"sub-technique name, or empty"`
	TechniqueID     string   `json:"technique_id" jsonschema:"ATT&CK ID such as T1110.003, or empty"`
	LogLines        []string `json:"log_lines" jsonschema:"representative rows that support the verdict, as block.row (e.g. 1.14: block 1, row 14)"`
	IOCs            []ioc    `json:"iocs" jsonschema:"indicators of compromise found in the evidence"`
	Tags            []string `json:"tags"`
	Recommendations []string `json:"recommendations"`
	Notes           string   `json:"notes"`
}

type ioc struct {
	Type  string `json:"type" jsonschema:"ip, domain, url, hash, user, host, file, process or other"`
	Value string `json:"value"`
}

const analystSystem = `You are a senior SOC analyst reviewing the findings of an automated threat hunt. For each finding decide: confirm (the evidence shows malicious activity), dismiss (the evidence shows benign activity), or escalate (serious and needs a human now). Base every verdict only on the evidence given, cite the representative rows you rely on as block.row (the finding's block number, then the row's "row" value), and list only indicators that appear in the evidence. Recommendations must concern only the entities of that finding. Answer with the JSON object only, one entry per finding.`

// Analyse implements hunt.Analyst. On any failure it returns an error and
// leaves the findings as the offline analysis made them; the engine then
// says so in the report.
func (a *Analyst) Analyse(ctx context.Context, r *hunt.Report) error {
	defer a.S.Record(r)
	return withHint(a.analyse(ctx, r))
}

func (a *Analyst) analyse(ctx context.Context, r *hunt.Report) error {
	if len(r.Findings) == 0 {
		a.S.notice("no findings above the confidence floor, so the LLM analyst was not called")
		return nil
	}
	fence, err := llm.NewFence(nil)
	if err != nil {
		return err
	}
	budget := a.EvidenceTokens
	if budget <= 0 {
		budget = DefaultEvidenceTokens
	}
	maxF := a.MaxFindings
	if maxF <= 0 {
		maxF = DefaultMaxFindings
	}
	eb := &evidenceBuilder{fence: fence, model: a.S.modelInfo(), counter: a.S.counter(), rows: a.Rows, catalog: a.Catalog, notice: a.S.notice}
	if eb.catalog == nil {
		eb.catalog = catalog.Default()
	}
	evs, skipped := eb.build(ctx, r.Findings, budget, maxF)
	if len(skipped) > 0 {
		a.S.notice(fmt.Sprintf("%d finding(s) not sent to the LLM to stay within %d evidence tokens: %s", len(skipped), budget, strings.Join(skipped, ", ")))
	}
	schema, err := llm.SchemaFor[analysis]("hunt_analysis", "Verdicts on a hunt's findings")
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The analyst asked: %q\n%d finding(s) follow.\n", llm.Sanitize(r.Question, 600), len(evs))
	for _, e := range evs {
		b.WriteString("\n" + e.text + "\n")
	}
	req := llm.Request{Model: a.S.Model, System: analystSystem + "\n\n" + fence.Preamble(), Purpose: "analyse",
		MaxOutputTokens: min(4096, 300+350*len(evs)), Messages: []llm.Message{{Role: llm.RoleUser, Content: b.String()}}}
	var ans analysis
	if _, err := llm.Ask(ctx, a.S.Client, req, schema, 1, &ans); err != nil {
		return err
	}
	a.apply(r, evs, ans)
	return nil
}
