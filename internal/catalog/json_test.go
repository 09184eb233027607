package catalog

import "testing"

func TestValidJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool // an unpaired surrogate escape
	}{
		{`"plain"`, false},
		{`"\u00e9\n\\u"`, false},  // an escaped backslash then u: no escape
		{`"\ud83d\ude00"`, false}, // a pair
		{`"\uD83D\uDE00 and \u0041"`, false},
		{`"\ud800"`, true}, // high alone
		{`"\ud800x"`, true},
		{`"\ud800\u0041"`, true}, // high, then not a low half
		{`"\udc00"`, true},       // low alone
		{`["ok","\ude00"]`, true},
		{`{"k\ud800":1}`, true}, // in a key too
		{`"\\\ud800"`, true},    // an escaped backslash, then a real escape
	} {
		if got := ValidJSON([]byte(tc.in)); got != !tc.want {
			t.Errorf("ValidJSON(%s) = %v, want %v", tc.in, got, !tc.want)
		}
	}
	for _, bad := range []string{`{"a":1,}`, "\"\xff\"", `"a`, ""} {
		if ValidJSON([]byte(bad)) {
			t.Errorf("ValidJSON(%q) = true", bad)
		}
	}
}
