package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// Entry kinds. The data recorded with each is described next to it; the
// structs below give the common shapes.
const (
	KindHuntStart = "hunt.start"      // the question, source, window, options
	KindPlan      = "hunt.plan"       // the plan the hunt will run
	KindQuery     = "query"           // Query
	KindLLMCall   = "llm.call"        // LLMCall
	KindFinding   = "finding"         // a finding as the report shows it
	KindProposal  = "action.proposed" // a proposed response action
	KindDecision  = "action.decision" // approval, denial or policy refusal, with reason
	KindAPICall   = "api.call"        // APICall
	KindOutcome   = "action.outcome"  // an action's state change after execution
)

// Query records one query a hunt ran.
type Query struct {
	KQL       string `json:"kql"`
	Source    string `json:"source,omitempty"`
	Rows      int    `json:"rows"`
	RowsHash  string `json:"rows_hash"`
	Truncated bool   `json:"truncated,omitempty"`
	Millis    int64  `json:"ms,omitempty"`
}

// LLMCall records one call to a language model. The prompt itself is not
// kept, only its hash, so the log can prove which prompt was sent without
// copying telemetry into it.
type LLMCall struct {
	Provider     string  `json:"provider,omitempty"`
	Model        string  `json:"model"`
	InputTokens  int     `json:"input_tokens"`
	OutputTokens int     `json:"output_tokens"`
	CostUSD      float64 `json:"cost_usd"`
	PromptHash   string  `json:"prompt_hash"`
}

// APICall records one call a response connector made. Headers are never
// recorded: they carry the credentials.
type APICall struct {
	Connector string `json:"connector"`
	Method    string `json:"method"`
	URL       string `json:"url"`
	Status    int    `json:"status"`
	ActionID  string `json:"action_id,omitempty"`
	Error     string `json:"error,omitempty"`
}

// HashText is the hex SHA-256 of s, for prompts and other text the log
// refers to without copying.
func HashText(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// HashRows is the hex SHA-256 of a result's columns and rows in a canonical
// JSON encoding, so a later run can show it saw the same data.
func HashRows(set *rows.Set) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	if set == nil {
		enc.Encode(nil)
		return hex.EncodeToString(h.Sum(nil))
	}
	enc.Encode(set.Columns)
	for _, r := range set.Rows {
		// Values are plain Go values (strings, numbers, times, durations,
		// decoded JSON with sorted map keys), so the encoding is stable.
		if err := enc.Encode(r); err != nil {
			enc.Encode(err.Error())
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
