package hunt

import (
	"time"

	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
)

// Report is everything a hunt did and found. It is written as report.json;
// internal/report renders it as Markdown, JSONL, a Navigator layer and KQL.
type Report struct {
	ID       string    `json:"id"` // <UTC time>-<slug of the question>, the output directory's name
	Question string    `json:"question"`
	Now      time.Time `json:"now"`
	Source   string    `json:"source"`
	Plan     plan.Plan `json:"plan"`
	// Iterations is how many detect-and-triage rounds ran; IterationLog
	// says why each round after the first widened or pivoted.
	Iterations   int             `json:"iterations"`
	IterationLog []Iteration     `json:"iteration_log"`
	Queries      []QueryRecord   `json:"queries"`
	Findings     []*Finding      `json:"findings"`
	Observations []*Finding      `json:"observations"` // groups below the confidence floor, kept for the record
	Actions      []ActionSummary `json:"actions"`
	LLM          LLMUsage        `json:"llm"`
	ThreatLevel  string          `json:"threat_level"` // none, low, medium, high or critical
	Summary      string          `json:"summary"`      // the executive summary
	NotLookedAt  []string        `json:"not_looked_at"`
	Notices      []string        `json:"notices,omitempty"`
	Coverage     []TableCoverage `json:"coverage"`
	Started      time.Time       `json:"started"`
	Finished     time.Time       `json:"finished"`
	Steps        []StepTiming    `json:"steps"`
}

// Iteration records one round of the hunt loop.
type Iteration struct {
	N              int       `json:"n"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Reason         string    `json:"reason"` // why this round ran: the first plan, a widening, a pivot
	Pivots         []string  `json:"pivots,omitempty"`
	Signals        int       `json:"signals"`
	BestConfidence float64   `json:"best_confidence"`
}

// QueryRecord is one query the hunt ran, exactly as run.
type QueryRecord struct {
	Step    string `json:"step"`    // profile, scope, detect, context, enrich
	Purpose string `json:"purpose"` // in words
	KQL     string `json:"kql"`
	Rows    int    `json:"rows"`
	// RowsSHA256 is the digest of the rows the query returned, which the
	// audit log keeps instead of the rows (rows.Set.SHA256).
	RowsSHA256 string        `json:"rows_sha256,omitempty"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	Error      string        `json:"error,omitempty"`
}

// TableCoverage says how much of a planned table the hunt read.
type TableCoverage struct {
	Table  string    `json:"table"`
	Events int64     `json:"events"` // rows in the window and scope
	First  time.Time `json:"first,omitempty"`
	Last   time.Time `json:"last,omitempty"`
	Rules  int       `json:"rules"` // detection rules run on it
}

// ActionSummary is a proposed or executed response action.
type ActionSummary struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Target    string `json:"target"`
	Status    string `json:"status"`
	FindingID string `json:"finding_id"`
	Connector string `json:"connector"`
	Call      string `json:"call,omitempty"` // the exact API call it makes, for review
}

// LLMUsage totals the language-model calls of a hunt (zeros offline).
type LLMUsage struct {
	Calls        int       `json:"calls"`
	InputTokens  int       `json:"input_tokens"`
	OutputTokens int       `json:"output_tokens"`
	CostUSD      float64   `json:"cost_usd"`
	Model        string    `json:"model,omitempty"`
	PerCall      []LLMCall `json:"per_call,omitempty"`
	Notices      []string  `json:"notices,omitempty"` // fallbacks, dropped items, dismissals
}

// LLMCall is one language-model call.
type LLMCall struct {
	Purpose      string        `json:"purpose"` // plan, repair, analyse
	Model        string        `json:"model"`
	InputTokens  int           `json:"input_tokens"`
	OutputTokens int           `json:"output_tokens"`
	CostUSD      float64       `json:"cost_usd"`
	Latency      time.Duration `json:"latency_ns"`
	PromptSHA256 string        `json:"prompt_sha256"`
	Error        string        `json:"error,omitempty"`
}

// StepTiming is how long one step of the hunt took.
type StepTiming struct {
	Step    string        `json:"step"`
	Elapsed time.Duration `json:"elapsed_ns"`
}
