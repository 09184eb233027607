// Package plan turns an analyst's question into a hunt plan: which tables to
// read, over which window, scoped to which entities, focused on which ATT&CK
// tactics, and why. The offline planner here needs no LLM; an LLM planner
// produces the same Plan and goes through the same validation.
package plan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Plan is what a hunt will do.
type Plan struct {
	Question   string       `json:"question"`
	Tables     []string     `json:"tables"`
	Start      time.Time    `json:"start"`
	End        time.Time    `json:"end"`
	Entities   Entities     `json:"entities"`
	Focus      Focus        `json:"focus"`
	Rationale  string       `json:"rationale"`
	Planner    string       `json:"planner"` // "offline" or "llm:<model>"
	Unresolved []Unresolved `json:"unresolved,omitempty"`
	// Anchored is set when the window was moved to where the data is.
	Anchored bool `json:"anchored,omitempty"`
}

// Focus is what the hunt looks for: ATT&CK tactics (short names such as
// credential-access), techniques, and the topics that chose them.
type Focus struct {
	Topics     []string `json:"topics"`
	Tactics    []string `json:"tactics"`
	Techniques []string `json:"techniques"`
	Broad      bool     `json:"broad"` // "anything suspicious": every tactic counts
}

// Input is what the offline planner reads.
type Input struct {
	Question string
	Now      time.Time
	// DefaultWindow applies when the question names no time (default 7 days).
	DefaultWindow time.Duration
	// Catalog is the tables that exist where the hunt runs.
	Catalog *catalog.Catalog
	// Index resolves entity names against the data; nil resolves nothing.
	Index *Index
	// DataStart and DataEnd bound the events present, when known. A window
	// that lies wholly outside is moved onto the data, and the plan says so.
	DataStart, DataEnd time.Time
	// HasRows reports whether a table holds data in scope; nil means all do.
	HasRows func(table string) bool
}

// DefaultWindow is the window of a question that names no time.
const DefaultWindow = 7 * 24 * time.Hour

// Offline plans a hunt from the question alone, by rules.
func Offline(in Input) (*Plan, error) {
	q := strings.TrimSpace(in.Question)
	if q == "" {
		return nil, &Error{Code: "plan.empty", Msg: "the question is empty", Hint: `ask something like "suspicious sign-ins in the last 24 hours"`}
	}
	if in.DefaultWindow <= 0 {
		in.DefaultWindow = DefaultWindow
	}
	p := &Plan{Question: q, Planner: "offline"}
	var why []string

	w, ok := ParseWindow(q, in.Now)
	if ok {
		why = append(why, fmt.Sprintf("Window %s to %s, from %q.", stamp(w.Start), stamp(w.End), w.Phrase))
	} else {
		w = Window{Start: in.Now.Add(-in.DefaultWindow), End: in.Now}
		why = append(why, fmt.Sprintf("The question names no time, so the hunt covers the default window: the %s before %s.", human(in.DefaultWindow), stamp(in.Now)))
	}
	if a, moved := anchor(w, in.DataStart, in.DataEnd); moved {
		w = a
		p.Anchored = true
		why = append(why, fmt.Sprintf("The newest event in the data is %s, older than the window asked for, so the window is anchored to the data: %s to %s.", stamp(in.DataEnd), stamp(w.Start), stamp(w.End)))
	}
	p.Start, p.End = w.Start, w.End

	p.Entities, p.Unresolved = extract(q, in.Index)
	for _, u := range p.Unresolved {
		msg := fmt.Sprintf("%q is not in the data", u.Text)
		if len(u.Suggestions) > 0 {
			msg += "; closest: " + strings.Join(u.Suggestions, ", ")
		}
		why = append(why, msg+".")
	}

	ts := matchTopics(q)
	switch {
	case len(ts) > 0:
		for _, t := range ts {
			p.Focus.Topics = append(p.Focus.Topics, t.Name)
			p.Tables = append(p.Tables, t.Tables...)
			p.Focus.Tactics = append(p.Focus.Tactics, t.Tactics...)
			p.Focus.Techniques = append(p.Focus.Techniques, t.Techniques...)
		}
		why = append(why, fmt.Sprintf("Topics: %s.", strings.Join(p.Focus.Topics, ", ")))
		if broadTopic.Pattern.MatchString(q) && !p.Entities.Empty() {
			// "was web01 compromised via RDP?" keeps the RDP focus but also
			// reads every table that mentions the entity.
			p.Tables = append(p.Tables, entityTables(in.Catalog, p.Entities)...)
		}
	case !p.Entities.Empty():
		p.Focus.Broad = true
		p.Focus.Topics = []string{"entity activity"}
		p.Tables = entityTables(in.Catalog, p.Entities)
		why = append(why, "No topic named; reading every table that records the named entities, for every tactic.")
	default:
		p.Focus.Broad = true
		p.Focus.Topics = []string{broadTopic.Name}
		p.Tables = append(p.Tables, broadTopic.Tables...)
		why = append(why, "A broad question: reading every table sleuth hunts, for every tactic.")
	}
	if broadTopic.Pattern.MatchString(q) {
		p.Focus.Broad = p.Focus.Broad || len(ts) == 0
	}
	p.Tables = Available(in, dedupe(p.Tables))
	if len(p.Tables) == 0 {
		return nil, &Error{Code: "plan.no_tables", Msg: "none of the tables this question needs holds data here",
			Hint: "load data with 'sleuth lab generate' or 'sleuth ingest', or ask about what the store holds ('sleuth tables')"}
	}
	p.Focus.Tactics, p.Focus.Techniques = dedupe(p.Focus.Tactics), dedupe(p.Focus.Techniques)
	why = append(why, fmt.Sprintf("Tables: %s.", strings.Join(p.Tables, ", ")))
	p.Rationale = strings.Join(why, " ")
	return p, nil
}

