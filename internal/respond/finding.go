package respond

import (
	"encoding/json"
	"fmt"
)

// Finding is what the hunt hands to Propose: a conclusion about activity,
// with the entities it implicates. Only the entity lists are used to choose
// targets; titles and evidence text are never mined for names, so an action
// is never proposed for an entity the finding does not implicate.
type Finding struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Severity is informational, low, medium, high or critical.
	Severity string `json:"severity"`
	// Confidence is 0–1.
	Confidence float64 `json:"confidence"`
	// Techniques are ATT&CK ids (T1003.001); Tactics are names, short names
	// or ids ("Credential Access", "credential-access", "TA0006").
	Techniques []string `json:"techniques,omitempty"`
	Tactics    []string `json:"tactics,omitempty"`
	// Tags name behaviours the rules look for: spray-success,
	// impossible-travel, mfa-fatigue-approved, ransomware, malicious-ip, c2,
	// credential-dump.
	Tags []string `json:"tags,omitempty"`
	// Hosts, Users and IPs are the entities the finding implicates. For
	// lateral movement, Hosts holds both source and target.
	Hosts []string `json:"hosts,omitempty"`
	Users []string `json:"users,omitempty"`
	IPs   []string `json:"ips,omitempty"`
	// Evidence refers to what backs the finding (query ids, event ids).
	Evidence []string `json:"evidence,omitempty"`
	HuntID   string   `json:"hunt_id,omitempty"`
}

// severityRank orders severities for the per-hunt cap.
func severityRank(s string) int {
	switch s {
	case "critical":
		return 4
	case "high":
		return 3
	case "medium":
		return 2
	case "low":
		return 1
	}
	return 0
}

// UnmarshalJSON reads a finding as written here or as the hunt's report
// writes it: techniques may be ids or objects {"id", "tactic"} (whose
// tactics are added to Tactics), entities may sit under "entities"
// {"hosts", "users", "ips"}, and evidence may be strings or objects
// (their rule_id or title is kept).
func (f *Finding) UnmarshalJSON(b []byte) error {
	type plain Finding
	var raw struct {
		plain
		Techniques []json.RawMessage `json:"techniques"`
		Evidence   []json.RawMessage `json:"evidence"`
		Entities   *struct {
			Hosts []string `json:"hosts"`
			Users []string `json:"users"`
			IPs   []string `json:"ips"`
		} `json:"entities"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*f = Finding(raw.plain)
	f.Techniques, f.Evidence = nil, nil
	for _, t := range raw.Techniques {
		var id string
		if json.Unmarshal(t, &id) == nil {
			f.Techniques = append(f.Techniques, id)
			continue
		}
		var obj struct{ ID, Tactic string }
		if err := json.Unmarshal(t, &obj); err != nil {
			return fmt.Errorf("techniques: want an id or {\"id\",\"tactic\"}, found %s", t)
		}
		f.Techniques = append(f.Techniques, obj.ID)
		if obj.Tactic != "" {
			f.Tactics = append(f.Tactics, obj.Tactic)
		}
	}
	for _, e := range raw.Evidence {
		var s string
		if json.Unmarshal(e, &s) == nil {
			f.Evidence = append(f.Evidence, s)
			continue
		}
		var obj struct {
			RuleID string `json:"rule_id"`
			Title  string `json:"title"`
		}
		if json.Unmarshal(e, &obj) == nil && (obj.RuleID != "" || obj.Title != "") {
			f.Evidence = append(f.Evidence, firstNonEmpty(obj.RuleID, obj.Title))
		}
	}
	if raw.Entities != nil {
		f.Hosts = append(f.Hosts, raw.Entities.Hosts...)
		f.Users = append(f.Users, raw.Entities.Users...)
		f.IPs = append(f.IPs, raw.Entities.IPs...)
	}
	return nil
}
