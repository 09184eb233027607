package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// rowsCatalog is a small catalog for the table-rows tests, so they do not
// move with the real one.
func rowsCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.New([]*catalog.Table{
		{Name: "SigninLogs", Source: "test", Columns: []catalog.Column{
			{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "UserPrincipalName", Type: catalog.String},
			{Name: "ResultType", Type: catalog.String}, {Name: "IPAddress", Type: catalog.String},
			{Name: "LocationDetails", Type: catalog.Dynamic}, {Name: "Status", Type: catalog.Dynamic},
			{Name: "DurationMs", Type: catalog.Long}, {Name: "IsInteractive", Type: catalog.Bool},
			{Name: "Score", Type: catalog.Real}, {Name: "Elapsed", Type: catalog.Timespan},
			{Name: "Type", Type: catalog.String}, {Name: "AdditionalFields", Type: catalog.Dynamic},
		}},
		{Name: "Heartbeat", Source: "test", Columns: []catalog.Column{
			{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "Timestamp", Type: catalog.Datetime},
			{Name: "Computer", Type: catalog.String}, {Name: "Type", Type: catalog.String},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSentinelCSVExport reads a CSV the way the Sentinel portal exports it:
// a byte-order mark, "[UTC]" in time headers, dynamic columns as JSON text
// (twice, as X_dynamic and X_string), US-style datetimes and a pandas index
// column.
func TestSentinelCSVExport(t *testing.T) {
	csv := "\uFEFF,TimeGenerated [UTC],userprincipalname,ResultType,LocationDetails_dynamic,LocationDetails_string,Status_string,DurationMs,IsInteractive,Score,Elapsed,AdditionalFields,AppDisplayName,Type\n" +
		`0,"1/2/2024, 3:04:05.123 AM",alice@contoso.com,50126,"{""city"":""Paris"",""geo"":{""lat"":48.8}}","{""city"":""X""}","{""errorCode"":50126}",1500.0,True,0.25,00:01:30,"{""Region"":""EU""}",Azure Portal,SigninLogs` + "\n" +
		`1,2024-01-02T03:05:00.1234567Z,bob@contoso.com,0,,"{""city"":""Lyon""}",,,false,,,,,SigninLogs` + "\n"
	s, sum := ingestFiles(t, Options{Catalog: rowsCatalog(t)}, writeFile(t, "signins.csv", csv))
	if sum.Skipped != 0 || sum.Tables["SigninLogs"] != 2 {
		t.Fatalf("summary %+v %v", sum, sum.Errors)
	}
	rows := s.rows("SigninLogs")
	want0 := map[string]any{
		"TimeGenerated":     time.Date(2024, 1, 2, 3, 4, 5, 123e6, time.UTC),
		"UserPrincipalName": "alice@contoso.com",
		"ResultType":        "50126",
		"LocationDetails":   catalog.JSON(`{"city":"Paris","geo":{"lat":48.8}}`),
		"Status":            catalog.JSON(`{"errorCode":50126}`),
		"DurationMs":        int64(1500),
		"IsInteractive":     true,
		"Score":             0.25,
		"Elapsed":           90 * time.Second,
		"Type":              "SigninLogs",
		"AdditionalFields":  catalog.JSON(`{"Region":"EU","AppDisplayName":"Azure Portal"}`),
	}
	if d := cmp.Diff(want0, rows[0]); d != "" {
		t.Errorf("row 1 (-want +got):\n%s", d)
	}
	// The _string twin fills the column only when the _dynamic one is empty.
	if got := rows[1]["LocationDetails"]; string(got.(catalog.JSON)) != `{"city":"Lyon"}` {
		t.Errorf("row 2 LocationDetails = %s", got)
	}
	if got := rows[1]["TimeGenerated"]; got != time.Date(2024, 1, 2, 3, 5, 0, 123456700, time.UTC) {
		t.Errorf("row 2 TimeGenerated = %v", got)
	}
}

// TestNDJSONRoutedByType sends each row to the table its Type names.
func TestNDJSONRoutedByType(t *testing.T) {
	in := `{"Type":"SigninLogs","TimeGenerated":"2024-05-01T10:00:00Z","UserPrincipalName":"a@b.c","LocationDetails":{"city":"Oslo"},"DurationMs":12}
{"Type":"Heartbeat","Timestamp":"2024-05-01T10:00:01Z","Computer":"web01"}
{"Type":"NoSuchTable","TimeGenerated":"2024-05-01T10:00:02Z"}
{"TimeGenerated":"2024-05-01T10:00:03Z"}
{"Type":"signinlogs","TimeGenerated":"2024-05-01T10:00:04Z","DurationMs":"not a number","Extra":[1,2]}
`
	s, sum := ingestFiles(t, Options{Catalog: rowsCatalog(t)}, writeFile(t, "mixed.ndjson", in))
	if sum.Tables["SigninLogs"] != 2 || sum.Tables["Heartbeat"] != 1 || sum.Skipped != 2 {
		t.Fatalf("summary %+v", sum)
	}
	codes := []string{sum.Errors[0].Code, sum.Errors[1].Code}
	if codes[0] != CodeUnknownTable || codes[1] != CodeNoTable || sum.Errors[0].Line != 3 || sum.Errors[1].Line != 4 {
		t.Errorf("errors %v", sum.Errors)
	}
	hb := s.rows("Heartbeat")[0]
	if hb["TimeGenerated"] != time.Date(2024, 5, 1, 10, 0, 1, 0, time.UTC) {
		t.Errorf("a row without TimeGenerated takes its Timestamp: %v", hb)
	}
	last := s.rows("SigninLogs")[1]
	if _, ok := last["DurationMs"]; ok {
		t.Errorf("an unconvertible value must not reach the column: %v", last)
	}
	if got := string(last["AdditionalFields"].(catalog.JSON)); got != `{"DurationMs":"not a number","Extra":[1,2]}` {
		t.Errorf("AdditionalFields = %s", got)
	}
	if got := s.rows("SigninLogs")[0]["LocationDetails"]; string(got.(catalog.JSON)) != `{"city":"Oslo"}` {
		t.Errorf("LocationDetails = %v", got)
	}
}

// TestTableFlagAndJSONArray reads a JSON array into --table, and gives rows
// with no time at all the ingestion time, as Log Analytics does.
func TestTableFlagAndJSONArray(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	in := `[{"UserPrincipalName":"x@y.z"},{"UserPrincipalName":"q@y.z","TimeGenerated":"2024-02-02T00:00:00Z"}]`
	s, sum := ingestFiles(t, Options{Catalog: rowsCatalog(t), Table: "SigninLogs", Now: now}, writeFile(t, "rows.json", in))
	if sum.Tables["SigninLogs"] != 2 {
		t.Fatalf("summary %+v", sum)
	}
	if got := s.rows("SigninLogs")[0]["TimeGenerated"]; got != now {
		t.Errorf("TimeGenerated = %v, want the ingestion time", got)
	}
}

// TestRowsWithoutTable reports, rather than guesses, rows that name no table.
func TestRowsWithoutTable(t *testing.T) {
	_, sum := ingestFiles(t, Options{Catalog: rowsCatalog(t)}, writeFile(t, "x.csv", "a,b\n1,2\n"))
	if !sum.NoTable || len(sum.Errors) != 1 || sum.Errors[0].Code != CodeNoTable || sum.Errors[0].Hint == "" {
		t.Errorf("summary %+v %v", sum, sum.Errors)
	}
}

// TestUnknownColumnsWithoutAdditionalFields counts what a table without
// AdditionalFields cannot keep.
func TestUnknownColumnsWithoutAdditionalFields(t *testing.T) {
	var notices []string
	opt := Options{Catalog: rowsCatalog(t), Table: "Heartbeat", Notice: func(s string) { notices = append(notices, s) }}
	_, sum := ingestFiles(t, opt, writeFile(t, "hb.csv", "Computer,Mystery\nweb01,42\n"))
	if sum.Tables["Heartbeat"] != 1 || len(notices) != 1 || !strings.Contains(notices[0], "1 values") {
		t.Errorf("summary %+v, notices %q", sum, notices)
	}
}

func TestBindField(t *testing.T) {
	ti := newTableInfo(mustTable(t, rowsCatalog(t), "SigninLogs"))
	f := func(name string, want fieldBinding) {
		t.Helper()
		if got := bindField(ti, name); got != want {
			t.Errorf("bindField(%q) = %+v, want %+v", name, got, want)
		}
	}
	f("TimeGenerated", fieldBinding{col: 0})
	f("timegenerated", fieldBinding{col: 0})
	f("TimeGenerated [UTC]", fieldBinding{col: 0})
	f("\uFEFFTimeGenerated", fieldBinding{col: 0})
	f("LocationDetails_dynamic", fieldBinding{col: 4})
	f("LocationDetails_string", fieldBinding{col: 4, twin: true})
	f("AdditionalFields", fieldBinding{col: -1, addl: true})
	f("", fieldBinding{col: -1, drop: true})
	f("$table", fieldBinding{col: -1, drop: true})
	f("Unknown", fieldBinding{col: -1})
}

func mustTable(t *testing.T, c *catalog.Catalog, name string) *catalog.Table {
	t.Helper()
	tab, ok := c.Table(name)
	if !ok {
		t.Fatalf("no table %s", name)
	}
	return tab
}

// TestMDESensorExport maps the raw Defender for Endpoint export's names
// (CreatedProcess*, ComputerDnsName, ReportTime) onto DeviceProcessEvents,
// and takes TimeGenerated from the row's own time.
func TestMDESensorExport(t *testing.T) {
	csv := "ComputerDnsName,MachineId,ReportTime,CreatedProcessName,CreatedProcessFilePath,CreatedProcessCommandLine,CreatedProcessId,CreatedProcessFileSha256,InitiatingProcessName,CreatedProcessAccountName,FileName\n" +
		"host1,m1,2021-06-23 03:08:14.337028300+00:00,conhost.exe,C:\\Windows\\System32\\conhost.exe,conhost.exe 0xffffffff,4242,abc,cmd.exe,alice,\n" +
		"host2,m2,2021-06-23 03:09:00.000000000+00:00,alias.exe,,,1,,,,real.exe\n"
	s, sum := ingestFiles(t, Options{Table: "DeviceProcessEvents"}, writeFile(t, "mde.csv", csv))
	if sum.Tables["DeviceProcessEvents"] != 2 {
		t.Fatalf("summary %+v %v", sum, sum.Errors)
	}
	rows := s.rows("DeviceProcessEvents")
	want := map[string]any{
		"TimeGenerated":             time.Date(2021, 6, 23, 3, 8, 14, 337028300, time.UTC),
		"Timestamp":                 time.Date(2021, 6, 23, 3, 8, 14, 337028300, time.UTC),
		"DeviceName":                "host1",
		"DeviceId":                  "m1",
		"FileName":                  "conhost.exe",
		"FolderPath":                `C:\Windows\System32\conhost.exe`,
		"ProcessCommandLine":        "conhost.exe 0xffffffff",
		"ProcessId":                 int64(4242),
		"SHA256":                    "abc",
		"InitiatingProcessFileName": "cmd.exe",
		"AccountName":               "alice",
	}
	if d := cmp.Diff(want, pick(rows[0], keys(want)...)); d != "" {
		t.Errorf("row 1 (-want +got):\n%s", d)
	}
	if rows[1]["FileName"] != "real.exe" {
		t.Errorf("a column's own name must win over an alias: %v", rows[1]["FileName"])
	}
}

// TestNestedValuesKeepTheirMembers: members copied raw into
// AdditionalFields stay JSON a store can keep as it is, even when the
// record held invalid UTF-8 or an unpaired surrogate escape inside them.
func TestNestedValuesKeepTheirMembers(t *testing.T) {
	in := "{\"TimeGenerated\":\"2024-01-01T00:00:00Z\",\"UserPrincipalName\":\"a@b.c\",\"Weird\":{\"x\":\"a\xff\xfeb\"},\"Lone\":[\"\\ud800\"],\"Fine\":\"\\ud83d\\ude00\"}\n"
	s, sum := ingestFiles(t, Options{Catalog: rowsCatalog(t), Table: "SigninLogs"}, writeFile(t, "odd.ndjson", in))
	if sum.Tables["SigninLogs"] != 1 {
		t.Fatalf("summary %+v %v", sum, sum.Errors)
	}
	got, ok := s.rows("SigninLogs")[0]["AdditionalFields"].(catalog.JSON)
	if !ok || !storable(got) {
		t.Fatalf("AdditionalFields = %q, want JSON a store keeps as it is", got)
	}
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Weird": map[string]any{"x": "a\uFFFD\uFFFDb"}, "Lone": []any{"\uFFFD"}, "Fine": "😀"}
	if d := cmp.Diff(want, m); d != "" {
		t.Errorf("AdditionalFields (-want +got):\n%s", d)
	}
}
