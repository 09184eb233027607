package labtest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/llm"
	"github.com/sleuth-hunt/sleuth/internal/source"
	"github.com/sleuth-hunt/sleuth/internal/source/embedded"
)

const signinQ = "I'm worried someone has breached our tenant. Can you search for suspicious sign-ins in the last 24 hours?"

// MaxHuntInputTokens is what an LLM hunt of the seed's shape may send in
// all: the seed sent ~170,000 tokens for the same question.
const MaxHuntInputTokens = 8000

var tableRE = regexp.MustCompile(`(?m)^- (\w+):`)

// sensible plans the sign-in hunt as asked and confirms every finding.
func sensible(req llm.Request) string {
	p := prompt(req)
	if strings.HasPrefix(req.Purpose, "plan") {
		tables, span := []string{"SigninLogs", "AADNonInteractiveUserSignInLogs", "AuditLogs"}, 24*time.Hour
		if strings.Contains(p, "Anything suspicious") {
			tables, span = nil, 48*time.Hour
			for _, m := range tableRE.FindAllStringSubmatch(p, -1) {
				tables = append(tables, m[1])
			}
		}
		b, _ := json.Marshal(map[string]any{"tables": tables,
			"start": now.Add(-span).Format(time.RFC3339), "end": now.Format(time.RFC3339), "entities": []any{},
			"topics": []string{"sign-ins"}, "tactics": []string{"initial-access", "credential-access"}, "techniques": []string{"T1078.004", "T1110"},
			"broad": false, "rationale": "Entra ID sign-ins over the last day."})
		return string(b)
	}
	var out []map[string]any
	for _, m := range findingRE.FindAllStringSubmatch(p, -1) {
		out = append(out, map[string]any{"id": m[1], "verdict": "confirm", "reasons": []string{"the signals agree"}, "title": "Account compromise",
			"description": "Signals agree.", "confidence": "Medium", "tactic": "Credential Access", "technique": "", "sub_technique": "",
			"technique_id": "T1110", "log_lines": []string{}, "iocs": []any{}, "tags": []string{"identity"}, "recommendations": []string{}, "notes": ""})
	}
	b, _ := json.Marshal(map[string]any{"findings": out})
	return string(b)
}

// The seed's tenant-wide 24-hour sign-in hunt sent every SigninLogs row of
// the day to the model. sleuth sends a compact catalog to plan and compact
// evidence of the findings to analyse; both are counted with the model's
// tokenizer, as the API bills them.
func TestSigninHuntTokenBudget(t *testing.T) {
	l := getLab(t)
	off, _ := l.hunt(t, signinQ, nil, 0)
	m := newModel(sensible)
	r, _ := l.hunt(t, signinQ, m, 0)
	if r.Plan.Planner != "llm:"+modelName {
		t.Fatalf("planner %q, notices %v", r.Plan.Planner, r.LLM.Notices)
	}
	if len(r.Findings) != len(off.Findings) || len(r.Findings) == 0 {
		t.Fatalf("%d findings with the LLM, %d offline", len(r.Findings), len(off.Findings))
	}
	for _, n := range r.LLM.Notices {
		if strings.Contains(n, "not sent to the LLM") || strings.Contains(n, "left out") {
			t.Fatalf("evidence cut: %s", n)
		}
	}
	reviewed := 0
	for _, f := range r.Findings {
		if f.Verdict != nil {
			reviewed++
		}
	}
	if reviewed != len(r.Findings) {
		t.Fatalf("%d of %d findings reviewed; notices %v", reviewed, len(r.Findings), r.LLM.Notices)
	}
	if r.LLM.InputTokens > MaxHuntInputTokens {
		t.Fatalf("the hunt sent %d input tokens, more than %d", r.LLM.InputTokens, MaxHuntInputTokens)
	}

	rowsN, raw := rawSignins(t, l)
	ratio := float64(raw) / float64(r.LLM.InputTokens)
	for _, c := range r.LLM.PerCall {
		t.Logf("%-8s %5d input, %4d output tokens, $%.5f", c.Purpose, c.InputTokens, c.OutputTokens, c.CostUSD)
	}
	t.Logf("sleuth: %d findings, %d calls, %d input tokens in all; the seed's way: %d SigninLogs rows as %d tokens (%.0fx more)",
		len(r.Findings), r.LLM.Calls, r.LLM.InputTokens, rowsN, raw, ratio)
	for _, st := range r.Steps {
		if st.Step == "analyse" || st.Step == "plan" {
			t.Logf("step %s took %s (fake model: evidence queries, compaction and counting only)", st.Step, st.Elapsed.Round(time.Millisecond))
		}
	}
	if ratio < 20 {
		t.Fatalf("only %.1fx fewer tokens than sending the rows", ratio)
	}
}

// A broad hunt has more findings, not more tokens: the evidence budget is
// shared, most severe first.
func TestBroadHuntTokenBudget(t *testing.T) {
	l := getLab(t)
	m := newModel(sensible)
	r, _ := l.hunt(t, "Anything suspicious in the last 2 days?", m, 0)
	if r.Plan.Planner != "llm:"+modelName || len(r.Plan.Tables) < 10 {
		t.Fatalf("planner %q tables %v notices %v", r.Plan.Planner, r.Plan.Tables, r.LLM.Notices)
	}
	for _, c := range r.LLM.PerCall {
		t.Logf("%-8s %5d input, %4d output tokens", c.Purpose, c.InputTokens, c.OutputTokens)
	}
	if r.LLM.InputTokens > MaxHuntInputTokens {
		t.Fatalf("the hunt sent %d input tokens, more than %d", r.LLM.InputTokens, MaxHuntInputTokens)
	}
	t.Logf("broad hunt: %d findings, %d calls, %d input tokens; notices: %v", len(r.Findings), r.LLM.Calls, r.LLM.InputTokens, r.LLM.Notices)
}

// rawSignins is what the seed sent: the day's SigninLogs rows as JSON
// (empty fields left out, which flatters it), counted with the same tokenizer.
func rawSignins(t *testing.T, l *testLab) (int, int) {
	t.Helper()
	src := embedded.New(l.st, false)
	q, err := kql.Parse("SigninLogs")
	if err != nil {
		t.Fatal(err)
	}
	res, err := src.Query(context.Background(), q, source.Options{Now: now, Start: now.Add(-24 * time.Hour), End: now, MaxRows: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range res.Set.Maps() {
		for k, v := range m { // empty fields left out: the cheapest way to send rows
			if v == nil || v == "" {
				delete(m, k)
			}
		}
		j, err := json.Marshal(m)
		if err != nil {
			t.Fatal(fmt.Errorf("row: %w", err))
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	info := llm.DefaultCatalog().Lookup(llm.ProviderOpenAI, modelName)
	return len(res.Set.Rows), llm.DefaultCounter().Text(info, b.String())
}
