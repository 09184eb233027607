package detect

import (
	"encoding/json"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

func TestSatisfiable(t *testing.T) {
	values := map[string][]any{
		"Channel":    {"Security", "Microsoft-Windows-Sysmon/Operational"},
		"EventID":    {json.Number("1"), json.Number("4624"), int64(11)},
		"FolderPath": {`C:\Windows\System32\WHOAMI.EXE`, `C:\Tools\ünïcode.exe`},
	}
	f := func(guard string, want bool) {
		t.Helper()
		x, err := kql.ParseExpr(guard)
		if err != nil {
			t.Fatal(err)
		}
		if got := satisfiable(conjuncts(x, nil), values); got != want {
			t.Errorf("satisfiable(%s) = %v, want %v", guard, got, want)
		}
	}
	f(`Channel == "Security" and EventID == 4624`, true)
	f(`Channel == "System"`, false)
	f(`Channel == "security"`, false)
	f(`Channel =~ "security"`, true)
	f(`Channel in~ ("system", "application")`, false)
	f(`Channel !in ("Security")`, true)
	f(`EventID in (4625, 4771)`, false)
	f(`EventID == 11`, true)
	f(`EventID > 5000`, false)
	f(`FolderPath endswith "\\whoami.exe"`, true)
	f(`FolderPath endswith_cs "\\whoami.exe"`, false)
	f(`FolderPath endswith "\\net.exe" or FolderPath endswith "\\whoami.exe"`, true)
	f(`FolderPath endswith "\\net.exe" or ProcessVersionInfoOriginalFileName == "net.exe"`, true) // the second column is unknown
	f(`FolderPath contains "ÜNÏ"`, true)                                                          // not ASCII: undecided
	f(`Provider == "x"`, true)                                                                    // not summarised
	f(`Channel == "Security" and EventID == 4688`, false)
}
