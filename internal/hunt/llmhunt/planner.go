package llmhunt

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// Planner asks the model for a plan (implements hunt.Planner). Its answer
// meets the same checks as the offline plan and then some: tables must be
// among those offered, the window inside the policy, entities named in the
// question and present in the data, tactics and techniques real. One
// repair round, then an error, on which the engine falls back to the
// offline planner and says so.
type Planner struct {
	S *Session
	// MaxWindow is the longest window the policy allows (30 days when 0).
	MaxWindow time.Duration
	// MaxOutputTokens caps the answer (800 when 0: a plan is short).
	MaxOutputTokens int
}

// planAnswer is the structured answer; field descriptions go to the model
// through the schema.
type planAnswer struct {
	Tables     []string     `json:"tables" jsonschema:"tables to read, only from the catalog given"`
	Start      string       `json:"start" jsonschema:"window start, RFC 3339 UTC"`
	End        string       `json:"end" jsonschema:"window end, RFC 3339 UTC"`
	Entities   []planEntity `json:"entities" jsonschema:"hosts, users or IP addresses the question names; empty when it names none"`
	Topics     []string     `json:"topics" jsonschema:"a few words on what to look for"`
	Tactics    []string     `json:"tactics" jsonschema:"ATT&CK tactic short names, e.g. credential-access"`
	Techniques []string     `json:"techniques" jsonschema:"ATT&CK technique IDs, e.g. T1110.003"`
	Broad      bool         `json:"broad" jsonschema:"true when the question asks for anything suspicious"`
	Rationale  string       `json:"rationale" jsonschema:"one or two sentences on why"`
}

type planEntity struct {
	Role  string `json:"role" jsonschema:"host, user or ip"`
	Value string `json:"value" jsonschema:"the name exactly as the question writes it"`
}

const planSystem = `You plan threat hunts for a SOC analyst. From the analyst's question choose which of the listed tables to read, the time window, the entities the question names, and the MITRE ATT&CK tactics and techniques to focus on. Use only tables from the catalog. Name only entities written in the question. Keep the window to what the question asks; when it names no time use the default window given. Answer with the JSON object only.`

// Plan implements hunt.Planner.
func (p *Planner) Plan(ctx context.Context, in plan.Input) (*plan.Plan, error) {
	pl, err := p.ask(ctx, in)
	return pl, withHint(err)
}

func (p *Planner) ask(ctx context.Context, in plan.Input) (*plan.Plan, error) {
	if strings.TrimSpace(in.Question) == "" {
		return plan.Offline(in) // the offline planner owns the empty-question error
	}
	schema, err := llm.SchemaFor[planAnswer]("hunt_plan", "A threat-hunting plan")
	if err != nil {
		return nil, err
	}
	var focus []string
	if off, err := plan.Offline(in); err == nil {
		focus = off.Tables
	}
	req := llm.Request{Model: p.S.Model, System: planSystem, Purpose: "plan", MaxOutputTokens: p.maxOutput(),
		Messages: []llm.Message{{Role: llm.RoleUser, Content: p.prompt(in, focus)}}}
	var ans planAnswer
	resp, err := llm.Ask(ctx, p.S.Client, req, schema, 1, &ans)
	if err != nil {
		return nil, err
	}
	pl, verr := p.validate(in, ans)
	if verr == nil {
		return pl, nil
	}
	// One repair round with the validation errors, as for a schema error.
	req.Messages = append(req.Messages,
		llm.Message{Role: llm.RoleAssistant, Content: string(resp.JSON)},
		llm.Message{Role: llm.RoleUser, Content: "The plan breaks the hunt's policy:\n" + verr.Error() + "\nReturn the whole corrected JSON object and nothing else."})
	req.Purpose = "plan/repair"
	ans = planAnswer{}
	if _, err := llm.Ask(ctx, p.S.Client, req, schema, 0, &ans); err != nil {
		return nil, err
	}
	pl, verr = p.validate(in, ans)
	if verr != nil {
		return nil, &llm.Error{Code: llm.CodeBadResponse, Provider: p.S.Client.Provider.Name(), Model: p.S.Model,
			Msg: "the plan still breaks the policy after a repair round: " + strings.ReplaceAll(verr.Error(), "\n", "; ")}
	}
	return pl, nil
}

func (p *Planner) maxOutput() int {
	if p.MaxOutputTokens > 0 {
		return p.MaxOutputTokens
	}
	return 800
}

func (p *Planner) maxWindow() time.Duration {
	if p.MaxWindow > 0 {
		return p.MaxWindow
	}
	return 30 * 24 * time.Hour
}

func (p *Planner) prompt(in plan.Input, focus []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Now: %s\n", in.Now.UTC().Format(time.RFC3339))
	if !in.DataEnd.IsZero() {
		fmt.Fprintf(&b, "Events in the data: %s to %s\n", in.DataStart.UTC().Format(time.RFC3339), in.DataEnd.UTC().Format(time.RFC3339))
	}
	dw := in.DefaultWindow
	if dw <= 0 {
		dw = plan.DefaultWindow
	}
	fmt.Fprintf(&b, "Default window: %s; the longest allowed: %s\n", dw, p.maxWindow())
	b.WriteString("Catalog (tables; role says which entity a column names):\n")
	b.WriteString(compactCatalog(in, focus))
	// The question is the analyst's, not log data, but it is still quoted
	// as a string so nothing in it reads as part of these instructions.
	fmt.Fprintf(&b, "\nQuestion: %q", llm.Sanitize(in.Question, 600))
	return b.String()
}

