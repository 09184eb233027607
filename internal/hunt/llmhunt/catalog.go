package llmhunt

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
)

// Catalog sizes: the planner's prompt carries only what helps it choose
// tables, so a question about sign-ins does not pay for 17 full schemas.
const (
	maxDescribedTables = 6  // tables shown with columns
	maxQuestionColumns = 4  // columns picked because the question mentions them
	maxDescRunes       = 90 // a column or table description is clipped to this
)

// offered is the tables a plan may choose: the tables sleuth hunts that
// exist where the hunt runs and hold rows. An LLM plan naming anything else
// is out of policy.
func offered(in plan.Input) []string { return plan.Available(in, plan.HuntTables()) }

// compactCatalog renders the offered tables for the prompt: the tables the
// offline planner would read (the ones the question is about) with their
// entity-role columns and the columns the question's words name, each with
// its catalog description, and every other offered table as one line.
func compactCatalog(in plan.Input, focus []string) string {
	tables := offered(in)
	var b strings.Builder
	words := questionWords(in.Question)
	described := 0
	for _, name := range tables {
		t, ok := in.Catalog.Table(name)
		if !ok {
			continue
		}
		if !slices.Contains(focus, name) || described >= maxDescribedTables {
			fmt.Fprintf(&b, "- %s: %s\n", name, clip(t.Description, maxDescRunes))
			continue
		}
		described++
		fmt.Fprintf(&b, "- %s: %s\n  columns:", name, clip(t.Description, maxDescRunes))
		for _, c := range tableColumns(t, words) {
			fmt.Fprintf(&b, "\n    %s (%s", c.Name, c.Type)
			if c.Role != catalog.RoleNone {
				fmt.Fprintf(&b, ", %s", c.Role)
			}
			b.WriteString(")")
			if c.Description != "" {
				b.WriteString(": " + clip(c.Description, maxDescRunes))
			}
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// tableColumns picks a table's columns for the prompt: every column with an
// entity role (time, host, user, ip, …), then up to maxQuestionColumns
// whose name or description shares a word with the question.
func tableColumns(t *catalog.Table, words []string) []catalog.Column {
	var out []catalog.Column
	extra := 0
	for _, c := range t.Columns {
		switch {
		case c.Role != catalog.RoleNone:
			out = append(out, c)
		case extra < maxQuestionColumns && mentions(c, words):
			out = append(out, c)
			extra++
		}
	}
	return out
}

func mentions(c catalog.Column, words []string) bool {
	name, desc := strings.ToLower(c.Name), strings.ToLower(c.Description)
	for _, w := range words {
		if strings.Contains(name, w) || (len(w) >= 5 && strings.Contains(desc, w)) {
			return true
		}
	}
	return false
}

var wordRE = regexp.MustCompile(`[\pL\pN]{4,}`)

// questionWords are the question's longer words, lower-cased, with a
// plural "s" dropped ("sign-ins" → "sign", "failures" → "failure").
func questionWords(q string) []string {
	var out []string
	for _, w := range wordRE.FindAllString(strings.ToLower(q), -1) {
		if skipWords[w] {
			continue
		}
		out = append(out, strings.TrimSuffix(w, "s"))
	}
	return out
}

var skipWords = map[string]bool{"last": true, "days": true, "hours": true, "week": true, "weeks": true, "worried": true, "someone": true,
	"search": true, "suspicious": true, "anything": true, "that": true, "this": true, "with": true, "from": true, "have": true, "been": true,
	"were": true, "what": true, "when": true, "which": true, "there": true, "could": true, "would": true, "into": true, "about": true}

func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
