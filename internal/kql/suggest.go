package kql

import (
	"strings"

	textsuggest "github.com/sleuth-hunt/sleuth/internal/suggest"
)

// suggest returns the candidate closest to word, for "did you mean"
// hints, or "" when none is close enough to be a likely misspelling. A
// candidate that differs only in case always matches (KQL keywords are
// lower case; AND is not and).
func suggest(word string, candidates []string) string {
	best, bestDist := "", 0
	limit := max(1, min(2, len([]rune(word))/3))
	for _, c := range candidates {
		if strings.EqualFold(word, c) {
			return c
		}
		d := textsuggest.Distance(word, c)
		if d > limit {
			continue
		}
		// Among equally close candidates prefer the one that starts like
		// word: dsc is desc more likely than asc.
		cp, bestCp := commonPrefix(word, c), commonPrefix(word, best)
		if best == "" || d < bestDist || (d == bestDist && (cp > bestCp || (cp == bestCp && c < best))) {
			best, bestDist = c, d
		}
	}
	return best
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
