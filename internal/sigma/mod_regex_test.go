package sigma

import (
	"strings"
	"testing"
)

func TestModRegex(t *testing.T) {
	f := func(mods, value, want string) {
		t.Helper()
		if got := cmd(t, mods, value); got != want {
			t.Errorf("CommandLine%s: %s\ngot  %s\nwant %s", mods, value, got, want)
		}
	}
	f("|re", `'\s-enc\s'`, `ProcessCommandLine matches regex "\\s-enc\\s"`) // case-sensitive by default
	f("|re|i", `'whoami'`, `ProcessCommandLine matches regex "(?i)whoami"`)
	f("|re|i|m|s", `'^a.b$'`, `ProcessCommandLine matches regex "(?ims)^a.b$"`)
	f("|re|ignorecase|dotall", `'a.b'`, `ProcessCommandLine matches regex "(?is)a.b"`)
	f("|re|i|i", `'x'`, `ProcessCommandLine matches regex "(?i)x"`) // a flag given twice counts once
	f("|re|startswith", `'a|b'`, `ProcessCommandLine matches regex "^(?:a|b)"`)
	f("|re|endswith", `'a|b'`, `ProcessCommandLine matches regex "(?:a|b)$"`)
	f("|re|startswith", `'^ab'`, `ProcessCommandLine matches regex "^ab"`)
	f("|re|contains", `'ab'`, `ProcessCommandLine matches regex "ab"`)
	f("|re", `'a*b'`, `ProcessCommandLine matches regex "a*b"`) // * is regex, not a Sigma wildcard
	f("|re", "['a', 'b']", `ProcessCommandLine matches regex "a" or ProcessCommandLine matches regex "b"`)
}

func TestModRegexErrors(t *testing.T) {
	f := func(mods, value, wantCode, wantMsg string) {
		t.Helper()
		e := compileErr(t, procCreation, "  sel:\n    CommandLine"+mods+": "+value+"\n  condition: sel\n", Options{})
		if e.Code != wantCode || !strings.Contains(e.Msg, wantMsg) {
			t.Errorf("CommandLine%s: %s = %s %q, want %s %q", mods, value, e.Code, e.Msg, wantCode, wantMsg)
		}
	}
	f("|re", `'(?<=a)b'`, CodeBadValue, "does not compile") // look-behind is not RE2
	f("|re", `'(a)\1'`, CodeBadValue, "does not compile")   // back-references are not RE2
	f("|re", `'[a-'`, CodeBadValue, "does not compile")
	f("|i", `'x'`, CodeBadModifier, "|i is a flag of |re")
	f("|contains|re", `'x'`, CodeBadModifier, "|re must come before |contains")
}
