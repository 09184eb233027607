// Package hunt runs sleuth's main job: plan → guard → query → detect →
// triage → iterate → enrich → report. This file holds the findings a hunt
// produces; report rendering lives in internal/report.
package hunt

import (
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/entity"
)

// Severities, from least to most severe.
const (
	SevInformational = "informational"
	SevLow           = "low"
	SevMedium        = "medium"
	SevHigh          = "high"
	SevCritical      = "critical"
)

// SeverityRank orders severities: informational 0 … critical 4.
func SeverityRank(s string) int { return detect.LevelRank(s) }

// Technique is an ATT&CK technique as a finding reports it.
type Technique struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Tactic string `json:"tactic"`
}

// Finding is a group of signals that belong to one story: one actor or
// target, close in time, or one attack chain.
type Finding struct {
	ID              string          `json:"id"`
	Title           string          `json:"title"`
	Description     string          `json:"description"`
	Severity        string          `json:"severity"`
	Confidence      float64         `json:"confidence"`
	Techniques      []Technique     `json:"techniques"`
	Entities        entity.Set      `json:"entities"`
	FirstSeen       time.Time       `json:"first_seen"`
	LastSeen        time.Time       `json:"last_seen"`
	Evidence        []Evidence      `json:"evidence"`
	Rules           []string        `json:"rules"`
	HuntingQuery    string          `json:"hunting_query"`
	Recommendations []string        `json:"recommendations"`
	Context         []string        `json:"context,omitempty"` // why confidence moved up or down
	Timeline        []TimelineEntry `json:"timeline,omitempty"`
	// Verdict is the LLM analyst's view, when one ran; it never removes a finding.
	Verdict *Verdict `json:"verdict,omitempty"`
}

// Subjects is the set of entities the finding's signals were about (their
// subjects), lower-cased: the account a spray compromised rather than every
// account it tried, the host a rule fired on rather than every address it
// talked to.
func (f *Finding) Subjects() map[string]bool {
	out := map[string]bool{}
	for _, ev := range f.Evidence {
		for _, s := range strings.Split(ev.Subject, ",") { // a correlation's subject is "Col=value, Col=value"
			if _, v, ok := strings.Cut(s, "="); ok {
				s = v
			}
			if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
				out[s] = true
			}
		}
	}
	return out
}

// Evidence is one signal of a finding, with the rows that show it.
type Evidence struct {
	RuleID string `json:"rule_id"`
	Title  string `json:"title"`
	Level  string `json:"level"`
	Table  string `json:"table"`
	// Subject is the entity the signal was grouped by (a host, a user, an
	// address): the one the signal is about, where Entities are every one
	// it touched.
	Subject string `json:"subject,omitempty"`
	// Entities are the ones this signal touched.
	Entities  entity.Set       `json:"entities"`
	Count     int              `json:"count"`
	FirstSeen time.Time        `json:"first_seen"`
	LastSeen  time.Time        `json:"last_seen"`
	KQL       string           `json:"kql"`
	Samples   []map[string]any `json:"samples,omitempty"`
}

// TimelineEntry is one event around a finding, from the enrichment pivots.
type TimelineEntry struct {
	Time    time.Time `json:"time"`
	Table   string    `json:"table"`
	Summary string    `json:"summary"`
	Related bool      `json:"related,omitempty"` // the event is one of the finding's own matches
}

// Verdict is an LLM analyst's opinion on a finding.
type Verdict struct {
	Decision   string   `json:"decision"` // confirm, dismiss or escalate
	Confidence string   `json:"confidence"`
	Reasons    []string `json:"reasons"`
	Narrative  string   `json:"narrative,omitempty"`
	Model      string   `json:"model"`
	// The rest is the analyst's threat write-up; every item was validated
	// (techniques exist in ATT&CK, log lines are rows the model was shown,
	// indicators occur in that evidence).
	Title           string      `json:"title,omitempty"`
	Techniques      []Technique `json:"techniques,omitempty"`
	LogLines        []string    `json:"log_lines,omitempty"`
	IOCs            []IOC       `json:"iocs,omitempty"`
	Tags            []string    `json:"tags,omitempty"`
	Recommendations []string    `json:"recommendations,omitempty"`
	Notes           string      `json:"notes,omitempty"`
}

// IOC is an indicator of compromise an analyst verdict names.
type IOC struct {
	Type  string `json:"type"` // ip, domain, url, hash, user, host, file, process, other
	Value string `json:"value"`
}
