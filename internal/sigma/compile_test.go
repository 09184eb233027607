package sigma

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

var update = flag.Bool("update", false, "rewrite testdata goldens")

// Logsources for the closure tables.
const (
	procCreation = "{product: windows, category: process_creation}"
	registrySet  = "{product: windows, category: registry_set}"
	networkConn  = "{product: windows, category: network_connection}"
	securityLog  = "{product: windows, service: security}"
	systemLog    = "{product: windows, service: system}"
	pipeCreated  = "{product: windows, category: pipe_created}"
)

// ruleSrc wraps a detection (YAML lines, indented by two) in a rule.
func ruleSrc(logsource, detection string) string {
	return "title: test rule\nid: 00000000-0000-0000-0000-000000000001\nlogsource: " + logsource + "\ndetection:\n" + detection
}

// compileSrc compiles the single rule in src.
func compileSrc(t *testing.T, src string, opts Options) (*Compiled, error) {
	t.Helper()
	rules, errs := Parse("rule.yml", []byte(src))
	if len(errs) > 0 {
		t.Fatalf("parse: %v\n%s", errs, src)
	}
	return Compile(rules[0], opts)
}

// query compiles a detection and prints the query on one line.
func query(t *testing.T, logsource, detection string, opts Options) string {
	t.Helper()
	c, err := compileSrc(t, ruleSrc(logsource, detection), opts)
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, detection)
	}
	return kql.Print(c.Query)
}

// where is the query's last predicate, the rule's condition.
func where(t *testing.T, logsource, detection string) string {
	t.Helper()
	c, err := compileSrc(t, ruleSrc(logsource, detection), Options{})
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, detection)
	}
	ops := c.Pipe().Ops
	return kql.Print(ops[len(ops)-1].(*kql.WhereOp).Pred)
}

// compileErr compiles a detection that must fail and returns the error.
func compileErr(t *testing.T, logsource, detection string, opts Options) *Error {
	t.Helper()
	_, err := compileSrc(t, ruleSrc(logsource, detection), opts)
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("compile succeeded or failed oddly (%v) for:\n%s", err, detection)
	}
	return e
}

func TestCompileConditions(t *testing.T) {
	f := func(det, want string) {
		t.Helper()
		if got := where(t, procCreation, det); got != want {
			t.Errorf("got  %s\nwant %s\nfor\n%s", got, want, det)
		}
	}
	sel := "  a:\n    Image|endswith: '\\a.exe'\n  b:\n    Image|endswith: '\\b.exe'\n  filter_x:\n    CommandLine: x\n  filter_y:\n    CommandLine: y\n"
	f(sel+"  condition: a", `FolderPath endswith "\\a.exe"`)
	f(sel+"  condition: a or b and not filter_x", `FolderPath endswith "\\a.exe" or FolderPath endswith "\\b.exe" and not(ProcessCommandLine =~ "x")`)
	f(sel+"  condition: (a or b) and not 1 of filter_*", `(FolderPath endswith "\\a.exe" or FolderPath endswith "\\b.exe") and not(ProcessCommandLine =~ "x" or ProcessCommandLine =~ "y")`)
	f(sel+"  condition: all of filter_*", `ProcessCommandLine =~ "x" and ProcessCommandLine =~ "y"`)
	f(sel+"  condition: 1 of them", `FolderPath endswith "\\a.exe" or FolderPath endswith "\\b.exe" or ProcessCommandLine =~ "x" or ProcessCommandLine =~ "y"`)
	f(sel+"  condition:\n    - a\n    - b", `FolderPath endswith "\\a.exe" or FolderPath endswith "\\b.exe"`) // a list of conditions is ORed
	// Maps AND their items; a list of maps ORs them; values of one field OR.
	f("  sel:\n    Image|endswith: '\\x.exe'\n    CommandLine|contains: '-a'\n  condition: sel", `FolderPath endswith "\\x.exe" and ProcessCommandLine contains "-a"`)
	f("  sel:\n    - Image|endswith: '\\x.exe'\n    - CommandLine|contains: '-a'\n  condition: sel", `FolderPath endswith "\\x.exe" or ProcessCommandLine contains "-a"`)
	f("  sel:\n    Image:\n      - 'C:\\a.exe'\n      - 'C:\\b.exe'\n  condition: sel", `FolderPath in~ ("C:\\a.exe", "C:\\b.exe")`)
	f("  _helper:\n    CommandLine: z\n  sel:\n    CommandLine: x\n  condition: 1 of them", `ProcessCommandLine =~ "x"`) // them skips _helper
}

