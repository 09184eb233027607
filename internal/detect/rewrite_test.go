package detect

import (
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

func TestRewrite(t *testing.T) {
	f := func(table, pred, want string, wantCols ...string) {
		t.Helper()
		tb, _ := catalog.Default().Table(table)
		x, err := kql.ParseExpr(pred)
		if err != nil {
			t.Fatal(err)
		}
		out, cols := rewrite(tb, x, nil)
		got := kql.Print(out)
		// computed names are hashes; compare their shapes
		var defs []string
		for _, c := range cols {
			got = strings.ReplaceAll(got, c.name, c.name[:2])
			def := kql.Print(c.x)
			for _, o := range cols {
				def = strings.ReplaceAll(def, o.name, o.name[:2])
			}
			defs = append(defs, c.name[:2]+"="+def)
		}
		if got != want {
			t.Errorf("rewrite(%s)\n got %s\nwant %s", pred, got, want)
		}
		if strings.Join(defs, "; ") != strings.Join(wantCols, "; ") {
			t.Errorf("columns of %s\n got %v\nwant %v", pred, defs, wantCols)
		}
	}
	f("DeviceProcessEvents", `ProcessCommandLine contains "ABC"`, `_l contains_cs "abc"`, `_l=tolower(ProcessCommandLine)`)
	f("DeviceProcessEvents", `FolderPath =~ "C:\\X.exe" and not(ProcessCommandLine !endswith "Y")`,
		`_l == "c:\\x.exe" and not(_l !endswith_cs "y")`, `_l=tolower(FolderPath)`, `_l=tolower(ProcessCommandLine)`)
	f("DeviceProcessEvents", `FileName in~ ("A.exe", "b.EXE")`, `_l in ("a.exe", "b.exe")`, `_l=tolower(FileName)`)
	f("DeviceProcessEvents", `ProcessCommandLine contains_cs "MiXeD"`, `ProcessCommandLine contains_cs "MiXeD"`)
	f("DeviceProcessEvents", `ProcessCommandLine contains "Ünï"`, `ProcessCommandLine contains "Ünï"`)
	f("WindowsEvent", `Channel == "System" and tostring(EventData.ImagePath) contains "PS"`,
		`Channel == "System" and _l contains_cs "ps"`, `_x=tostring(EventData.ImagePath)`, `_l=tolower(_x)`)
	f("WindowsEvent", `isnotempty(EventData["Threat Name"])`, `isnotempty(_x)`, `_x=EventData["Threat Name"]`)
	f("DeviceEvents", `tolong(AdditionalFields.DesiredAccess) == 4112`, `_x == 4112`, `_x=tolong(AdditionalFields.DesiredAccess)`)
	f("DeviceProcessEvents",
		`ProcessCommandLine contains "a" or ProcessCommandLine contains "b" or ProcessCommandLine contains "c" or FileName == "x" or ProcessCommandLine contains "d" or ProcessCommandLine contains "e" or ProcessCommandLine contains "f.g"`,
		`_l matches regex "(?:a|b|c|d|e|f\\.g)" or FileName == "x"`, `_l=tolower(ProcessCommandLine)`)
	f("DeviceProcessEvents",
		`FolderPath endswith "\\a" or FolderPath endswith "\\b" or FolderPath endswith "\\c" or FolderPath endswith "\\d" or FolderPath endswith "\\e" or FolderPath endswith "\\f"`,
		`_l matches regex "(?:\\\\a|\\\\b|\\\\c|\\\\d|\\\\e|\\\\f)$"`, `_l=tolower(FolderPath)`)
}

func TestGuardOf(t *testing.T) {
	tb, _ := catalog.Default().Table("WindowsEvent")
	f := func(pred string, want ...string) {
		t.Helper()
		x, err := kql.ParseExpr(pred)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range guardOf(tb, x) {
			got = append(got, kql.Print(g))
		}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("guardOf(%s) = %v, want %v", pred, got, want)
		}
	}
	f(`Channel == "System" and (EventID in (1, 2) and tostring(EventData.X) == "y" and Provider =~ "p")`, `Channel == "System"`, `EventID in (1, 2)`)
	f(`(Channel == "A" or Channel == "B") and Provider startswith "Microsoft"`, `Channel == "A" or Channel == "B"`, `Provider startswith "Microsoft"`)
	f(`tostring(EventData.X) == "y" and Channel == "System"`)
	f(`Derived == "x"`)
}

// FuzzRewrite checks that rewriting any predicate never panics and gives
// KQL that prints and parses back, with computed columns that do too.
func FuzzRewrite(f *testing.F) {
	for _, seed := range []string{
		`ProcessCommandLine contains "ABC"`,
		`FileName in~ ("A.exe", "b.EXE") and not(FolderPath endswith "\\x")`,
		`tolong(AdditionalFields.DesiredAccess) == 4112 or isnotempty(AdditionalFields["a b"])`,
		`ProcessCommandLine contains "a" or ProcessCommandLine contains "b" or ProcessCommandLine contains "c" or ProcessCommandLine contains "d" or ProcessCommandLine contains "e" or ProcessCommandLine contains "f"`,
		`(FolderPath =~ "x" or FolderPath startswith "y") and ProcessId between (1 .. 5)`,
	} {
		f.Add(seed)
	}
	tb, _ := catalog.Default().Table("DeviceProcessEvents")
	f.Fuzz(func(t *testing.T, src string) {
		x, err := kql.ParseExpr(src)
		if err != nil {
			return
		}
		out, cols := rewrite(tb, x, nil)
		if _, err := kql.ParseExpr(kql.Print(out)); err != nil {
			t.Fatalf("rewrite of %q prints %q, which does not parse: %v", src, kql.Print(out), err)
		}
		seen := map[string]bool{}
		for _, c := range cols {
			if seen[c.name] {
				t.Fatalf("column %s computed twice for %q", c.name, src)
			}
			seen[c.name] = true
			if _, err := kql.ParseExpr(kql.Print(c.x)); err != nil {
				t.Fatalf("column %s = %q does not parse: %v", c.name, kql.Print(c.x), err)
			}
		}
		guardOf(tb, x)
	})
}
