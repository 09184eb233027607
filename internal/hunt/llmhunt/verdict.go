package llmhunt

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// Bounds on what a verdict may do to a finding. The model reads data an
// attacker may have written, so its say is limited: it moves confidence by
// at most MaxConfidenceShift, towards Low 0.3, Medium 0.6 or High 0.85,
// and never below MinConfidence; a dismissal of a high or critical finding
// moves nothing and is only shown beside the evidence; escalation never
// lowers confidence; severity, entities, evidence and the finding itself
// are never changed.
const (
	MaxConfidenceShift = 0.15
	MinConfidence      = 0.05
	MaxConfidence      = 0.99
)

var confidenceTarget = map[string]float64{"low": 0.3, "medium": 0.6, "high": 0.85}

// Verdict decisions.
const (
	Confirm  = "confirm"
	Dismiss  = "dismiss"
	Escalate = "escalate"
)

// apply validates every item of the answer and applies those that pass;
// each item dropped, and each dismissal, becomes a notice in the report.
func (a *Analyst) apply(r *hunt.Report, evs []*findingEvidence, ans analysis) {
	byID := map[string]*findingEvidence{}
	for _, e := range evs {
		byID[e.f.ID] = e
		if e.flagged > 0 {
			e.f.Context = append(e.f.Context, fmt.Sprintf("%d of its events or fields hold instruction-like text aimed at an AI analyst (possible prompt injection)", e.flagged))
			a.S.notice(fmt.Sprintf("%s: %d event(s) or field(s) with instruction-like text; what the LLM saw of them was marked as data", e.f.ID, e.flagged))
		}
	}
	seen := map[string]bool{}
	for i, t := range ans.Findings {
		id := strings.TrimSpace(t.ID)
		e, ok := byID[id]
		switch {
		case !ok:
			a.S.notice(fmt.Sprintf("LLM verdict %d dropped: %q is not a finding it was shown", i+1, llm.Sanitize(t.ID, 40)))
			continue
		case seen[id]:
			a.S.notice(fmt.Sprintf("LLM verdict %d dropped: a second verdict for %s", i+1, id))
			continue
		}
		v, why := a.verdict(e, t)
		if why != "" {
			a.S.notice(fmt.Sprintf("LLM verdict on %s dropped: %s", id, why))
			continue
		}
		seen[id] = true
		a.settle(e.f, v, t.Confidence)
	}
	for _, e := range evs {
		if !seen[e.f.ID] {
			a.S.notice(fmt.Sprintf("%s: no valid LLM verdict; it stands on the offline analysis", e.f.ID))
		}
	}
}

// verdict checks one item against the evidence sent; a non-empty reason
// means it is dropped.
func (a *Analyst) verdict(e *findingEvidence, t threat) (*hunt.Verdict, string) {
	dec := strings.ToLower(strings.TrimSpace(t.Verdict))
	if dec != Confirm && dec != Dismiss && dec != Escalate {
		return nil, fmt.Sprintf("verdict %q is not confirm, dismiss or escalate", llm.Sanitize(t.Verdict, 30))
	}
	conf := strings.ToLower(strings.TrimSpace(t.Confidence))
	if _, ok := confidenceTarget[conf]; !ok {
		return nil, fmt.Sprintf("confidence %q is not Low, Medium or High", llm.Sanitize(t.Confidence, 30))
	}
	v := &hunt.Verdict{Decision: dec, Confidence: strings.ToUpper(conf[:1]) + conf[1:], Model: a.S.Model,
		Title: text(t.Title, 200), Tags: texts(t.Tags, 10, 40), Notes: text(t.Notes, 800)}
	v.Narrative = text(t.Description, 2000)
	v.Reasons = texts(t.Reasons, 8, 400)
	if id := strings.ToUpper(strings.TrimSpace(t.TechniqueID)); id != "" {
		cat := a.S.attack()
		tech, ok := cat.Technique(id)
		if !ok || !tech.Active() {
			return nil, fmt.Sprintf("technique %q is not an active ATT&CK technique", llm.Sanitize(t.TechniqueID, 20))
		}
		tactic := ""
		if x, ok := cat.Tactic(t.Tactic); ok && slices.Contains(tech.Tactics, x.Short) {
			tactic = x.Short
		} else if ts := cat.TacticsOf(id); len(ts) > 0 {
			tactic = ts[0].Short
		}
		v.Techniques = []hunt.Technique{{ID: tech.ID, Name: tech.Name, Tactic: tactic}}
	}
	for _, ref := range t.LogLines {
		b, n, ok := e.cited(ref)
		if !ok {
			return nil, fmt.Sprintf("it cites row %q, which was not in the evidence sent", llm.Sanitize(ref, 20))
		}
		v.LogLines = append(v.LogLines, b.table+": "+lineText(b.set, n))
	}
	evText := strings.ToLower(e.text)
	for _, x := range t.IOCs {
		val := strings.TrimSpace(x.Value)
		if val == "" || !strings.Contains(evText, strings.ToLower(val)) {
			a.S.notice(fmt.Sprintf("%s: indicator %q dropped: it is not in the evidence sent", e.f.ID, llm.Sanitize(val, 80)))
			continue
		}
		v.IOCs = append(v.IOCs, hunt.IOC{Type: text(strings.ToLower(x.Type), 20), Value: llm.Sanitize(val, 200)})
	}
	for _, rec := range t.Recommendations {
		if who := strangers(rec, e.f); len(who) > 0 {
			a.S.notice(fmt.Sprintf("%s: LLM recommendation dropped: it names %s, which no evidence of this finding implicates", e.f.ID, strings.Join(who, ", ")))
			continue
		}
		if s := text(rec, 300); s != "" && len(v.Recommendations) < 8 {
			v.Recommendations = append(v.Recommendations, s)
		}
	}
	return v, ""
}

