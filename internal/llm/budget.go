package llm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"
)

// CallRecord is one LLM call as the report and the audit log show it.
type CallRecord struct {
	Time     time.Time `json:"time"`
	Provider string    `json:"provider"`
	Model    string    `json:"model"`
	Purpose  string    `json:"purpose,omitempty"`
	// EstInputTokens is what the guard counted before the call;
	// InputTokens and OutputTokens are what the API reported.
	EstInputTokens int     `json:"est_input_tokens"`
	InputTokens    int     `json:"input_tokens"`
	OutputTokens   int     `json:"output_tokens"`
	CostUSD        float64 `json:"cost_usd"`
	LatencyMS      int64   `json:"latency_ms"`
	// PromptHash identifies the exact prompt (system, messages, schema)
	// without storing it: the first 16 hex digits of its SHA-256.
	PromptHash   string `json:"prompt_hash"`
	RequestID    string `json:"request_id,omitempty"`
	FinishReason string `json:"finish_reason,omitempty"`
	Attempts     int    `json:"attempts"`
	// Error is the stable code of a failed call.
	Error string `json:"error,omitempty"`
}

// Summary is the totals a hunt reports as llm.calls, llm.input_tokens,
// llm.output_tokens and llm.cost_usd, with the per-call records.
type Summary struct {
	Calls        int          `json:"calls"`
	InputTokens  int          `json:"input_tokens"`
	OutputTokens int          `json:"output_tokens"`
	CostUSD      float64      `json:"cost_usd"`
	MaxCostUSD   float64      `json:"max_cost_usd,omitempty"`
	Records      []CallRecord `json:"records"`
}

// Budget tracks spend and token throughput across the calls of one hunt.
// It is safe for concurrent use.
type Budget struct {
	mu      sync.Mutex
	maxUSD  float64
	spent   float64
	records []CallRecord
	now     func() time.Time
}

// NewBudget returns a budget capped at maxUSD; 0 means no cap.
func NewBudget(maxUSD float64) *Budget {
	return &Budget{maxUSD: maxUSD, now: time.Now}
}

// SetClock replaces the clock, for tests.
func (b *Budget) SetClock(now func() time.Time) { b.now = now }

// Max is the cap in USD; 0 means none.
func (b *Budget) Max() float64 { return b.maxUSD }

// Spent is what calls have cost so far.
func (b *Budget) Spent() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spent
}

// Record adds a finished (or failed) call.
func (b *Budget) Record(r CallRecord) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.Time.IsZero() {
		r.Time = b.now()
	}
	b.spent += r.CostUSD
	b.records = append(b.records, r)
}

// TokensLastMinute is the input and output tokens of calls in the last
// 60 seconds, for the tokens-per-minute check.
func (b *Budget) TokensLastMinute(model string) (input, output int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cutoff := b.now().Add(-time.Minute)
	for _, r := range b.records {
		if r.Model == model && r.Time.After(cutoff) {
			input += r.InputTokens
			output += r.OutputTokens
		}
	}
	return input, output
}

// Summary returns the totals and a copy of the records.
func (b *Budget) Summary() Summary {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := Summary{MaxCostUSD: b.maxUSD, Records: append([]CallRecord{}, b.records...)}
	for _, r := range b.records {
		if r.Attempts > 0 {
			s.Calls++
		}
		s.InputTokens += r.InputTokens
		s.OutputTokens += r.OutputTokens
		s.CostUSD += r.CostUSD
	}
	return s
}

// PromptHash hashes what identifies a prompt, so reports can show that two
// calls sent the same prompt without storing it.
func PromptHash(req Request) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	enc.Encode(req.System)
	enc.Encode(req.Messages)
	if req.Schema != nil {
		enc.Encode(req.Schema.Name)
		enc.Encode(req.Schema.JSON)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
