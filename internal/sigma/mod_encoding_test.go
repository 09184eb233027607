package sigma

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func encode(t *testing.T, mods []string, value string) []string {
	t.Helper()
	v := val{kind: vString, str: parseSigmaString(value)}
	vs := []val{v}
	for i, m := range mods {
		var next []val
		for _, x := range vs {
			out, err := modifiers[m].fn(&modCtx{name: m, applied: mods[:i]}, x)
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			next = append(next, out...)
		}
		vs = next
	}
	var out []string
	for _, x := range vs {
		s, _ := x.str.plain()
		out = append(out, s)
	}
	return out
}

func TestModBase64(t *testing.T) {
	f := func(mods []string, value string, want ...string) {
		t.Helper()
		if diff := cmp.Diff(want, encode(t, mods, value)); diff != "" {
			t.Errorf("%v %q (-want +got):\n%s", mods, value, diff)
		}
	}
	f([]string{"base64"}, "foobar", "Zm9vYmFy")
	f([]string{"base64"}, "cmd", "Y21k")
	// The three offsets of "foobar" as pySigma computes them.
	f([]string{"base64offset"}, "foobar", "Zm9vYmFy", "Zvb2Jhc", "mb29iYX")
	f([]string{"base64offset"}, "IEX", "SUVY", "lFW", "JRV")
	f([]string{"wide", "base64"}, "cmd", "YwBtAGQA")
	f([]string{"utf16le", "base64"}, "cmd", "YwBtAGQA")
	f([]string{"utf16be", "base64"}, "cmd", "AGMAbQBk")
	f([]string{"utf16", "base64"}, "cmd", "//5jAG0AZAA=")
	f([]string{"wide", "base64offset"}, "ping", "cABpAG4AZw", "AAaQBuAGcA", "wAGkAbgBnA")
}

func TestModUTF16(t *testing.T) {
	if got := encode(t, []string{"wide"}, "cmd"); got[0] != "c\x00m\x00d\x00" {
		t.Errorf("wide cmd = %q", got[0])
	}
	if got := encode(t, []string{"utf16be"}, "cmd"); got[0] != "\x00c\x00m\x00d" {
		t.Errorf("utf16be cmd = %q", got[0])
	}
	// Wildcards survive the encoding, between the encoded literals.
	v, _ := modUTF16LE(&modCtx{name: "wide"}, val{kind: vString, str: parseSigmaString("a*b")})
	if v[0].str.String() != "a\x00*b\x00" {
		t.Errorf("wide a*b = %q", v[0].str.String())
	}
}

func TestModBase64Compiles(t *testing.T) {
	got := cmd(t, "|base64offset|contains", "'IEX'")
	want := `ProcessCommandLine contains "SUVY" or ProcessCommandLine contains "lFW" or ProcessCommandLine contains "JRV"`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	e := compileErr(t, procCreation, "  sel:\n    CommandLine|base64: 'a*'\n  condition: sel\n", Options{})
	if e.Code != CodeBadValue || !strings.Contains(e.Msg, "cannot encode a value with wildcards") || e.Pos != (Pos{Line: 6, Col: 17}) {
		t.Errorf("base64 of a wildcard: %v", e)
	}
}
