package suggest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDistance(t *testing.T) {
	f := func(a, b string, want int) {
		t.Helper()
		if got := Distance(a, b); got != want {
			t.Errorf("Distance(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
	f("", "", 0)
	f("abc", "", 3)
	f("summarise", "summarize", 1)
	f("kitten", "sitting", 3)
	f("héllo", "hello", 1)
	f("sumamrize", "summarize", 1) // a transposition
}

func TestClosest(t *testing.T) {
	names := []string{"AccountName", "AccountDomain", "DeviceName", "SigninLogs", "SecurityEvent", "Syslog"}
	f := func(word string, want ...string) {
		t.Helper()
		if d := cmp.Diff(want, Closest(word, names, 3)); d != "" {
			t.Errorf("Closest(%q) (-want +got):\n%s", word, d)
		}
	}
	f("accountname", "AccountName")
	f("Account", "AccountName", "AccountDomain")
	f("DeviseName", "DeviceName")
	f("syslogs", "Syslog")
	f("zzzzzz")
}