// entityTables are the catalog tables with a column of each named entity's role.
func entityTables(cat *catalog.Catalog, e Entities) []string {
	if cat == nil {
		return nil
	}
	var roles []catalog.Role
	if len(e.Hosts) > 0 {
		roles = append(roles, catalog.RoleHost)
	}
	if len(e.Users) > 0 {
		roles = append(roles, catalog.RoleUser)
	}
	if len(e.IPs) > 0 {
		roles = append(roles, catalog.RoleIP)
	}
	if len(e.Processes) > 0 {
		roles = append(roles, catalog.RoleProcess)
	}
	if len(e.Files) > 0 {
		roles = append(roles, catalog.RoleFile)
	}
	var out []string
	for _, t := range cat.Tables() {
		if !slices.Contains(broadTopic.Tables, t.Name) {
			continue // hunt the tables sleuth knows how to read, not every schema
		}
		for _, r := range roles {
			if len(t.ColumnsWithRole(r)) > 0 {
				out = append(out, t.Name)
				break
			}
		}
	}
	return out
}

// Available keeps the tables that exist where the hunt runs and hold data.
func Available(in Input, tables []string) []string {
	var out []string
	for _, t := range tables {
		if in.Catalog != nil {
			if _, ok := in.Catalog.Table(t); !ok {
				continue
			}
		}
		if in.HasRows != nil && !in.HasRows(t) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// anchor moves a window that lies after the newest event (or before the
// oldest) onto the data, keeping its length.
func anchor(w Window, dataStart, dataEnd time.Time) (Window, bool) {
	if dataEnd.IsZero() {
		return w, false
	}
	if !w.Start.After(dataEnd) && (dataStart.IsZero() || !w.End.Before(dataStart)) {
		return w, false
	}
	d := w.Duration()
	end := dataEnd.Add(time.Second) // the window is half-open; keep the newest event
	return Window{Start: end.Add(-d), End: end, Phrase: w.Phrase}, true
}

// Error is a planning failure with a stable code.
type Error struct {
	Code string
	Msg  string
	Hint string
}

func (e *Error) Error() string     { return e.Msg }
func (e *Error) ErrorCode() string { return e.Code }
func (e *Error) ErrorHint() string { return e.Hint }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func human(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "24 hours"
		}
		return fmt.Sprintf("%d days", n)
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return d.String()
}