// validate turns the answer into a plan, or lists every way it breaks the
// policy (ValidationErrors, ready for a repair round).
func (p *Planner) validate(in plan.Input, a planAnswer) (*plan.Plan, error) {
	var errs llm.ValidationErrors
	bad := func(path, format string, args ...any) {
		errs = append(errs, llm.ValidationError{Path: path, Reason: fmt.Sprintf(format, args...)})
	}
	pl := &plan.Plan{Question: strings.TrimSpace(in.Question), Planner: "llm:" + p.S.Model, Rationale: llm.Sanitize(a.Rationale, 600)}

	allowed := offered(in)
	for i, t := range a.Tables {
		name := strings.TrimSpace(t)
		if tab, ok := in.Catalog.TableFold(name); ok {
			name = tab.Name
		}
		if !slices.Contains(allowed, name) {
			bad(fmt.Sprintf("$.tables[%d]", i), "%q is not one of the tables offered (%s)", t, strings.Join(allowed, ", "))
			continue
		}
		if !slices.Contains(pl.Tables, name) {
			pl.Tables = append(pl.Tables, name)
		}
	}
	if len(a.Tables) == 0 {
		bad("$.tables", "name at least one table")
	}

	start, err1 := time.Parse(time.RFC3339, strings.TrimSpace(a.Start))
	end, err2 := time.Parse(time.RFC3339, strings.TrimSpace(a.End))
	switch {
	case err1 != nil:
		bad("$.start", "not an RFC 3339 time: %q", a.Start)
	case err2 != nil:
		bad("$.end", "not an RFC 3339 time: %q", a.End)
	default:
		start, end = start.UTC(), end.UTC()
		pl.Start, pl.End = start, end
		latest := in.Now.Add(time.Hour)
		if in.DataEnd.After(latest) {
			latest = in.DataEnd.Add(time.Hour)
		}
		switch {
		case !end.After(start):
			bad("$.end", "the window ends (%s) before it starts (%s)", a.End, a.Start)
		case end.Sub(start) > p.maxWindow():
			bad("$.start", "the window is %s long; the policy allows at most %s", end.Sub(start).Round(time.Hour), p.maxWindow())
		case end.After(latest):
			bad("$.end", "the window ends after now (%s)", in.Now.UTC().Format(time.RFC3339))
		case !in.DataEnd.IsZero() && (start.After(in.DataEnd) || end.Before(in.DataStart)):
			// The offline planner anchors such a window onto the data;
			// the model is told where the data is, so this is its error.
			bad("$.start", "the window holds no data; events run from %s to %s", in.DataStart.UTC().Format(time.RFC3339), in.DataEnd.UTC().Format(time.RFC3339))
		}
	}

	q := strings.ToLower(in.Question)
	for i, e := range a.Entities {
		path := fmt.Sprintf("$.entities[%d]", i)
		role := catalog.Role(strings.ToLower(strings.TrimSpace(e.Role)))
		v := strings.TrimSpace(e.Value)
		switch {
		case role != catalog.RoleHost && role != catalog.RoleUser && role != catalog.RoleIP:
			bad(path+".role", "%q: use host, user or ip", e.Role)
			continue
		case v == "" || !strings.Contains(q, strings.ToLower(v)):
			bad(path+".value", "%q is not written in the question; name only entities the question names", e.Value)
			continue
		}
		resolveEntity(in.Index, role, v, pl)
	}

	tac := p.S.attack()
	for i, t := range a.Tactics {
		x, ok := tac.Tactic(t)
		if !ok {
			bad(fmt.Sprintf("$.tactics[%d]", i), "%q is not an ATT&CK tactic", t)
			continue
		}
		pl.Focus.Tactics = appendNew(pl.Focus.Tactics, x.Short)
	}
	for i, id := range a.Techniques {
		if !tac.Valid(id) {
			bad(fmt.Sprintf("$.techniques[%d]", i), "%q is not an active ATT&CK technique ID", id)
			continue
		}
		pl.Focus.Techniques = appendNew(pl.Focus.Techniques, strings.ToUpper(strings.TrimSpace(id)))
	}
	for _, t := range a.Topics {
		if t = llm.Sanitize(t, 40); t != "" && len(pl.Focus.Topics) < 6 {
			pl.Focus.Topics = appendNew(pl.Focus.Topics, t)
		}
	}
	pl.Focus.Broad = a.Broad
	if len(errs) > 0 {
		return nil, errs
	}
	return pl, nil
}

// resolveEntity scopes the plan to the data's spellings of what the
// question named, or records it as unresolved with suggestions, as the
// offline planner does.
func resolveEntity(ix *plan.Index, role catalog.Role, v string, pl *plan.Plan) {
	if role == catalog.RoleIP {
		if _, err := netip.ParseAddr(v); err == nil {
			pl.Entities.Add(role, v)
			return
		}
	}
	found := ix.Resolve(role, v)
	if len(found) == 0 {
		pl.Unresolved = append(pl.Unresolved, plan.Unresolved{Text: v, Role: role, Suggestions: ix.Closest(role, v, 3)})
		return
	}
	for _, f := range found {
		pl.Entities.Add(role, f)
	}
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
