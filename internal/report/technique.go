package report

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// technique is a finding's technique completed from the ATT&CK catalog:
// triage may leave the name empty, and an LLM may name a tactic loosely.
type technique struct {
	ID     string // as the finding spells it, upper-cased when well formed
	Name   string
	Tactic string // short name, credential-access
	Known  bool   // the ID is in the catalog
	// Status is "" for an active technique, else why ATT&CK retired it.
	Status     string
	ReplacedBy string
}

func resolve(t hunt.Technique) technique {
	out := technique{ID: strings.TrimSpace(t.ID), Name: t.Name, Tactic: t.Tactic}
	if !attack.WellFormed(out.ID) {
		return out
	}
	out.ID = strings.ToUpper(out.ID)
	c := attack.Default()
	at, ok := c.Technique(out.ID)
	if !ok {
		return out
	}
	out.Known = true
	switch {
	case at.Revoked:
		out.Status, out.ReplacedBy = "revoked", at.RevokedBy
	case at.Deprecated:
		out.Status = "deprecated"
	}
	if out.Name == "" {
		out.Name = at.Name
	}
	if tac, ok := c.Tactic(out.Tactic); ok {
		out.Tactic = tac.Short
	} else if out.Tactic == "" && len(at.Tactics) > 0 {
		out.Tactic = at.Tactics[0]
	}
	return out
}

// techniqueURL is the technique's page on attack.mitre.org, or "" for an
// ID that is not well formed (an LLM's invention must not become a link).
func techniqueURL(id string) string {
	id = strings.ToUpper(strings.TrimSpace(id))
	if !attack.WellFormed(id) {
		return ""
	}
	return "https://attack.mitre.org/techniques/" + strings.Replace(id, ".", "/", 1) + "/"
}

// mdTechnique renders "[T1110.003](…) Password Spraying (credential-access)".
func mdTechnique(t technique, inTable bool) string {
	render := text
	if inTable {
		render = func(s string) string { return prose(s, true) }
	}
	var b strings.Builder
	if u := techniqueURL(t.ID); u != "" && t.Known {
		b.WriteString("[" + t.ID + "](" + u + ")")
	} else {
		b.WriteString(render(t.ID))
	}
	if t.Name != "" {
		b.WriteString(" " + render(t.Name))
	}
	if t.Tactic != "" {
		b.WriteString(" (" + render(t.Tactic) + ")")
	}
	v := attack.Default().Version()
	switch {
	case !t.Known && attack.WellFormed(t.ID):
		b.WriteString(" — not in ATT&CK " + v)
	case t.Status != "" && techniqueURL(t.ReplacedBy) != "":
		b.WriteString(" — " + t.Status + " in ATT&CK " + v + ", now [" + t.ReplacedBy + "](" + techniqueURL(t.ReplacedBy) + ")")
	case t.Status != "":
		b.WriteString(" — " + t.Status + " in ATT&CK " + v)
	}
	return b.String()
}

// tacticOrder is a tactic's column in the Enterprise matrix; unknown
// tactics sort after Impact.
func tacticOrder(short string) int {
	for i, t := range attack.Default().Tactics() {
		if t.Short == short {
			return i
		}
	}
	return len(attack.Default().Tactics())
}