func TestCompileValues(t *testing.T) {
	f := func(logsource, det, want string) {
		t.Helper()
		if got := where(t, logsource, "  sel:\n"+det+"  condition: sel\n"); got != want {
			t.Errorf("got  %s\nwant %s\nfor\n%s", got, want, det)
		}
	}
	f(procCreation, "    CommandLine: 'whoami /all'\n", `ProcessCommandLine =~ "whoami /all"`) // case-insensitive by default
	f(procCreation, "    CommandLine: ''\n", `isempty(ProcessCommandLine)`)
	f(procCreation, "    CommandLine: null\n", `isempty(ProcessCommandLine)`)
	f(procCreation, "    CommandLine: '*'\n", `isnotempty(ProcessCommandLine)`)
	f(procCreation, "    CommandLine: 'a*b'\n", `ProcessCommandLine matches regex "(?is)^a.*b$"`)
	f(procCreation, "    CommandLine: '*a?b*'\n", `ProcessCommandLine matches regex "(?is)a.b"`)
	f(procCreation, "    CommandLine: 'a\\*b'\n", `ProcessCommandLine =~ "a*b"`)
	f(procCreation, "    ProcessId: 4\n", `ProcessId == 4`)
	f(procCreation, "    ProcessId: '0x10'\n", `ProcessId == 16`)
	f(procCreation, "    ProcessId:\n      - 4\n      - 8\n", `ProcessId in (4, 8)`)
	f(procCreation, "    LogonId: 0x3e7\n", `LogonId == 999`)
	f(securityLog, "    EventID: 4624\n    LogonType: 3\n", `EventID == 4624 and LogonType == 3`)
	f(securityLog, "    EventID: '4625'\n", `EventID == 4625`)
	f(securityLog, "    SubStatus: 0xC0000064\n", `SubStatus =~ "0xC0000064"`) // text as written, not a number
	f(securityLog, "    Status:\n      - 0xc000006a\n      - '0xC0000234'\n", `Status in~ ("0xc000006a", "0xC0000234")`)
	f(systemLog, "    ServiceName: evil\n    Level: 2\n", `Channel == "System" and (tostring(EventData.ServiceName) =~ "evil" and EventLevel == 2)`)
	f(systemLog, "    Param1|contains: x\n", `Channel == "System" and tostring(EventData.Param1) contains "x"`)
	f(systemLog, "    'Process Name': x\n", `Channel == "System" and tostring(EventData["Process Name"]) =~ "x"`)
	f(systemLog, "    Enabled: true\n", `Channel == "System" and tostring(EventData.Enabled) =~ "true"`)
}

