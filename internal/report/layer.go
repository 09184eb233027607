package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// severityScore is a technique's layer score: the highest severity of the
// findings that show it.
var severityScore = map[string]float64{
	hunt.SevCritical: 100, hunt.SevHigh: 75, hunt.SevMedium: 50, hunt.SevLow: 25, hunt.SevInformational: 10,
}

// severityColor colours a technique by that severity, so the layer reads
// the same way as the report; the legend names the colours.
var severityColor = map[string]string{
	hunt.SevCritical: "#b2182b", hunt.SevHigh: "#ef6548", hunt.SevMedium: "#fdae61", hunt.SevLow: "#fee08b",
	hunt.SevInformational: "#d9d9d9",
}

// layerCommentMax caps one finding's part of a technique's comment.
const layerCommentMax = 120

// Layer builds the ATT&CK Navigator layer (format 4.5) of the findings'
// techniques. A technique ATT&CK revoked is shown as its replacement; one
// that is unknown or deprecated is left out and named in the layer's
// metadata, so one bad ID from a rule or an LLM cannot cost the layer.
func Layer(r *hunt.Report) (*attack.Layer, error) {
	c := attack.Default()
	type agg struct {
		sev      string
		comments []string
	}
	marks := map[[2]string]*agg{}
	var order [][2]string
	var skipped []string
	for _, f := range byImportance(r.Findings) {
		note := fmt.Sprintf("%s (%s): %s", f.ID, f.Severity, clip(flatten(sanitize(f.Title), " "), layerCommentMax))
		for _, ht := range f.Techniques {
			id, tactics, ok := layerTechnique(c, ht)
			if !ok {
				if s := strings.TrimSpace(ht.ID); s != "" && !slices.Contains(skipped, s) {
					skipped = append(skipped, s)
				}
				continue
			}
			for _, tac := range tactics {
				k := [2]string{id, tac}
				a := marks[k]
				if a == nil {
					a = &agg{sev: f.Severity}
					marks[k] = a
					order = append(order, k)
				}
				if severityRank(f.Severity) > severityRank(a.sev) {
					a.sev = f.Severity
				}
				if !slices.Contains(a.comments, note) {
					a.comments = append(a.comments, note)
				}
			}
		}
	}
	ms := make([]attack.Mark, 0, len(order))
	for _, k := range order {
		a := marks[k]
		ms = append(ms, attack.Mark{TechniqueID: k[0], Tactic: k[1], Score: severityScore[a.sev],
			Comment: strings.Join(a.comments, "; "), Color: severityColor[a.sev]})
	}
	return c.Layer(layerOptions(r, skipped), ms)
}

// layerTechnique resolves a finding's technique to an active ID and the
// tactics to mark it under: the finding's tactic when the technique has
// it, else every tactic of the technique.
func layerTechnique(c *attack.Catalog, ht hunt.Technique) (string, []string, bool) {
	t, ok := c.Current(ht.ID)
	if !ok || !t.Active() {
		return "", nil, false
	}
	if tac, ok := c.Tactic(ht.Tactic); ok && slices.Contains(t.Tactics, tac.Short) {
		return t.ID, []string{tac.Short}, true
	}
	return t.ID, t.Tactics, len(t.Tactics) > 0
}

func layerOptions(r *hunt.Report, skipped []string) attack.LayerOptions {
	q := clip(flatten(sanitize(r.Question), " "), 200)
	start, end := window(r)
	desc := fmt.Sprintf("Techniques of the findings of sleuth hunt %s: %q, %s to %s. "+
		"Score is the highest severity of the findings that show a technique: critical 100, high 75, medium 50, low 25, informational 10; "+
		"each comment lists those findings.", r.ID, q, iso(start), iso(end))
	meta := []attack.LayerMetadata{
		{Name: "hunt", Value: r.ID},
		{Name: "question", Value: q},
		{Name: "window", Value: iso(start) + " .. " + iso(end)},
		{Name: "threat level", Value: r.ThreatLevel},
		{Name: "findings", Value: fmt.Sprint(len(r.Findings))},
	}
	if len(skipped) > 0 {
		meta = append(meta, attack.LayerMetadata{Name: "left out (unknown or deprecated in ATT&CK " + attack.Default().Version() + ")",
			Value: clip(flatten(sanitize(strings.Join(skipped, ", ")), " "), 200)})
	}
	var legend []attack.LegendItem
	for _, s := range severities {
		legend = append(legend, attack.LegendItem{Label: s, Color: severityColor[s]})
	}
	return attack.LayerOptions{
		Name:        clip("sleuth: "+q, 80),
		Description: desc,
		Gradient:    &attack.Gradient{Colors: []string{"#ffffff", severityColor[hunt.SevCritical]}, MinValue: 0, MaxValue: 100},
		Legend:      legend,
		Metadata:    meta,
	}
}
