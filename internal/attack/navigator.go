package attack

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Navigator layer format 4.5 (mitre-attack/attack-navigator
// layers/spec/v4.5/layerformat.md). Navigator 4.9.0 is the oldest release
// that reads it; we declare the release whose example the spec shows.
const (
	LayerFormat      = "4.5"
	NavigatorVersion = "5.2.0"
)

// Layer is an ATT&CK Navigator layer (format 4.5).
type Layer struct {
	Name                          string           `json:"name"`
	Versions                      LayerVersions    `json:"versions"`
	Domain                        string           `json:"domain"`
	Description                   string           `json:"description,omitempty"`
	Sorting                       int              `json:"sorting"`
	Layout                        LayerLayout      `json:"layout"`
	HideDisabled                  bool             `json:"hideDisabled"`
	Techniques                    []LayerTechnique `json:"techniques"`
	Gradient                      Gradient         `json:"gradient"`
	LegendItems                   []LegendItem     `json:"legendItems"`
	ShowTacticRowBackground       bool             `json:"showTacticRowBackground"`
	TacticRowBackground           string           `json:"tacticRowBackground"`
	SelectTechniquesAcrossTactics bool             `json:"selectTechniquesAcrossTactics"`
	SelectSubtechniquesWithParent bool             `json:"selectSubtechniquesWithParent"`
	SelectVisibleTechniques       bool             `json:"selectVisibleTechniques"`
	Metadata                      []LayerMetadata  `json:"metadata,omitempty"`
}

// LayerVersions is the layer's versions object.
type LayerVersions struct {
	Attack    string `json:"attack"`
	Navigator string `json:"navigator"`
	Layer     string `json:"layer"`
}

// LayerLayout is the layer's layout object.
type LayerLayout struct {
	Layout                string `json:"layout"`
	ShowID                bool   `json:"showID"`
	ShowName              bool   `json:"showName"`
	ShowAggregateScores   bool   `json:"showAggregateScores"`
	CountUnscored         bool   `json:"countUnscored"`
	AggregateFunction     string `json:"aggregateFunction"`
	ExpandedSubtechniques string `json:"expandedSubtechniques"`
}

// LayerTechnique is one annotated technique under one tactic.
type LayerTechnique struct {
	TechniqueID       string   `json:"techniqueID"`
	Tactic            string   `json:"tactic,omitempty"`
	Score             *float64 `json:"score,omitempty"`
	Color             string   `json:"color,omitempty"`
	Comment           string   `json:"comment,omitempty"`
	Enabled           bool     `json:"enabled"`
	ShowSubtechniques bool     `json:"showSubtechniques,omitempty"`
}

// Gradient colours scored techniques from MinValue to MaxValue.
type Gradient struct {
	Colors   []string `json:"colors"`
	MinValue float64  `json:"minValue"`
	MaxValue float64  `json:"maxValue"`
}

// LegendItem is one entry of the layer's legend.
type LegendItem struct {
	Label string `json:"label"`
	Color string `json:"color"`
}

// LayerMetadata is a name/value pair shown with the layer.
type LayerMetadata struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Mark is what a caller knows about one technique: a score, a comment (for
// example the findings behind it) and optionally a tactic and a colour.
// Without a tactic the mark applies under every tactic of the technique.
type Mark struct {
	TechniqueID string
	Tactic      string // short name, name or TA id; "" for every tactic of the technique
	Score       float64
	Comment     string
	Color       string // "#rrggbb", overriding the gradient
}

// LayerOptions describe the layer as a whole. Zero values get defaults: a
// white-to-red gradient from 0 to the highest score and a legend naming its
// ends.
type LayerOptions struct {
	Name        string
	Description string
	Gradient    *Gradient
	Legend      []LegendItem
	Metadata    []LayerMetadata
}

// LayerError is a mark the layer cannot hold: an unknown, malformed,
// revoked or deprecated technique, or a tactic the technique is not in.
type LayerError struct {
	TechniqueID string
	Msg         string
	Hint        string
}

func (e *LayerError) Error() string     { return e.TechniqueID + ": " + e.Msg }
func (e *LayerError) ErrorCode() string { return "attack.bad_technique" }
func (e *LayerError) ErrorHint() string { return e.Hint }

// Layer builds a Navigator layer from marks. Marks for the same technique
// and tactic merge: the highest score wins and comments are joined.
func (c *Catalog) Layer(opts LayerOptions, marks []Mark) (*Layer, error) {
	l := c.emptyLayer(opts)
	merged := map[[2]string]*LayerTechnique{}
	var order [][2]string
	for _, m := range marks {
		tactics, err := c.markTactics(m)
		if err != nil {
			return nil, err
		}
		id := normID(m.TechniqueID)
		for _, tac := range tactics {
			key := [2]string{id, tac}
			lt, seen := merged[key]
			if !seen {
				lt = &LayerTechnique{TechniqueID: id, Tactic: tac, Enabled: true}
				merged[key] = lt
				order = append(order, key)
			}
			mergeMark(lt, m)
		}
	}
	for _, key := range order {
		l.Techniques = append(l.Techniques, *merged[key])
	}
	c.showParents(l)
	sort.SliceStable(l.Techniques, func(i, j int) bool {
		a, b := l.Techniques[i], l.Techniques[j]
		if a.TechniqueID != b.TechniqueID {
			return a.TechniqueID < b.TechniqueID
		}
		return a.Tactic < b.Tactic
	})
	if opts.Gradient == nil {
		l.Gradient.MaxValue = maxScore(l.Techniques)
	}
	return l, nil
}

func (c *Catalog) emptyLayer(opts LayerOptions) *Layer {
	name := opts.Name
	if name == "" {
		name = "sleuth"
	}
	l := &Layer{
		Name:        name,
		Versions:    LayerVersions{Attack: majorVersion(c.version), Navigator: NavigatorVersion, Layer: LayerFormat},
		Domain:      c.domain,
		Description: opts.Description,
		Sorting:     3, // descending score: what a hunt found comes first
		Layout: LayerLayout{Layout: "side", ShowID: true, ShowName: true, AggregateFunction: "max",
			ExpandedSubtechniques: "annotated"},
		Techniques:                    []LayerTechnique{},
		Gradient:                      Gradient{Colors: []string{"#ffffff", "#ff6666"}, MinValue: 0, MaxValue: 1},
		LegendItems:                   opts.Legend,
		TacticRowBackground:           "#dddddd",
		SelectTechniquesAcrossTactics: true,
		SelectSubtechniquesWithParent: false,
		Metadata:                      opts.Metadata,
	}
	if opts.Gradient != nil {
		l.Gradient = *opts.Gradient
	}
	if l.LegendItems == nil {
		l.LegendItems = []LegendItem{
			{Label: "lowest score", Color: l.Gradient.Colors[0]},
			{Label: "highest score", Color: l.Gradient.Colors[len(l.Gradient.Colors)-1]},
		}
	}
	return l
}

// markTactics resolves the tactics a mark goes under, validating the
// technique and the tactic against the catalog.
func (c *Catalog) markTactics(m Mark) ([]string, error) {
	id := normID(m.TechniqueID)
	t, ok := c.Technique(id)
	switch {
	case !WellFormed(id):
		return nil, &LayerError{TechniqueID: m.TechniqueID, Msg: "not a technique ID", Hint: "technique IDs look like T1059 or T1059.001"}
	case !ok:
		return nil, &LayerError{TechniqueID: id, Msg: "not in ATT&CK " + c.version}
	case t.Revoked:
		return nil, &LayerError{TechniqueID: id, Msg: "revoked in ATT&CK " + c.version, Hint: replacedHint(t)}
	case t.Deprecated:
		return nil, &LayerError{TechniqueID: id, Msg: "deprecated in ATT&CK " + c.version}
	}
	if m.Tactic == "" {
		return t.Tactics, nil
	}
	tac, ok := c.Tactic(m.Tactic)
	if !ok {
		return nil, &LayerError{TechniqueID: id, Msg: fmt.Sprintf("unknown tactic %q", m.Tactic)}
	}
	for _, s := range t.Tactics {
		if s == tac.Short {
			return []string{s}, nil
		}
	}
	return nil, &LayerError{TechniqueID: id, Msg: fmt.Sprintf("not a technique of tactic %s", tac.Short),
		Hint: "its tactics are " + strings.Join(t.Tactics, ", ")}
}

func replacedHint(t Technique) string {
	if t.RevokedBy == "" {
		return ""
	}
	return "use " + t.RevokedBy + " instead"
}

func mergeMark(lt *LayerTechnique, m Mark) {
	if lt.Score == nil || m.Score > *lt.Score {
		s := m.Score
		lt.Score = &s
	}
	if m.Comment != "" && !strings.Contains(lt.Comment, m.Comment) {
		if lt.Comment != "" {
			lt.Comment += "; "
		}
		lt.Comment += m.Comment
	}
	if m.Color != "" {
		lt.Color = m.Color
	}
}

// showParents sets showSubtechniques on parents with an annotated
// sub-technique, adding an unscored parent entry where there is none, so
// the Navigator opens the parent and the annotation is visible.
func (c *Catalog) showParents(l *Layer) {
	has := map[[2]string]int{}
	for i, t := range l.Techniques {
		has[[2]string{t.TechniqueID, t.Tactic}] = i
	}
	for _, t := range append([]LayerTechnique(nil), l.Techniques...) {
		p := Technique{ID: t.TechniqueID}.ParentID()
		if p == "" {
			continue
		}
		key := [2]string{p, t.Tactic}
		if i, ok := has[key]; ok {
			l.Techniques[i].ShowSubtechniques = true
			continue
		}
		has[key] = len(l.Techniques)
		l.Techniques = append(l.Techniques, LayerTechnique{TechniqueID: p, Tactic: t.Tactic, Enabled: true, ShowSubtechniques: true})
	}
}

func maxScore(ts []LayerTechnique) float64 {
	hi := 0.0
	for _, t := range ts {
		if t.Score != nil && *t.Score > hi {
			hi = *t.Score
		}
	}
	if hi <= 0 {
		return 1 // the format requires maxValue > minValue
	}
	return hi
}

func majorVersion(v string) string {
	if i := strings.IndexByte(v, '.'); i > 0 {
		return v[:i]
	}
	return v
}

// JSON encodes the layer as Navigator reads it, indented.
func (l *Layer) JSON() ([]byte, error) { return json.MarshalIndent(l, "", "  ") }
