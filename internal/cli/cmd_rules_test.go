package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/sigma"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// rulesStore opens a store in a temporary folder and appends rows given by
// column name.
func rulesStore(t *testing.T, data map[string][]map[string]any) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"), store.Options{InitSQL: duckdb.Prelude()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for table, rs := range data {
		ap, err := st.Appender(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			vals := make([]any, len(ap.Table().Columns))
			for i, c := range ap.Table().Columns {
				vals[i] = r[c.Name]
			}
			if err := ap.Append(vals); err != nil {
				t.Fatal(err)
			}
		}
		if err := ap.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// runRule compiles one rule, lowers it to DuckDB SQL as rules convert
// --to sql does, runs it and returns the values of column key.
func runRule(t *testing.T, st *store.Store, src, key string) []string {
	t.Helper()
	rules, errs := sigma.Parse("rule.yml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	c, err := sigma.Compile(rules[0], sigma.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{now: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)}
	sql, err := a.toSQL(c.Query)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	set, err := st.Query(context.Background(), sql, 1000)
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	return column(set, key)
}

func column(set *rows.Set, key string) []string {
	i := set.Index(key)
	var out []string
	for _, r := range set.Rows {
		out = append(out, fmt.Sprint(r[i]))
	}
	sort.Strings(out)
	return out
}

var day = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// TestRulesRunOnStore runs compiled rules on DuckDB through the KQL checker
// and the DuckDB compiler: the whole path a Sigma rule takes in a hunt.
func TestRulesRunOnStore(t *testing.T) {
	proc := func(id, image, cmd, domain, user, sha string) map[string]any {
		return map[string]any{"TimeGenerated": day, "DeviceName": "ws1", "ProcessCommandLine": cmd, "FolderPath": image,
			"AccountDomain": domain, "AccountName": user, "SHA256": sha, "ReportId": atoi(id)}
	}
	reg := func(id, key, name, data, typ string) map[string]any {
		return map[string]any{"TimeGenerated": day, "ActionType": "RegistryValueSet", "RegistryKey": key, "RegistryValueName": name,
			"RegistryValueData": data, "RegistryValueType": typ, "ReportId": atoi(id)}
	}
	st := rulesStore(t, map[string][]map[string]any{
		"DeviceProcessEvents": {
			proc("1", `C:\Windows\System32\WHOAMI.EXE`, "whoami /all", "NT AUTHORITY", "SYSTEM", "AA"),
			proc("2", `C:\Windows\System32\cmd.exe`, `cmd /c whoami`, "CORP", "alice", "bb"),
			proc("3", `C:\Tools\whoami.exe.bak`, "", "", "root", ""),
		},
		"DeviceRegistryEvents": {
			reg("10", `HKLM\SOFTWARE\Policies\Microsoft\Windows Defender`, "DisableAntiSpyware", "DWORD (0x00000001)", ""),
			reg("11", `HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows Defender`, "DisableAntiSpyware", "1", "Dword"),
			reg("12", `HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows Defender`, "DisableAntiSpyware", "0", "Dword"),
		},
		"SecurityEvent": {
			{"TimeGenerated": day, "EventID": int64(4625), "IpAddress": "10.1.2.3", "TargetUserName": "alice"},
			{"TimeGenerated": day, "EventID": int64(4625), "IpAddress": "203.0.113.9", "TargetUserName": "bob"},
			{"TimeGenerated": day, "EventID": int64(4624), "IpAddress": "203.0.113.9", "TargetUserName": "carol"},
		},
	})
	f := func(logsource, detection, key string, want ...string) {
		t.Helper()
		src := "title: t\nlogsource: " + logsource + "\ndetection:\n" + detection
		if diff := cmp.Diff(want, runRule(t, st, src, key)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", detection, diff)
		}
	}
	pc := "{product: windows, category: process_creation}"
	f(pc, "  sel: {Image|endswith: '\\whoami.exe'}\n  condition: sel\n", "ReportId", "1") // case-insensitive endswith
	f(pc, "  sel: {Image|endswith|cased: '\\whoami.exe'}\n  condition: sel\n", "ReportId")
	f(pc, "  sel: {CommandLine|contains: WHOAMI}\n  condition: sel\n", "ReportId", "1", "2")
	f(pc, "  sel: {CommandLine: ''}\n  condition: sel\n", "ReportId", "3")
	f(pc, "  sel: {CommandLine: 'cmd*who?mi'}\n  condition: sel\n", "ReportId", "2")
	f(pc, "  sel: {User: 'nt authority\\system'}\n  condition: sel\n", "ReportId", "1")
	f(pc, "  sel: {User: root}\n  condition: sel\n", "ReportId", "3") // no domain: just the name
	f(pc, "  sel: {Hashes|contains: ['SHA256=aa', 'IMPHASH=00']}\n  condition: sel\n", "ReportId", "1")
	f(pc, "  sel: {Image|endswith: '.exe'}\n  filter: {User|contains: AUTHORI}\n  condition: sel and not filter\n", "ReportId", "2")
	f(pc, "  sel: {CommandLine|re: '^w.*all$'}\n  condition: sel\n", "ReportId", "1")
	rs := "{product: windows, category: registry_set}"
	f(rs, "  sel:\n    TargetObject|startswith: 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\'\n    Details: 'DWORD (0x00000001)'\n  condition: sel\n",
		"ReportId", "10", "11") // Sysmon and Defender spellings both match
	sec := "{product: windows, service: security}"
	f(sec, "  sel: {EventID: 4625}\n  filter: {IpAddress|cidr: 10.0.0.0/8}\n  condition: sel and not filter\n", "TargetUserName", "bob")
	f(sec, "  sel: {EventID|gte: 4625}\n  condition: sel\n", "TargetUserName", "alice", "bob")
}

// TestCorrelationOnStore evaluates a correlation the way detect will: each
// base rule's event query runs on the store and the sliding windows are
// computed in Go.
func TestCorrelationOnStore(t *testing.T) {
	var logons []map[string]any
	for i := 0; i < 6; i++ {
		logons = append(logons, map[string]any{"TimeGenerated": day.Add(time.Duration(i) * 40 * time.Second), "EventID": int64(4625),
			"TargetUserName": "alice", "IpAddress": "203.0.113.9", "Computer": "dc1"})
	}
	logons = append(logons, map[string]any{"TimeGenerated": day.Add(5 * time.Minute), "EventID": int64(4624), "TargetUserName": "alice", "Computer": "dc1"},
		map[string]any{"TimeGenerated": day, "EventID": int64(4625), "TargetUserName": "bob", "Computer": "dc1"})
	st := rulesStore(t, map[string][]map[string]any{"SecurityEvent": logons})
	src := `title: Brute force then success
correlation:
  type: temporal_ordered
  rules: [many_failed, success]
  group-by: [TargetUserName]
  timespan: 10m
---
title: Many failed
name: many_failed
correlation: {type: event_count, rules: [failed], group-by: [TargetUserName], timespan: 5m, condition: {gte: 5}}
---
title: Failed
name: failed
logsource: {product: windows, service: security}
detection: {sel: {EventID: 4625}, condition: sel}
---
title: Success
name: success
logsource: {product: windows, service: security}
detection: {sel: {EventID: 4624}, condition: sel}
`
	rules, errs := sigma.Parse("c.yml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cc, err := sigma.CompileCorrelation(rules[0], sigma.NewCollection(rules), sigma.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{now: day}
	fetch := func(b *sigma.Base) ([]sigma.Event, error) {
		sql, err := a.toSQL(b.Events)
		if err != nil {
			return nil, err
		}
		set, err := st.Query(context.Background(), sql, 10000)
		if err != nil {
			return nil, err
		}
		return b.EventsFrom(set)
	}
	sigs, err := cc.Evaluate(fetch)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 1 || sigs[0].Group["TargetUserName"] != "alice" || sigs[0].End != day.Add(5*time.Minute) {
		t.Fatalf("signals = %+v, want alice's failures then success", sigs)
	}
	// The Sentinel rendering runs on the store too and agrees.
	sql, err := a.toSQL(cc.Query)
	if err != nil {
		t.Fatal(err)
	}
	set, err := st.Query(context.Background(), sql, 100)
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	if got := column(set, "TargetUserName"); !cmp.Equal(got, []string{"alice"}) {
		t.Errorf("KQL rendering found %v, want [alice]", got)
	}
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// TestRegressionDataOnStore is the end-to-end check that sleuth's Sigma
// compiler and its ingest agree: the SigmaHQ regression events (real
// Sysmon and Windows events as JSON) go through `sleuth ingest` into a
// store, and every rule that compiles must match at least as many events as
// its regression test expects, on DuckDB.
func TestRegressionDataOnStore(t *testing.T) {
	shared, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "data"))
	if d := os.Getenv("SLEUTH_SHARED_DATA"); d != "" {
		shared = d
	}
	root := filepath.Join(shared, "sigma")
	if _, err := os.Stat(filepath.Join(root, "regression_data")); err != nil {
		t.Skipf("no SigmaHQ regression data at %s (set SLEUTH_SHARED_DATA); skipping", root)
	}
	var jsons, infos []string
	filepath.WalkDir(filepath.Join(root, "regression_data"), func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case strings.HasSuffix(p, ".json"):
			jsons = append(jsons, p)
		case d.Name() == "info.yml":
			infos = append(infos, p)
		}
		return nil
	})
	db := filepath.Join(t.TempDir(), "r.duckdb")
	var stdout, stderr strings.Builder
	if code := Run(context.Background(), append([]string{"sleuth", "--db", db, "ingest"}, jsons...), strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("ingest exit %d: %s", code, stderr.String())
	}
	coll, err := sigma.LoadPaths(filepath.Join(root, "rules"), filepath.Join(root, "rules-emerging-threats"), filepath.Join(root, "rules-threat-hunting"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), db, store.Options{ReadOnly: true, InitSQL: duckdb.Prelude()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := &app{now: time.Now().UTC()}
	tested, passed := 0, 0
	for _, info := range infos {
		var ri struct {
			Rules []struct{ ID string } `yaml:"rule_metadata"`
			Tests []struct {
				MatchCount int `yaml:"match_count"`
			} `yaml:"regression_tests_info"`
		}
		b, _ := os.ReadFile(info)
		if yaml.Unmarshal(b, &ri) != nil || len(ri.Rules) == 0 || len(ri.Tests) == 0 {
			continue
		}
		r, ok := coll.Lookup(ri.Rules[0].ID)
		if !ok {
			continue
		}
		c, err := sigma.Compile(r, sigma.Options{})
		if err != nil {
			continue
		}
		sql, err := a.toSQL(c.Query)
		if err != nil {
			if !strings.Contains(err.Error(), "ipv6_is_in_range") {
				t.Errorf("%s: %v", r.File, err)
			}
			continue
		}
		set, err := st.Query(context.Background(), sql, 100000)
		if err != nil {
			t.Errorf("%s: %v", r.File, err)
			continue
		}
		tested++
		if len(set.Rows) >= max(1, ri.Tests[0].MatchCount) {
			passed++
		} else {
			t.Logf("%s: %d matches, want at least %d", filepath.Base(r.File), len(set.Rows), max(1, ri.Tests[0].MatchCount))
		}
	}
	t.Logf("%d regression rules ran on the store after ingest; %d matched as expected", tested, passed)
	if tested < 190 || float64(passed) < 0.97*float64(tested) {
		t.Errorf("%d of %d regression rules matched their events after ingest", passed, tested)
	}
}
