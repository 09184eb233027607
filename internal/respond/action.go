package respond

import (
	"fmt"
	"strings"
	"time"
)

// Type is what an action does.
type Type string

// Action types.
const (
	IsolateHost    Type = "isolate_host"
	ReleaseHost    Type = "release_host"
	RunAVScan      Type = "run_av_scan"
	CollectPackage Type = "collect_investigation_package"
	DisableUser    Type = "disable_user"
	RevokeSessions Type = "revoke_sessions"
	// BlockIP is a recommendation only: sleuth never executes it.
	BlockIP Type = "block_ip"
)

// Types lists every action type.
var Types = []Type{IsolateHost, ReleaseHost, RunAVScan, CollectPackage, DisableUser, RevokeSessions, BlockIP}

// ParseType accepts a type name as written in config and flags; "-" and
// "_" are interchangeable and a few short aliases are allowed.
func ParseType(s string) (Type, bool) {
	n := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	switch n {
	case "isolate":
		return IsolateHost, true
	case "release", "unisolate":
		return ReleaseHost, true
	case "av_scan", "scan":
		return RunAVScan, true
	case "collect_package", "investigation_package":
		return CollectPackage, true
	case "disable":
		return DisableUser, true
	case "revoke":
		return RevokeSessions, true
	}
	for _, t := range Types {
		if string(t) == n {
			return t, true
		}
	}
	return "", false
}

// Entity is what kind of thing an action targets.
type Entity string

// Target entity kinds.
const (
	Host Entity = "host"
	User Entity = "user"
	IP   Entity = "ip"
)

// Entity returns the kind of target t acts on.
func (t Type) Entity() Entity {
	switch t {
	case DisableUser, RevokeSessions:
		return User
	case BlockIP:
		return IP
	}
	return Host
}

// Recommendation reports whether t is only ever recommended.
func (t Type) Recommendation() bool { return t == BlockIP }

// Verb is the action in words, for prompts and reports.
func (t Type) Verb() string {
	switch t {
	case IsolateHost:
		return "isolate host"
	case ReleaseHost:
		return "release host from isolation"
	case RunAVScan:
		return "run antivirus scan on"
	case CollectPackage:
		return "collect investigation package from"
	case DisableUser:
		return "disable user"
	case RevokeSessions:
		return "revoke sign-in sessions of"
	case BlockIP:
		return "block IP (recommendation)"
	}
	return string(t)
}

// Status is where an action is in its life.
type Status string

// Action statuses.
const (
	Proposed  Status = "proposed"
	Approved  Status = "approved"
	Denied    Status = "denied"
	Executing Status = "executing"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
)

// Terminal reports whether s is an end state.
func (s Status) Terminal() bool { return s == Denied || s == Succeeded }

// PolicyActor is the actor of decisions the response policy takes.
const PolicyActor = "sleuth-policy"

// Transition is one step of an action's life.
type Transition struct {
	Status Status    `json:"status"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Reason string    `json:"reason,omitempty"`
}

// Action is one proposed or executed response action.
type Action struct {
	ID     string `json:"id"`
	Type   Type   `json:"type"`
	Target string `json:"target"`
	Status Status `json:"status"`
	// FindingID is the finding that implicated the target; Related lists
	// other findings that proposed the same action.
	FindingID string   `json:"finding_id"`
	Related   []string `json:"related_findings,omitempty"`
	// Connector is the connector that executes (or would execute) it.
	Connector string `json:"connector"`
	HuntID    string `json:"hunt_id,omitempty"`
	// Rule is the rule of thumb that proposed it and Why explains it.
	Rule     string   `json:"rule,omitempty"`
	Why      string   `json:"why,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
	// IsolationType (Full|Selective) and ScanType (Quick|Full) are the
	// options of isolation and antivirus scans.
	IsolationType string `json:"isolation_type,omitempty"`
	ScanType      string `json:"scan_type,omitempty"`
	// Protection is "confirm" when the target is a protected asset that
	// needs a second confirmation, "forbid" when no action may touch it.
	Protection string `json:"protection,omitempty"`
	// Key is the idempotency key of the current attempt; the connector
	// embeds it in the call so a restarted sleuth can find the call.
	Key     string `json:"idempotency_key"`
	Attempt int    `json:"attempt,omitempty"`
	// Resolved is the target as the connector knows it (machine id, user
	// object id, endpoint id) and RemoteID the connector's id of the call
	// (machine action id, Elastic action id).
	Resolved *Target `json:"resolved,omitempty"`
	RemoteID string  `json:"remote_id,omitempty"`
	// Outcome says what execution found or did, such as "already isolated
	// (no-op)".
	Outcome string       `json:"outcome,omitempty"`
	History []Transition `json:"history"`
}

