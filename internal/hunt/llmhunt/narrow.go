package llmhunt

import (
	"fmt"
	"regexp"
	"slices"
	"sort"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/llm"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// compact renders one block within share tokens: all its columns when
// they fit, else the columns that say the most (entity roles and
// categorical text: user agents, result codes, actions), else a line
// saying how many rows there were.
func (eb *evidenceBuilder) compact(id string, n int, b *block, share int) *llm.Evidence {
	label := fmt.Sprintf("%s block %d: %s rows", id, n, b.table)
	if share < minBlockTokens { // Compact reads a budget of 0 as no limit
		text := eb.fence.Wrap(label, fmt.Sprintf("%d rows, left out to stay within the token budget", len(b.set.Rows)))
		return &llm.Evidence{Text: text, Tokens: eb.counter.Text(eb.model, text), Rows: len(b.set.Rows)}
	}
	pins := instructionRows(b.set)
	opt := llm.CompactOptions{Label: label, Budget: share, Model: eb.model, Counter: eb.counter, Fence: eb.fence, Pin: pins[:min(len(pins), maxPinned)]}
	// A rendering is good when it fits and shows the pinned row; one that
	// only fits is kept in case nothing narrower shows it either.
	good := func(ev *llm.Evidence) bool {
		if ev.OverBudget {
			return false
		}
		for _, p := range opt.Pin {
			if !slices.Contains(ev.Samples, p) {
				return false
			}
		}
		return true
	}
	var fits *llm.Evidence
	fitsSet := b.set
	ev, err := llm.Compact(b.set, opt)
	if err == nil && good(ev) {
		return ev
	}
	if err == nil && !ev.OverBudget {
		fits = ev
	}
	narrow := focusColumns(b.set, eb.table(b.table))
	for k := len(narrow.Columns); k >= minColumns; k = k * 2 / 3 {
		cut := project(narrow, seq(min(k, len(narrow.Columns))))
		ev2, err := llm.Compact(cut, opt)
		if err != nil {
			continue
		}
		if good(ev2) {
			b.set = cut // cited rows are rendered from what was shown
			return ev2
		}
		if fits == nil && !ev2.OverBudget {
			fits, fitsSet = ev2, cut
		}
	}
	if fits != nil {
		b.set = fitsSet
		return fits
	}
	text := eb.fence.Wrap(label, fmt.Sprintf("%d rows, left out to stay within the token budget", len(b.set.Rows)))
	return &llm.Evidence{Text: text, Tokens: eb.counter.Text(eb.model, text), Rows: len(b.set.Rows)}
}

func (eb *evidenceBuilder) table(name string) *catalog.Table {
	if eb.catalog == nil {
		return nil
	}
	t, _ := eb.catalog.Table(name)
	return t
}

// maxCategorical is the most distinct values a text column may have and
// still count as categorical when a block is narrowed.
const maxCategorical = 25

var guidLike = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$|^[0-9]+$`)

// minColumns is the fewest columns a narrowed block shows.
const minColumns = 4

// focusColumns keeps the rule column, the columns with an entity role
// (user, address, host before time), and text columns with a few distinct
// values, longest first: the order in which they are cut when a block must
// shrink further.
func focusColumns(set *rows.Set, t *catalog.Table) *rows.Set {
	type scored struct{ i, score int }
	var keep []scored
	for i, c := range set.Columns {
		role := catalog.RoleNone
		if t != nil {
			if col, ok := t.Column(c.Name); ok {
				role = col.Role
			}
		}
		switch {
		case i == 0:
			keep = append(keep, scored{i, -3})
		case instructionColumn(set, i):
			keep = append(keep, scored{i, -2})
		case role != catalog.RoleNone && role != catalog.RoleTime:
			keep = append(keep, scored{i, -1})
		case role == catalog.RoleTime:
			keep = append(keep, scored{i, 0})
		case c.Type == catalog.String || c.Type == catalog.Dynamic:
			distinct := map[string]bool{}
			length := 0
			for _, r := range set.Rows {
				v := fmt.Sprint(r[i])
				if !distinct[v] {
					distinct[v] = true
					if !guidLike.MatchString(v) {
						length += len(v)
					}
				}
				if len(distinct) > maxCategorical {
					break
				}
			}
			if len(distinct) >= 2 && len(distinct) <= maxCategorical {
				// Free text first (user agents, command lines, display
				// names): it is where activity is described, and where an
				// attacker writes; identifiers and codes last.
				keep = append(keep, scored{i, 1_000_000 - length/len(distinct)})
			}
		}
	}
	sort.SliceStable(keep, func(a, b int) bool { return keep[a].score < keep[b].score })
	idx := make([]int, len(keep))
	for k, x := range keep {
		idx[k] = x.i
	}
	return project(set, idx)
}

// maxPinned is how many rows with instruction-like text a block shows in
// full: the attempt to steer an analyst is evidence in itself, and the
// model is told to treat it so; one example makes the point.
const maxPinned = 1

// instructionRows are the rows holding text aimed at an AI analyst.
func instructionRows(set *rows.Set) []int {
	var out []int
	for r, row := range set.Rows {
		for _, v := range row {
			if s, ok := v.(string); ok && instructionLike(s) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func instructionColumn(set *rows.Set, i int) bool {
	for _, row := range set.Rows {
		if s, ok := row[i].(string); ok && instructionLike(s) {
			return true
		}
	}
	return false
}

func instructionLike(s string) bool {
	_, n := llm.Neutralize(s)
	return n > 0
}
