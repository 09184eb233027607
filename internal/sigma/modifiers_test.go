package sigma

import (
	"strings"
	"testing"
)

// TestModifierTable keeps the dispatcher complete: every modifier of the
// Sigma 2.1 appendix is known.
func TestModifierTable(t *testing.T) {
	spec := []string{"all", "startswith", "endswith", "contains", "exists", "cased", "neq", "windash", "re", "i", "m", "s",
		"base64", "base64offset", "utf16le", "utf16be", "utf16", "wide", "lt", "lte", "gt", "gte",
		"minute", "hour", "day", "week", "month", "year", "cidr", "expand", "fieldref"}
	for _, m := range spec {
		if _, ok := modifiers[m]; !ok {
			t.Errorf("modifier %q is missing", m)
		}
	}
}

func TestUnknownModifierHint(t *testing.T) {
	f := func(name, wantHint string) {
		t.Helper()
		if got := suggestModifier(name); got != wantHint {
			t.Errorf("suggestModifier(%q) = %q, want %q", name, got, wantHint)
		}
	}
	f("contians", "did you mean |contains?")
	f("startwith", "did you mean |startswith?")
	f("base64offest", "did you mean |base64offset?")
	f("CIDR", "did you mean |cidr?")
	if h := suggestModifier("zzzzzzzzzz"); !strings.HasPrefix(h, "the modifiers are ") {
		t.Errorf("no close modifier: %q", h)
	}
}

func TestModifierOrderAndKeywords(t *testing.T) {
	f := func(det, wantCode, wantMsg string) {
		t.Helper()
		e := compileErr(t, procCreation, det, Options{})
		if e.Code != wantCode || !strings.Contains(e.Msg, wantMsg) {
			t.Errorf("got %s %q, want %s %q", e.Code, e.Msg, wantCode, wantMsg)
		}
	}
	f("  sel:\n    '|cidr': 10.0.0.0/8\n  condition: sel\n", CodeBadModifier, "keyword search cannot use this modifier")
	f("  sel:\n    '|exists': true\n  condition: sel\n", CodeBadModifier, "|exists needs a field")
	f("  sel:\n    CommandLine|base64|re: x\n  condition: sel\n", CodeBadModifier, "|re must come before |base64")
	f("  sel:\n    CommandLine|cidr|contains: 10.0.0.0/8\n  condition: sel\n", CodeBadModifier, "needs a string value, found a CIDR network")
	// Case is the same: |CONTAINS is |contains.
	if got := cmd(t, "|CONTAINS", "x"); got != `ProcessCommandLine contains "x"` {
		t.Errorf("|CONTAINS: %s", got)
	}
}
