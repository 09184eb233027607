// Package suggest finds the names closest to a misspelt one, for the
// did-you-mean hints of the CLI, the KQL checker and the hunt planner.
package suggest

import (
	"sort"
	"strings"
)

// Closest returns up to n candidates nearest to word: case-insensitive exact
// matches first, then prefix and substring matches, then by edit distance
// within a budget that grows with the word's length. Ties keep candidate order.
func Closest(word string, candidates []string, n int) []string {
	w := strings.ToLower(word)
	type scored struct {
		s     string
		score int
		i     int
	}
	var hits []scored
	limit := len([]rune(w))/3 + 1
	for i, c := range candidates {
		lc := strings.ToLower(c)
		score := -1
		switch {
		case lc == w:
			score = 0
		case len(w) >= 3 && (strings.HasPrefix(lc, w) || strings.HasPrefix(w, lc)):
			score = 1
		case len(w) >= 4 && strings.Contains(lc, w):
			score = 2
		default:
			if d := Distance(w, lc); d <= limit {
				score = 2 + d
			}
		}
		if score >= 0 {
			hits = append(hits, scored{c, score, i})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].score < hits[b].score })
	seen := map[string]bool{}
	var out []string
	for _, h := range hits {
		if len(out) == n {
			break
		}
		if !seen[h.s] {
			seen[h.s] = true
			out = append(out, h.s)
		}
	}
	return out
}

// Distance is the Damerau–Levenshtein distance between a and b (optimal
// string alignment: insertions, deletions, substitutions and transpositions
// of adjacent runes each cost one), counting runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
