package catgen

import (
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

func TestKQLType(t *testing.T) {
	f := func(in string, want catalog.Type) {
		t.Helper()
		got, ok := kqlType(in)
		if want == "" {
			if ok {
				t.Errorf("kqlType(%q) = %q, want no type", in, got)
			}
			return
		}
		if !ok || got != want {
			t.Errorf("kqlType(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	f("System.String", catalog.String)
	f(" string  ", catalog.String)
	f("System.SByte", catalog.Bool)
	f("SByte", catalog.Bool)
	f("Boolean", catalog.Bool)
	f("System.Int32", catalog.Int)
	f("System.Int64", catalog.Long)
	f("bigint", catalog.Long)
	f("System.Double", catalog.Real)
	f("System.DateTime", catalog.Datetime)
	f("Date/time", catalog.Datetime)
	f("System.Object", catalog.Dynamic)
	f("GUID", catalog.GUID)
	f("DateTime?", catalog.Datetime)
	f("Quaternion", "")
	f("", "")
}

func TestOneLine(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
	f("", "")
	f("  two\n  lines ", "two lines")
	long := "The first sentence is long enough to be a summary. " +
		"Then a second sentence goes on and on about details nobody needs on one line, and on, and on, and on, and on, and on, and on, and on, and on, and on, and on."
	f(long, "The first sentence is long enough to be a summary.")
	noStop := "word " + strings.Repeat("x", 210) // no sentence to cut at: kept whole
	f(noStop, noStop)
}