// settle puts the verdict beside the finding and moves its confidence
// within the bounds; severity never moves.
func (a *Analyst) settle(f *hunt.Finding, v *hunt.Verdict, conf string) {
	f.Verdict = v
	old := f.Confidence
	target := confidenceTarget[strings.ToLower(strings.TrimSpace(conf))]
	if v.Decision == Dismiss {
		target = min(target, confidenceTarget["low"])
	}
	lo, hi := old-MaxConfidenceShift, old+MaxConfidenceShift
	switch {
	case v.Decision == Dismiss && hunt.SeverityRank(f.Severity) >= hunt.SeverityRank(hunt.SevHigh):
		lo, hi = old, old // shown, not acted on: a high or critical rule fired
		a.S.notice(fmt.Sprintf("the LLM dismissed %s (%s): the dismissal is shown beside the evidence; the finding keeps its severity and confidence", f.ID, f.Severity))
	case v.Decision == Dismiss:
		hi = old
		a.S.notice(fmt.Sprintf("the LLM dismissed %s (%s): shown beside the evidence; the finding stays, its confidence may drop by at most %.2f", f.ID, f.Severity, MaxConfidenceShift))
	case v.Decision == Escalate:
		lo = old
	}
	nc := min(max(target, lo), hi, MaxConfidence)
	nc = max(nc, min(old, MinConfidence))
	if nc != old {
		f.Confidence = nc
	}
	f.Context = append(f.Context, fmt.Sprintf("LLM analyst (%s): %s, %s confidence; confidence %.2f → %.2f", a.S.Model, v.Decision, v.Confidence, old, f.Confidence))
}

// actionVerb marks a recommendation that would act on something.
var actionVerb = regexp.MustCompile(`(?i)\b(isolat|quarantin|disabl|block|reset|lock|reimag|shut\s*down|delet|revok|suspend|wipe|remov|contain)`)

// nameLike matches tokens that name a specific host, account or address:
// they hold a digit, an @, a backslash or a dot between letters.
var nameLike = regexp.MustCompile(`[\pL\pN][\pL\pN._@\\$-]*[\pL\pN$]`)

// strangers are the specific names an acting recommendation gives that are
// not among the finding's entities. A recommendation to "isolate DC01" on a
// finding about a sign-in spray names a stranger and is dropped: the model
// may advise, but never point response at something the evidence does not.
func strangers(rec string, f *hunt.Finding) []string {
	if !actionVerb.MatchString(rec) {
		return nil
	}
	known := map[string]bool{}
	for _, list := range [][]string{f.Entities.Hosts, f.Entities.Users, f.Entities.IPs, f.Entities.Processes, f.Entities.Files} {
		for _, v := range list {
			l := strings.ToLower(v)
			known[l] = true
			if i := strings.IndexAny(l, ".@"); i > 0 { // web01.corp.local → web01, ann@corp.com → ann
				known[l[:i]] = true
			}
			if i := strings.LastIndexByte(l, '\\'); i >= 0 { // CORP\ann → ann
				known[l[i+1:]] = true
			}
		}
	}
	var out []string
	for _, tok := range nameLike.FindAllString(rec, -1) {
		l := strings.ToLower(strings.TrimRight(tok, "."))
		if !specificName(tok) || known[l] || techniqueLike.MatchString(tok) {
			continue
		}
		out = appendNew(out, tok)
	}
	return out
}

var techniqueLike = regexp.MustCompile(`^[Tt]\d{4}(\.\d{3})?$`)

func specificName(tok string) bool {
	return strings.ContainsAny(tok, "0123456789@\\") || (strings.Contains(strings.Trim(tok, "."), ".") && !strings.HasSuffix(tok, "."))
}

// text cleans model output for the report: it was written after reading
// untrusted data, so it is sanitised like data.
func text(s string, n int) string { return llm.Sanitize(strings.TrimSpace(s), n) }

func texts(in []string, maxItems, n int) []string {
	var out []string
	for _, s := range in {
		if s = text(s, n); s != "" && len(out) < maxItems {
			out = append(out, s)
		}
	}
	return out
}
