package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// BenchmarkAppendWide appends rows that fill 20 of a table's 200 columns,
// the shape of SecurityEvent rows from the lab and from ingest.
func BenchmarkAppendWide(b *testing.B) {
	cols := []catalog.Column{{Name: "TimeGenerated", Type: catalog.Datetime}}
	for i := range 199 {
		cols = append(cols, catalog.Column{Name: fmt.Sprintf("C%03d", i), Type: catalog.String})
	}
	cat, err := catalog.New([]*catalog.Table{{Name: "W", Source: "bench", Columns: cols}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/w.duckdb", Options{Catalog: cat})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	a, err := s.Appender(ctx, "W")
	if err != nil {
		b.Fatal(err)
	}
	row := make([]any, len(cols))
	row[0] = time.Unix(0, 0)
	for i := 1; i <= 20; i++ {
		row[i] = fmt.Sprintf("value-%d", i)
	}
	b.ResetTimer()
	for range b.N {
		if err := a.Append(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAppendEventRow appends rows shaped like an ingested WindowsEvent
// row: a few short strings, a command line and two JSON documents of about
// 800 and 370 bytes, as catalog.JSON like the ingest's.
func BenchmarkAppendEventRow(b *testing.B) {
	cols := []catalog.Column{
		{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "Channel", Type: catalog.String},
		{Name: "Computer", Type: catalog.String}, {Name: "EventID", Type: catalog.Int},
		{Name: "CommandLine", Type: catalog.String}, {Name: "EventData", Type: catalog.Dynamic},
		{Name: "AdditionalFields", Type: catalog.Dynamic},
	}
	cat, err := catalog.New([]*catalog.Table{{Name: "E", Source: "bench", Columns: cols}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/e.duckdb", Options{Catalog: cat})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	a, err := s.Appender(ctx, "E")
	if err != nil {
		b.Fatal(err)
	}
	cmd := `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File \\corp\NETLOGON\logon.ps1`
	data := catalog.JSON(`{"RuleName":"-","UtcTime":"2024-03-04 09:00:00.001","SourceProcessGUID":"{a811a840-5a6a-5f2b-a900-d85d58c4ada6}","SourceProcessId":"6799","SourceThreadId":"4616","SourceImage":"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe","TargetProcessGUID":"{a811a840-5a6a-5f2b-a900-d85d58c4ada6}","TargetProcessId":"654","TargetImage":"C:\\Windows\\system32\\lsass.exe","GrantedAccess":"0x1010","CallTrace":"C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e|UNKNOWN(0000020C7B1A0F5B)","SourceUser":"THESHIRE\\pgustavo","TargetUser":"NT AUTHORITY\\SYSTEM"}`)
	extra := catalog.JSON(`{"@timestamp":"2024-03-04T09:00:02.001Z","EventReceivedTime":"2024-03-04 05:00:02","Message":"Process accessed:\r\nRuleName: -\r\nSourceImage: C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe","SourceModuleName":"eventlog","host":"wec.internal.cloudapp.net"}`)
	t0 := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(cmd) + len(data) + len(extra) + 80))
	b.ResetTimer()
	for i := range b.N {
		row := []any{t0.Add(time.Duration(i) * time.Millisecond), "Microsoft-Windows-Sysmon/Operational",
			"WORKSTATION13.theshire.local", 10, cmd, data, extra}
		if err := a.Append(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		b.Fatal(err)
	}
}