// Created is when the action was proposed.
func (a *Action) Created() time.Time {
	if len(a.History) == 0 {
		return time.Time{}
	}
	return a.History[0].Time
}

// Updated is the time of the latest transition.
func (a *Action) Updated() time.Time {
	if len(a.History) == 0 {
		return time.Time{}
	}
	return a.History[len(a.History)-1].Time
}

// LastReason is the reason of the latest transition.
func (a *Action) LastReason() string {
	if len(a.History) == 0 {
		return ""
	}
	return a.History[len(a.History)-1].Reason
}

// since is when the action last entered status s.
func (a *Action) since(s Status) time.Time {
	for i := len(a.History) - 1; i >= 0; i-- {
		if a.History[i].Status == s {
			return a.History[i].Time
		}
	}
	return time.Time{}
}

// allowed lists the transitions of the lifecycle. A failed action may be
// approved again to retry it with a new idempotency key.
var allowed = map[Status][]Status{
	"":        {Proposed, Denied},
	Proposed:  {Approved, Denied},
	Approved:  {Executing, Denied},
	Executing: {Succeeded, Failed},
	Failed:    {Approved, Denied},
}

// move records a transition, refusing one the lifecycle does not allow.
func (a *Action) move(to Status, at time.Time, actor, reason string) error {
	ok := false
	for _, s := range allowed[a.Status] {
		ok = ok || s == to
	}
	if !ok {
		return errorf("respond.state", stateHint(a), "%s is %s; it cannot become %s", a.ID, a.Status, to)
	}
	a.Status = to
	a.History = append(a.History, Transition{Status: to, Time: at.UTC(), Actor: actor, Reason: reason})
	return nil
}

func stateHint(a *Action) string {
	switch a.Status {
	case Denied:
		return "a denied action stays denied; propose it again from a new hunt or use 'sleuth respond release'"
	case Succeeded:
		return "it already ran; see 'sleuth respond list'"
	case Executing:
		return "it is running or was interrupted; 'sleuth respond approve " + a.ID + "' checks and resumes it"
	}
	return "see 'sleuth respond list' for the action's status"
}

// Describe is the action in one line: "isolate host ws1 (finding F1)".
func (a *Action) Describe() string {
	s := fmt.Sprintf("%s %s", a.Type.Verb(), a.Target)
	if a.IsolationType != "" && a.Type == IsolateHost {
		s += " (" + a.IsolationType + ")"
	}
	if a.ScanType != "" && a.Type == RunAVScan {
		s += " (" + a.ScanType + ")"
	}
	if a.FindingID != "" {
		s += " for finding " + a.FindingID
	}
	return s
}

// Comment is the text the connector attaches to the call. It carries the
// action id and idempotency key, so the call can be found again.
func (a *Action) Comment() string {
	why := a.Why
	if why == "" {
		why = a.Type.Verb()
	}
	c := fmt.Sprintf("sleuth %s: %s", a.ID, why)
	if a.FindingID != "" {
		c += " (finding " + a.FindingID + ")"
	}
	return c + " [" + a.Key + "]"
}
