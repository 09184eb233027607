package sigma

import (
	"strings"
	"testing"
)

// cmd compiles "CommandLine|<mods>: <value>" for process creation.
func cmd(t *testing.T, mods, value string) string {
	t.Helper()
	return where(t, procCreation, "  sel:\n    CommandLine"+mods+": "+value+"\n  condition: sel\n")
}

func TestModContainsStartsEnds(t *testing.T) {
	f := func(mods, value, want string) {
		t.Helper()
		if got := cmd(t, mods, value); got != want {
			t.Errorf("CommandLine%s: %s\ngot  %s\nwant %s", mods, value, got, want)
		}
	}
	f("|contains", "'whoami'", `ProcessCommandLine contains "whoami"`)
	f("|startswith", "'whoami'", `ProcessCommandLine startswith "whoami"`)
	f("|endswith", "'whoami'", `ProcessCommandLine endswith "whoami"`)
	f("|contains", "'*whoami*'", `ProcessCommandLine contains "whoami"`) // no doubled wildcards
	f("|contains", "'a*b'", `ProcessCommandLine matches regex "(?is)a.*b"`)
	f("|startswith", "'C:\\\\*\\x.exe'", `ProcessCommandLine matches regex "(?is)^C:\\\\.*\\\\x\\.exe"`)
	f("|contains", "['a', 'b']", `ProcessCommandLine contains "a" or ProcessCommandLine contains "b"`)
	f("|contains|all", "['a', 'b']", `ProcessCommandLine contains "a" and ProcessCommandLine contains "b"`)
	f("|contains", "42", `ProcessCommandLine contains "42"`) // Sigma values are strings
	f("|contains|cased", "'Whoami'", `ProcessCommandLine contains_cs "Whoami"`)
	f("|startswith|cased", "'Whoami'", `ProcessCommandLine startswith_cs "Whoami"`)
	f("|endswith|cased", "'Whoami'", `ProcessCommandLine endswith_cs "Whoami"`)
	f("|cased", "'Whoami'", `ProcessCommandLine == "Whoami"`)
	f("|cased", "['A', 'B']", `ProcessCommandLine in ("A", "B")`)
	f("|cased", "'A*b'", `ProcessCommandLine matches regex "(?s)^A.*b$"`)
	f("|contains|neq", "'x'", `not(ProcessCommandLine contains "x")`)
}

func TestModWindash(t *testing.T) {
	got := cmd(t, "|windash|contains", "' -exec'")
	for _, dash := range windashChars {
		if !strings.Contains(got, `contains " `+dash+`exec"`) {
			t.Errorf("windash lacks %q: %s", dash, got)
		}
	}
	if strings.Count(got, "contains") != 5 {
		t.Errorf("windash: want 5 alternatives, got %s", got)
	}
	// Only dashes that start an option vary: not the one inside a word.
	if got := cmd(t, "|windash|contains", "'foo-bar'"); got != `ProcessCommandLine contains "foo-bar"` {
		t.Errorf("a dash inside a word varied: %s", got)
	}
	// Two options give 25 variants; with |all each value stays its own OR.
	two := cmd(t, "|windash|contains|all", "[' -a', ' -b']")
	if strings.Count(two, "contains") != 10 || !strings.Contains(two, ") and (") {
		t.Errorf("windash|all: %s", two)
	}
	many := cmd(t, "|windash|contains", "' -a -b -c'")
	if !strings.Contains(many, "matches regex") || strings.Count(many, "contains") != 0 {
		t.Errorf("125 variants must fold into one regular expression: %s", many)
	}
}

func TestSliceWindashVariants(t *testing.T) {
	vs, err := modWindash(&modCtx{name: "windash"}, val{kind: vString, str: parseSigmaString("/c -x")})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 25 {
		t.Errorf("%q gave %d variants, want 25", "/c -x", len(vs))
	}
}
