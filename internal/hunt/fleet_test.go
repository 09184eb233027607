package hunt_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/source/embedded"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// An agent's command line that runs on twelve hosts every day is fleet-wide
// routine; the same spread reached in one hour (a push to every host) is
// not, and stays a finding. The same in Defender's process table and in
// the Security log's 4688 events.
func TestEngineTellsFleetRoutineFromAPush(t *testing.T) {
	for _, tc := range []struct{ table, host, cmd string }{
		{"DeviceProcessEvents", "DeviceName", "ProcessCommandLine"},
		{"SecurityEvent", "Computer", "CommandLine"},
	} {
		t.Run(tc.table, func(t *testing.T) { fleetRoutineFromAPush(t, tc.table, tc.host, tc.cmd) })
	}
}

func fleetRoutineFromAPush(t *testing.T, table, hostCol, cmdCol string) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "f.duckdb"), store.Options{InitSQL: duckdb.Prelude()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	app, err := st.Appender(ctx, table)
	if err != nil {
		t.Fatal(err)
	}
	tab := app.Table()
	add := func(at time.Time, host, cmd string) {
		row := make([]any, len(tab.Columns))
		for i, c := range tab.Columns {
			switch c.Name {
			case "TimeGenerated", "Timestamp":
				row[i] = at
			case hostCol:
				row[i] = host
			case cmdCol:
				row[i] = cmd
			case "EventID":
				row[i] = 4688
			}
		}
		if err := app.Append(row); err != nil {
			t.Fatal(err)
		}
	}
	const agent = `powershell.exe -NoProfile -File "C:\Program Files\Agent\collect.ps1"`
	const push = `powershell.exe -NoProfile -File "\\fs01\c$\Windows\Temp\x.ps1"`
	pushAt := now.Add(-10 * time.Hour)
	for h := range 12 {
		host := fmt.Sprintf("ws%02d.corp.example", h)
		for d := 6; d >= 1; d-- {
			add(now.Add(-time.Duration(d)*24*time.Hour+time.Duration(h)*time.Minute), host, agent)
		}
		add(pushAt.Add(time.Duration(h)*time.Minute), host, push)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	signal := func(rule, host, cmd string, at time.Time) detect.Signal {
		return detect.Signal{RuleID: rule, Title: rule, Level: "medium", Table: table,
			Tactics: []string{"execution"}, Techniques: []string{"T1059.001"}, FirstSeen: at, LastSeen: at, Count: 1,
			Entities: entity.Set{Hosts: []string{host}},
			Samples:  []map[string]any{{"TimeGenerated": at, hostCol: host, cmdCol: cmd}}}
	}
	det := &scripted{signals: []detect.Signal{
		signal("agent-ps", "ws03.corp.example", agent, now.Add(-24*time.Hour+3*time.Minute)),
		signal("push-ps", "ws05.corp.example", push, pushAt.Add(5*time.Minute)),
	}}
	e := &hunt.Engine{Source: embedded.New(st, false), Detector: det, Options: hunt.Options{Now: now}}
	r, err := e.Run(ctx, "anything suspicious in the last 3 days?")
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string]*hunt.Finding{}
	for _, f := range append(r.Findings, r.Observations...) {
		byRule[f.Rules[0]] = f
	}
	agentF, pushF := byRule["agent-ps"], byRule["push-ps"]
	if agentF == nil || pushF == nil {
		t.Fatalf("findings %v", byRule)
	}
	fleet := func(f *hunt.Finding) bool {
		return slices.ContainsFunc(f.Context, func(s string) bool { return strings.Contains(s, "fleet-wide routine") })
	}
	if !fleet(agentF) || slices.Contains(r.Findings, agentF) {
		t.Errorf("the agent: context %q, confidence %.2f", agentF.Context, agentF.Confidence)
	}
	if fleet(pushF) || !slices.Contains(r.Findings, pushF) {
		t.Errorf("the push: context %q, confidence %.2f", pushF.Context, pushF.Confidence)
	}
}