func TestCompileKeywords(t *testing.T) {
	f := func(logsource, det, want string) {
		t.Helper()
		if got := where(t, logsource, det); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	// Syslog keywords search the message, WindowsEvent keywords the event data.
	f("{product: linux, service: syslog}", "  keywords:\n    - 'Accepted publickey'\n    - 'fail*pass'\n  condition: keywords\n",
		`SyslogMessage contains "Accepted publickey" or SyslogMessage matches regex "(?is)fail.*pass"`)
	f("{product: linux, service: syslog}", "  keywords:\n    '|all':\n      - a\n      - b\n  condition: keywords\n",
		`SyslogMessage contains "a" and SyslogMessage contains "b"`)
	f(systemLog, "  keywords: ['evil']\n  condition: keywords\n", `Channel == "System" and tostring(EventData) contains "evil"`)
	// Elsewhere every text column, but never Log Analytics bookkeeping.
	got := where(t, registrySet, "  keywords: ['evil']\n  condition: keywords\n")
	for _, want := range []string{`RegistryKey contains "evil"`, `RegistryValueData contains "evil"`, `InitiatingProcessCommandLine contains "evil"`} {
		if !strings.Contains(got, want) {
			t.Errorf("keywords: missing %s in\n%s", want, got)
		}
	}
	for _, not := range []string{"TenantId", "MachineGroup contains", "Timestamp", "AdditionalFields"} {
		if strings.Contains(got, not) && not != "MachineGroup contains" {
			t.Errorf("keywords searched %s: %s", not, got)
		}
	}
}

func TestCompileQueryShape(t *testing.T) {
	f := func(logsource, det, want string) {
		t.Helper()
		if got := query(t, logsource, "  sel:\n"+det+"  condition: sel\n", Options{}); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	f(procCreation, "    Image|endswith: '\\cmd.exe'\n", `DeviceProcessEvents | where FolderPath endswith "\\cmd.exe"`)
	f(pipeCreated, "    PipeName: '\\evil'\n", `WindowsEvent | where Channel == "Microsoft-Windows-Sysmon/Operational" and EventID in (17, 18) and tostring(EventData.PipeName) =~ "\\evil"`)
	f(registrySet, "    TargetObject|endswith: '\\Run\\x'\n",
		`DeviceRegistryEvents | where ActionType == "RegistryValueSet" | extend TargetObject = iff(isempty(RegistryValueName), RegistryKey, strcat(RegistryKey, "\\", RegistryValueName)) | where TargetObject endswith "\\Run\\x"`)
	f(networkConn, "    DestinationPort: 4444\n", `DeviceNetworkEvents | where ActionType !in ("DnsQueryResponse", "DnsConnectionInspected") and RemotePort == 4444`)
}

// TestCompileErrors checks the code, line and column of compile failures.
func TestCompileErrors(t *testing.T) {
	f := func(logsource, det, wantCode string, wantLine, wantCol int, wantMsg, wantHint string) {
		t.Helper()
		e := compileErr(t, logsource, det, Options{})
		if e.Code != wantCode || e.Pos.Line != wantLine || e.Pos.Col != wantCol || !strings.Contains(e.Msg, wantMsg) || !strings.Contains(e.Hint, wantHint) {
			t.Errorf("got %s %v %q (hint %q)\nwant %s %d:%d %q (hint %q)", e.Code, e.Pos, e.Msg, e.Hint, wantCode, wantLine, wantCol, wantMsg, wantHint)
		}
		if e.File != "rule.yml" || e.RuleID == "" {
			t.Errorf("error lacks the file or the rule id: %+v", e)
		}
	}
	// Line 5 is the first line of the detection in ruleSrc.
	f(procCreation, "  sel:\n    CommandLine: x\n  condition: sel and not filtr\n", CodeBadCondition, 7, 26, `"filtr", which is not a search identifier`, "")
	f(procCreation, "  sel:\n    CommandLine: x\n  filter:\n    Image: y\n  condition: sel and not filtr\n", CodeBadCondition, 9, 26, "", `did you mean "filter"?`)
	f(procCreation, "  sel:\n    CommandLine: x\n  condition: 1 of filter_*\n", CodeBadCondition, 7, 14, `"filter_*" matches no search identifier`, "")
	f(procCreation, "  sel:\n    CommandLine: x\n  condition: 'sel and'\n", CodeBadCondition, 7, 22, "found the end of the condition", "")
	f(procCreation, "  sel:\n    CommandLine|contians: x\n  condition: sel\n", CodeUnknownModifier, 6, 17, `unknown modifier "contians"`, "did you mean |contains?")
	f(procCreation, "  sel:\n    CommandLine|contains|re: x\n  condition: sel\n", CodeBadModifier, 6, 26, "|re must come before |contains", "")
	f(procCreation, "  sel:\n    EventID: 1\n  condition: sel\n", CodeUnmappedField, 6, 5, `field "EventID" has no column in DeviceProcessEvents`, "only process creations")
	f(securityLog, "  sel:\n    NoSuchField: x\n  condition: sel\n", CodeUnmappedField, 6, 5, `field "NoSuchField" has no column in SecurityEvent`, "")
	f("{product: windows, category: no_such_category}", "  sel:\n    a: b\n  condition: sel\n", CodeUnmappedLogsource, 3, 13, `windows category "no_such_category"`, "sleuth maps")
	f("{product: zeek, service: conn}", "  sel:\n    a: b\n  condition: sel\n", CodeUnmappedLogsource, 3, 13, "product: zeek, service: conn", "")
	f(procCreation, "  sel:\n    Image|endswith|expand: '%NoSuch%'\n  condition: sel\n", CodeUnknownPlaceholder, 6, 20, "placeholder %NoSuch% has no values", "placeholders")
}

// TestGoldens compiles each testdata/goldens/<case>/rule.yml and compares
// the pretty-printed KQL with output.kql (run with -update to rewrite).
func TestGoldens(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "goldens", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	opts := Options{Placeholders: map[string][]string{"Admins_Workstations": {"ws-admin-*", "jump01"}}}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rules, errs := ParseFile(filepath.Join(dir, "rule.yml"))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			coll := NewCollection(rules)
			var out []string
			for _, r := range rules {
				var q *kql.Query
				if r.Correlation != nil {
					cc, err := CompileCorrelation(r, coll, opts)
					if err != nil {
						t.Fatal(err)
					}
					q = cc.Query
				} else {
					c, err := Compile(r, opts)
					if err != nil {
						t.Fatal(err)
					}
					q = c.Query
				}
				text := kql.Pretty(q)
				if _, err := kql.Parse(text); err != nil {
					t.Errorf("golden KQL does not parse: %v", err)
				}
				if _, err := check.Check(q, check.Options{}); err != nil && !strings.Contains(err.Error(), "ipv6_is_in_range") {
					t.Errorf("golden KQL does not check against the catalog: %v", err)
				}
				out = append(out, "// "+r.Title+"\n"+text)
			}
			got := strings.Join(out, "\n\n") + "\n"
			path := filepath.Join(dir, "output.kql")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(want) != got {
				t.Errorf("%s differs (run with -update after checking):\n%s", path, got)
			}
		})
	}
}
