package detect

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/detect/detecttest"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

var t0 = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// writeRules writes Sigma YAML documents into a temporary directory.
func writeRules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func loadUser(t *testing.T, files map[string]string) *RuleSet {
	t.Helper()
	rs, err := Load(LoadOptions{NoBuiltin: true, Paths: []string{writeRules(t, files)}})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func proc(host, image, cmd string, at time.Duration) detecttest.Row {
	return detecttest.Row{"TimeGenerated": t0.Add(at), "DeviceName": host, "FolderPath": image, "FileName": image[strings.LastIndex(image, `\`)+1:],
		"ProcessCommandLine": cmd, "AccountDomain": "NT AUTHORITY", "AccountName": "SYSTEM"}
}

func rule(id, level, logsource, detection string) string {
	return fmt.Sprintf("title: rule %s\nid: %s\nlevel: %s\ntags: [attack.execution, attack.t1059]\nlogsource:\n%s\ndetection:\n%s\n", id, id, level, logsource, detection)
}

const procLog = "    category: process_creation\n    product: windows"

// mixedRules exercise every rewrite a batched scan makes: patterns folded
// into regular expressions, EventData members extracted behind guards,
// case-insensitive lists, Sigma's derived User field, |cased, non-ASCII
// constants and regular expressions.
var mixedRules = map[string]string{
	"a.yml": rule("a1", "high", procLog, "    sel:\n        Image|endswith: '\\powershell.exe'\n        CommandLine|contains|all: [' -enc', 'hidden']\n    condition: sel"),
	"b.yml": rule("b1", "high", procLog, "    sel:\n        CommandLine|contains: [mimikatz, sekurlsa, lsadump, 'kerberos::', 'crypto::', 'token::', 'privilege::debug', 'dpapi::']\n    condition: sel"),
	"c.yml": rule("c1", "medium", procLog, "    sel:\n        CommandLine|endswith: ['.ps1', '.vbs', '.hta', '.js', '.bat', '.cmd', '.scr']\n    condition: sel"),
	"d.yml": rule("d1", "high", "    product: windows\n    service: system", "    sel:\n        Provider_Name: Service Control Manager\n        EventID: 7045\n        ImagePath|contains: powershell\n    condition: sel"),
	"e.yml": rule("e1", "low", "    product: windows\n    service: security", "    sel:\n        EventID: 4625\n        TargetUserName: [Administrator, Guest]\n    condition: sel"),
	"f.yml": rule("f1", "low", procLog, "    sel:\n        User|contains: 'AUTHORITY\\SYS'\n        Image|endswith: '\\whoami.exe'\n    condition: sel"),
	"g.yml": rule("g1", "medium", procLog, "    sel:\n        CommandLine|cased|contains: 'MiXeD'\n    condition: sel"),
	"h.yml": rule("h1", "medium", procLog, "    sel:\n        CommandLine|contains: 'ÜNÏcode'\n    condition: sel"),
	"i.yml": rule("i1", "medium", procLog, "    sel:\n        CommandLine|re: '(?i)\\bnet1?\\s+user\\b'\n    condition: sel"),
	"j.yml": rule("j1", "high", "    category: pipe_created\n    product: windows", "    sel:\n        PipeName|startswith: ['\\msagent_', '\\postex_', '\\status_', '\\MSSE-', '\\win_svc', '\\ntsvcs']\n    condition: sel"),
}

func mixedData(t *testing.T) *detecttest.Store {
	s := detecttest.Open(t)
	s.Insert(t, "DeviceProcessEvents",
		proc("ws1", `C:\WINDOWS\System32\WindowsPowerShell\v1.0\POWERSHELL.EXE`, "powershell -W HIDDEN -ENC SQBFAFgA", 0),
		proc("ws1", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "powershell -File a.PS1", time.Minute),
		proc("ws2", `C:\Tools\m.exe`, `m.exe "PRIVILEGE::DEBUG" "sekurlsa::logonpasswords" exit`, 2*time.Minute),
		proc("ws2", `C:\Windows\System32\whoami.exe`, "whoami /all", 3*time.Minute),
		proc("ws3", `C:\Windows\System32\cmd.exe`, "cmd /c echo MiXeD", 4*time.Minute),
		proc("ws3", `C:\Windows\System32\cmd.exe`, "cmd /c echo mixed", 5*time.Minute),
		proc("ws3", `C:\Windows\System32\cmd.exe`, "cmd /c echo ünïcode", 6*time.Minute),
		proc("ws3", `C:\Windows\System32\cmd.exe`, "cmd /c echo ÜNÏcode", 7*time.Minute),
		proc("ws4", `C:\Windows\System32\net.exe`, "NET  USER /domain", 8*time.Minute),
		proc("ws4", `C:\Windows\System32\net.exe`, "net use z: \\\\fs\\x", 9*time.Minute),
		proc("ws4", `C:\Windows\System32\notepad.exe`, "notepad.exe c:\\x.txt", 10*time.Minute))
	s.Insert(t, "WindowsEvent",
		detecttest.Row{"TimeGenerated": t0, "Computer": "srv1", "Channel": "System", "EventID": 7045, "Provider": "Service Control Manager",
			"EventData": map[string]any{"ServiceName": "x", "ImagePath": "cmd /c PowerShell -nop"}},
		detecttest.Row{"TimeGenerated": t0.Add(time.Minute), "Computer": "srv1", "Channel": "System", "EventID": 7036, "Provider": "Service Control Manager",
			"EventData": map[string]any{"param1": "powershell"}},
		detecttest.Row{"TimeGenerated": t0.Add(2 * time.Minute), "Computer": "srv2", "Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 17,
			"Provider": "Microsoft-Windows-Sysmon", "EventData": map[string]any{"PipeName": `\MSSE-1234-server`}},
		detecttest.Row{"TimeGenerated": t0.Add(3 * time.Minute), "Computer": "srv2", "Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 17,
			"Provider": "Microsoft-Windows-Sysmon", "EventData": map[string]any{"PipeName": `\lsass`}})
	s.Insert(t, "SecurityEvent",
		detecttest.Row{"TimeGenerated": t0, "Computer": "dc1", "EventID": 4625, "TargetUserName": "ADMINISTRATOR", "IpAddress": "10.1.1.1"},
		detecttest.Row{"TimeGenerated": t0.Add(time.Minute), "Computer": "dc1", "EventID": 4625, "TargetUserName": "bob", "IpAddress": "10.1.1.1"},
		detecttest.Row{"TimeGenerated": t0.Add(2 * time.Minute), "Computer": "dc1", "EventID": 4624, "TargetUserName": "guest", "IpAddress": "10.1.1.1"})
	return s
}

type sigKey struct {
	Rule, Subject string
	First, Last   time.Time
	Count         int
}

func keys(sigs []Signal) []sigKey {
	out := make([]sigKey, len(sigs))
	for i, s := range sigs {
		out[i] = sigKey{s.RuleID, s.Subject, s.FirstSeen, s.LastSeen, s.Count}
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

// TestBatchedMatchesAsWritten holds batched scans (rewritten, pruned,
// chunked) to the rules' own queries run one by one.
func TestBatchedMatchesAsWritten(t *testing.T) {
	s := mixedData(t)
	rs := loadUser(t, mixedRules)
	if len(rs.Errors) > 0 {
		t.Fatalf("rules do not compile: %v", rs.Errors)
	}
	scope := Scope{Start: t0.Add(-time.Hour), End: t0.Add(time.Hour)}
	ref, err := (&Engine{Source: s.Src, Rules: rs, Options: Options{asWritten: true}}).Run(context.Background(), scope)
	if err != nil {
		t.Fatal(err)
	}
	want := []sigKey{
		{"a1", "ws1", t0, t0, 1},
		{"b1", "ws2", t0.Add(2 * time.Minute), t0.Add(2 * time.Minute), 1},
		{"c1", "ws1", t0.Add(time.Minute), t0.Add(time.Minute), 1},
		{"d1", "srv1", t0, t0, 1},
		{"e1", "dc1", t0, t0, 1},
		{"f1", "ws2", t0.Add(3 * time.Minute), t0.Add(3 * time.Minute), 1},
		{"g1", "ws3", t0.Add(4 * time.Minute), t0.Add(4 * time.Minute), 1},
		{"i1", "ws4", t0.Add(8 * time.Minute), t0.Add(8 * time.Minute), 1},
		{"j1", "srv2", t0.Add(2 * time.Minute), t0.Add(2 * time.Minute), 1},
	}
	// h1's non-ASCII constant follows the store's own case folding, which
	// Unicode leaves to the engine; the batched form must only agree with it.
	got := keys(ref.Signals)
	var noH []sigKey
	for _, k := range got {
		if k.Rule != "h1" {
			noH = append(noH, k)
		}
	}
	if d := cmp.Diff(want, noH); d != "" {
		t.Fatalf("rules as written (-want +got):\n%s", d)
	}
	for _, chunk := range []int{1, 3, 50} {
		res, err := (&Engine{Source: s.Src, Rules: rs, Options: Options{ChunkSize: chunk}}).Run(context.Background(), scope)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(got, keys(res.Signals)); d != "" {
			t.Errorf("chunk %d: batched scans differ from the rules as written (-as written +batched):\n%s", chunk, d)
		}
		for _, q := range res.Queries {
			if !strings.Contains(q.KQL, "TimeGenerated between (datetime(") {
				t.Errorf("query without the window node: %s", q.KQL)
			}
		}
	}
}

// narrowSource is a source whose catalog lacks a column, as a Sentinel
// workspace may: queries reading it fail the source's check.
type narrowSource struct {
	source.Source
	cat *catalog.Catalog
}

func (n narrowSource) Catalog(context.Context) (*catalog.Catalog, error) { return n.cat, nil }

func (n narrowSource) Query(ctx context.Context, q *kql.Query, opt source.Options) (*source.Result, error) {
	if _, err := check.Check(q, check.Options{Catalog: n.cat}); err != nil {
		return nil, err
	}
	return n.Source.Query(ctx, q, opt)
}

func without(t *testing.T, table, column string) *catalog.Catalog {
	t.Helper()
	var tables []*catalog.Table
	for _, name := range catalog.Default().Names() {
		tb, _ := catalog.Default().Table(name)
		c := *tb
		c.Columns = nil
		for _, col := range tb.Columns {
			if name != table || col.Name != column {
				c.Columns = append(c.Columns, col)
			}
		}
		tables = append(tables, &c)
	}
	cat, err := catalog.New(tables)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestFailingRuleIsIsolated checks that a rule the source refuses fails
// alone, with its code, and that the rules batched with it still run.
func TestFailingRuleIsIsolated(t *testing.T) {
	s := mixedData(t)
	files := map[string]string{}
	for k, v := range mixedRules {
		files[k] = v
	}
	files["k.yml"] = rule("k1", "low", procLog, "    sel:\n        IntegrityLevel: High\n    condition: sel")
	rs := loadUser(t, files)
	src := narrowSource{Source: s.Src, cat: without(t, "DeviceProcessEvents", "ProcessIntegrityLevel")}
	res, err := (&Engine{Source: src, Rules: rs}).Run(context.Background(), Scope{Start: t0.Add(-time.Hour), End: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || res.Errors[0].RuleID != "k1" || res.Errors[0].Code != kql.CodeUnknownColumn {
		t.Fatalf("errors = %v, want k1 alone with %s", res.Errors, kql.CodeUnknownColumn)
	}
	fired := map[string]bool{}
	for _, s := range res.Signals {
		fired[s.RuleID] = true
	}
	for _, id := range []string{"a1", "b1", "c1", "f1", "g1", "i1"} {
		if !fired[id] {
			t.Errorf("%s, batched with the failing rule, raised no signal", id)
		}
	}
}

// TestSignalsGroupBySubjectAndSession checks grouping, entities, samples
// and that each signal's KQL reproduces its rows.
func TestSignalsGroupBySubjectAndSession(t *testing.T) {
	s := detecttest.Open(t)
	var rows []detecttest.Row
	for _, at := range []time.Duration{0, 10 * time.Minute, 20 * time.Minute, 30 * time.Minute, 3 * time.Hour} {
		rows = append(rows, proc("ws1.corp.example", `C:\Windows\System32\whoami.exe`, "whoami", at))
	}
	rows = append(rows, proc("ws2.corp.example", `C:\Windows\System32\whoami.exe`, "whoami /groups", time.Minute))
	s.Insert(t, "DeviceProcessEvents", rows...)
	rs := loadUser(t, map[string]string{"w.yml": rule("w1", "low", procLog, "    sel:\n        Image|endswith: '\\whoami.exe'\n    condition: sel")})
	res, err := (&Engine{Source: s.Src, Rules: rs}).Run(context.Background(), Scope{Start: t0, End: t0.Add(4 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := []sigKey{
		{"w1", "ws1.corp.example", t0, t0.Add(30 * time.Minute), 4},
		{"w1", "ws1.corp.example", t0.Add(3 * time.Hour), t0.Add(3 * time.Hour), 1},
		{"w1", "ws2.corp.example", t0.Add(time.Minute), t0.Add(time.Minute), 1},
	}
	if d := cmp.Diff(want, keys(res.Signals)); d != "" {
		t.Fatalf("signals (-want +got):\n%s", d)
	}
	for _, sig := range res.Signals {
		if len(sig.Samples) > MaxSamples || len(sig.Samples) != min(sig.Count, MaxSamples) {
			t.Errorf("%d samples for %d events", len(sig.Samples), sig.Count)
		}
		if len(sig.Entities.Hosts) != 1 || sig.Entities.Hosts[0] != sig.Subject || len(sig.Entities.Users) != 0 {
			t.Errorf("entities %+v, want the host %s only (SYSTEM is no actor)", sig.Entities, sig.Subject)
		}
		if sig.Techniques[0] != "T1059" || sig.Tactics[0] != "execution" {
			t.Errorf("ATT&CK %v %v", sig.Techniques, sig.Tactics)
		}
		q, err := kql.Parse(sig.KQL)
		if err != nil {
			t.Fatalf("signal KQL does not parse: %v\n%s", err, sig.KQL)
		}
		back, err := s.Src.Query(context.Background(), q, source.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(back.Set.Rows) != sig.Count {
			t.Errorf("signal KQL returns %d rows, the signal counts %d:\n%s", len(back.Set.Rows), sig.Count, sig.KQL)
		}
	}
}

// TestScope checks the scope's filters and its validation.
func TestScope(t *testing.T) {
	s := mixedData(t)
	rs := loadUser(t, mixedRules)
	eng := &Engine{Source: s.Src, Rules: rs}
	run := func(sc Scope) []string {
		t.Helper()
		sc.Start, sc.End = t0.Add(-time.Hour), t0.Add(time.Hour)
		res, err := eng.Run(context.Background(), sc)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range res.Signals {
			ids = append(ids, s.RuleID)
		}
		sort.Strings(ids)
		return ids
	}
	if got := run(Scope{MinLevel: "high"}); !cmp.Equal(got, []string{"a1", "b1", "d1", "j1"}) {
		t.Errorf("MinLevel high: %v", got)
	}
	if got := run(Scope{RuleIDs: []string{"e1", "g1"}}); !cmp.Equal(got, []string{"e1", "g1"}) {
		t.Errorf("RuleIDs: %v", got)
	}
	if got := run(Scope{Entities: entity.Set{Hosts: []string{"WS2.corp.example"}}}); !cmp.Equal(got, []string{"b1", "f1"}) {
		t.Errorf("Entities ws2: %v", got)
	}
	if got := run(Scope{Tables: []string{"SecurityEvent"}}); !cmp.Equal(got, []string{"e1"}) {
		t.Errorf("Tables: %v", got)
	}
	for _, sc := range []Scope{{}, {Start: t0, End: t0}, {Start: t0, End: t0.Add(time.Hour), MinLevel: "severe"}} {
		_, err := eng.Run(context.Background(), sc)
		if e, ok := err.(*RuleError); !ok || e.Code != CodeScope {
			t.Errorf("scope %+v: error %v, want %s", sc, err, CodeScope)
		}
	}
}

// TestLoadReportsBadRules checks that a user rule that does not compile is
// reported with its file and line and left out, and the rest loads.
func TestLoadReportsBadRules(t *testing.T) {
	rs := loadUser(t, map[string]string{
		"good.yml": rule("g1", "low", procLog, "    sel:\n        Image|endswith: '\\whoami.exe'\n    condition: sel"),
		"bad.yml":  rule("b1", "low", procLog, "    sel:\n        CommandLine|contians: x\n    condition: sel"),
		"dup.yml":  rule("g1", "low", procLog, "    sel:\n        Image|endswith: '\\net.exe'\n    condition: sel"),
		"yaml.yml": "title: [unclosed\n",
	})
	var got []string
	for _, e := range rs.Errors {
		got = append(got, fmt.Sprintf("%s:%d %s %s", filepath.Base(e.File), e.Line, e.Code, e.Origin))
	}
	want := []string{"bad.yml:10 sigma.unknown_modifier user", "good.yml:1 sigma.bad_field user", "yaml.yml:1 sigma.yaml user"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("errors (-want +got):\n%s", d)
	}
	var ids []string
	for _, r := range rs.Runnable() {
		ids = append(ids, r.ID)
	}
	if !cmp.Equal(ids, []string{"g1", "g1"}) {
		t.Errorf("runnable %v, want both g1 documents (the duplicate id is reported, not dropped)", ids)
	}
}

// TestCorrelationSignal checks a correlation's signal: its group, count,
// entities from the group and the events, and its windowed KQL.
func TestCorrelationSignal(t *testing.T) {
	s := detecttest.Open(t)
	var rows []detecttest.Row
	for i := 0; i < 6; i++ {
		rows = append(rows, detecttest.Row{"TimeGenerated": t0.Add(time.Duration(i) * time.Minute), "Computer": "web1", "EventID": 4625,
			"LogonType": 3, "IpAddress": "203.0.113.9", "TargetUserName": "admin"})
	}
	s.Insert(t, "SecurityEvent", rows...)
	rs := loadUser(t, map[string]string{"c.yml": `title: many failures
id: c1
level: medium
tags: [attack.t1110]
correlation:
    type: event_count
    rules: [fail]
    group-by: [IpAddress]
    timespan: 10m
    condition:
        gte: 5
---
title: failure
id: f1
name: fail
logsource:
    product: windows
    service: security
detection:
    sel:
        EventID: 4625
    condition: sel
`})
	res, err := (&Engine{Source: s.Src, Rules: rs}).Run(context.Background(), Scope{Start: t0, End: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signals) != 1 {
		t.Fatalf("signals %+v, want one", res.Signals)
	}
	sig := res.Signals[0]
	if sig.Kind != KindCorrelation || sig.Count != 6 || sig.Subject != "IpAddress=203.0.113.9" || sig.Table != "SecurityEvent" {
		t.Errorf("signal %+v", sig)
	}
	if !cmp.Equal(sig.Entities.IPs, []string{"203.0.113.9"}) || !cmp.Equal(sig.Entities.Hosts, []string{"web1"}) {
		t.Errorf("entities %+v", sig.Entities)
	}
	if !strings.Contains(sig.KQL, "between (datetime(2025-03-04T10:00:00Z) .. datetime(2025-03-04T10:05:00Z))") {
		t.Errorf("KQL not windowed to the signal:\n%s", sig.KQL)
	}
}
