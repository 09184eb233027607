package detect

import (
	"time"

	"github.com/sleuth-hunt/sleuth/internal/entity"
)

// Levels of a signal, as Sigma spells them, from least to most severe.
var Levels = []string{"informational", "low", "medium", "high", "critical"}

// LevelRank orders levels: informational 0 … critical 4; unknown levels are 0.
func LevelRank(level string) int {
	for i, l := range Levels {
		if l == level {
			return i
		}
	}
	return 0
}

// Signal is one rule's match over a group of events: the events of one
// actor or target close together in time.
type Signal struct {
	RuleID      string     `json:"rule_id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Level       string     `json:"level"`
	Kind        string     `json:"kind"` // sigma, correlation or analytic
	Techniques  []string   `json:"techniques"`
	Tactics     []string   `json:"tactics,omitempty"`
	Table       string     `json:"table"`
	FirstSeen   time.Time  `json:"first_seen"`
	LastSeen    time.Time  `json:"last_seen"`
	Count       int        `json:"count"`
	Entities    entity.Set `json:"entities"`
	// Subject is the entity the events were grouped by: the host of an
	// endpoint table, the user of an identity table, the source address of
	// a flow table, or a correlation's group-by values.
	Subject string `json:"subject,omitempty"`
	// KQL reproduces the signal: the rule's query scoped to its window and,
	// where it helps, its subject. Paste it into Sentinel.
	KQL string `json:"kql"`
	// Samples are a few of the matching rows, keyed by column name.
	Samples        []map[string]any `json:"samples"`
	FalsePositives []string         `json:"falsepositives,omitempty"`
}
