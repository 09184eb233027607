package catgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// The fixture is a tiny world: one schema file with two tables (one of them
// defined twice, across two files), a data catalog, one custom table (and a
// broken one the overlay does not list, which must never be read), and an
// overlay that each test extends under tables:.
const (
	schemaA = `[{"Database":"DB","Tables":[
	  {"Table":"ProcT","Columns":[{"Name":"Timestamp","Type":"System.DateTime"},{"Name":"DeviceName","Type":"System.String"},
	    {"Name":"FileName","Type":"System.String"},{"Name":"SHA1","Type":"System.String"},{"Name":"Flag","Type":"System.SByte"},
	    {"Name":"AdditionalFields","Type":"System.String"},{"Name":"_BilledSize","Type":"System.Double"}]},
	  {"Table":"Both","Columns":[{"Name":"A","Type":"System.String"}]}]}]`
	schemaB = `[{"Database":"DB","Tables":[
	  {"Table":"Both","Columns":[{"Name":"TimeGenerated","Type":"System.DateTime"},{"Name":"B","Type":"System.Int64"},
	    {"Name":"FileName","Type":"System.String"}]}]}]`
	dataCatalog = `
- Name: ProcT
  Description: Process events
  Columns:
  - Name: FileName
    Description: Name of the   file
  - Name: Flag
    Description: A flag
- Name: Both
  Description: In both files
`
	custom = `{"Name":"Custom_CL","Properties":[{"Name":"TimeGenerated","Type":"DateTime"},
	  {"Name":"SrcIP_s","Type":" string "},{"Name":"Port_d","Type":"Double"},{"Name":"Port_d","Type":"Double"},{"Name":"Ok_b","Type":"SByte"}]}`
	overlayBase = `
reference: https://ref/
schemas: [A_Schema.json, B_Schema.json]
catalogs: [A_DataCatalog.yml]
custom: [Custom_CL]
drop: [_BilledSize]
standard:
  - [TimeGenerated, datetime, "record time"]
  - [TenantId, string]
additional_fields: [AdditionalFields, dynamic, "kept by sleuth"]
additional_fields_note: AF added
descriptions:
  TenantId: workspace
roles:
  - role: time
    names: [TimeGenerated, Timestamp]
  - role: process
    names: [FileName]
    tables: [Proc*]
  - role: file
    names: [FileName]
  - role: hash
    names: ["*SHA1"]
  - role: host
    names: ["*DeviceName"]
  - role: ip
    names: ["*IP_s"]
tables:
  Both: {from: B_Schema.json}
  Custom_CL: {description: A custom table}
`
)

// world writes the fixture and an overlay with extra appended, and returns
// the options for Generate.
func world(t *testing.T, extra string) Options {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"A_Schema.json":                         schemaA,
		"B_Schema.json":                         schemaB,
		"A_DataCatalog.yml":                     dataCatalog,
		"sentinel-custom-tables/Custom_CL.json": custom,
		"sentinel-custom-tables/Unrelated.json": `{not json`,
		"overlay.yaml":                          overlayBase + extra,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Options{Schemas: dir, Overlay: filepath.Join(dir, "overlay.yaml")}
}

func generate(t *testing.T, extra string) map[string]*catalog.Table {
	t.Helper()
	tables, err := Generate(world(t, extra))
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	m := map[string]*catalog.Table{}
	for _, tb := range tables {
		m[tb.Name] = tb
	}
	return m
}

func TestGenerateMerges(t *testing.T) {
	got := generate(t, `
  ProcT:
    reference: proct
    add: [[MachineGroup, string, "machine group"]]
    types: {AdditionalFields: dynamic}
    describe: {SHA1: "hash of the file"}
    note: a note
  Overlaid:
    reference: overlaid
    description: Defined here
    columns:
      - [TimeGenerated, datetime, "when"]
      - [Computer, string]
`)
	want := map[string]*catalog.Table{
		"ProcT": {Name: "ProcT", Description: "Process events",
			Source: "A_Schema.json; https://ref/proct; a note; standard columns added: TimeGenerated, TenantId",
			Columns: []catalog.Column{
				{Name: "TimeGenerated", Type: catalog.Datetime, Role: catalog.RoleTime, Description: "record time"},
				{Name: "Timestamp", Type: catalog.Datetime, Role: catalog.RoleTime},
				{Name: "DeviceName", Type: catalog.String, Role: catalog.RoleHost},
				{Name: "FileName", Type: catalog.String, Role: catalog.RoleProcess, Description: "Name of the file"},
				{Name: "SHA1", Type: catalog.String, Role: catalog.RoleHash, Description: "hash of the file"},
				{Name: "Flag", Type: catalog.Bool, Description: "A flag"},
				{Name: "AdditionalFields", Type: catalog.Dynamic},
				{Name: "MachineGroup", Type: catalog.String, Description: "machine group"},
				{Name: "TenantId", Type: catalog.String, Description: "workspace"},
			}},
		"Both": {Name: "Both", Description: "In both files",
			Source: "B_Schema.json; standard columns added: TenantId; AF added",
			Columns: []catalog.Column{
				{Name: "TimeGenerated", Type: catalog.Datetime, Role: catalog.RoleTime},
				{Name: "B", Type: catalog.Long},
				{Name: "FileName", Type: catalog.String, Role: catalog.RoleFile},
				{Name: "TenantId", Type: catalog.String, Description: "workspace"},
				{Name: "AdditionalFields", Type: catalog.Dynamic, Description: "kept by sleuth"},
			}},
		"Custom_CL": {Name: "Custom_CL", Description: "A custom table",
			Source: "Custom_CL.json; standard columns added: TenantId; AF added",
			Columns: []catalog.Column{
				{Name: "TimeGenerated", Type: catalog.Datetime, Role: catalog.RoleTime},
				{Name: "SrcIP_s", Type: catalog.String, Role: catalog.RoleIP},
				{Name: "Port_d", Type: catalog.Real},
				{Name: "Ok_b", Type: catalog.Bool},
				{Name: "TenantId", Type: catalog.String, Description: "workspace"},
				{Name: "AdditionalFields", Type: catalog.Dynamic, Description: "kept by sleuth"},
			}},
		"Overlaid": {Name: "Overlaid", Description: "Defined here",
			Source: "https://ref/overlaid; standard columns added: TenantId; AF added",
			Columns: []catalog.Column{
				{Name: "TimeGenerated", Type: catalog.Datetime, Role: catalog.RoleTime, Description: "when"},
				{Name: "Computer", Type: catalog.String},
				{Name: "TenantId", Type: catalog.String, Description: "workspace"},
				{Name: "AdditionalFields", Type: catalog.Dynamic, Description: "kept by sleuth"},
			}},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(catalog.Table{})); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
}

// TestGenerateErrors covers the overlay mistakes the generator must refuse,
// each with a message that names the table and column.
func TestGenerateErrors(t *testing.T) {
	f := func(extra, wantErr string) {
		t.Helper()
		_, err := Generate(world(t, extra))
		if err == nil {
			t.Fatalf("overlay %q: no error, want %q", extra, wantErr)
		}
		if !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("overlay %q:\n got error %q\nwant it to contain %q", extra, err, wantErr)
		}
	}
	f("\n  ProcT: {add: [[FileName, string]]}", "tables.ProcT.add: FileName is already in A_Schema.json")
	f("\n  ProcT: {types: {Nope: string}}", "tables.ProcT.types: no column Nope")
	f("\n  ProcT: {types: {FileName: string}}", "tables.ProcT.types.FileName: A_Schema.json already has type string")
	f("\n  ProcT: {types: {FileName: text}}", `tables.ProcT.types.FileName: unknown type "text"`)
	f("\n  ProcT: {add: [[X, varchar]]}", `column X has unknown type "varchar"`)
	f("\n  ProcT: {columns: [[TimeGenerated, datetime]]}", "tables.ProcT.columns: A_Schema.json already defines the table")
	f("\n  Ghost: {description: nothing}", "tables.Ghost: no data file defines this table, so it needs columns")
	f("\n  New: {columns: [[TimeGenerated, datetime]]}", "tables.New: no description")
	f("\n  New: {description: d, columns: [[TimeGenerated, datetime], [TimeGenerated, datetime]]}", "tables.New.columns: TimeGenerated listed twice")
	f("\n  ProcT: {roles: {FileName: process}}", `tables.ProcT.roles.FileName: the rules already give "process"`)
	f("\n  ProcT: {roles: {FileName: person}}", `tables.ProcT.roles.FileName: unknown role "person"`)
	f("\n  ProcT: {roles: {Nope: none}}", "tables.ProcT.roles: no column Nope")
	f("\n  ProcT: {describe: {Nope: x}}", "tables.ProcT.describe: no column Nope")
	f("\n  ProcT: {colums: []}", `unknown field "colums"`)
	f("\n  ProcT: {add: [[OnlyName]]}", "a column is [Name, type]")
}

// A role rule entry that never takes effect is refused: it would mislead
// whoever reads the overlay.
func TestGenerateRefusesDeadRoleEntries(t *testing.T) {
	f := func(from, to, wantErr string) {
		t.Helper()
		opts := world(t, "")
		b, _ := os.ReadFile(opts.Overlay)
		if !strings.Contains(string(b), from) {
			t.Fatalf("fixture lacks %q", from)
		}
		os.WriteFile(opts.Overlay, []byte(strings.Replace(string(b), from, to, 1)), 0o644)
		_, err := Generate(opts)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("got %v, want %q", err, wantErr)
		}
	}
	f(`names: ["*IP_s"]`, `names: ["*IP_s", NoSuchColumn]`, "roles[5] (ip) name NoSuchColumn never takes effect")
	f(`names: ["*IP_s"]`, `names: ["*IP_s", SrcIP_s]`, "roles[5] (ip) name SrcIP_s never takes effect") // shadowed
	f(`names: ["*IP_s"]`, "names: [\"*IP_s\"]\n    except: [Nope.SrcIP_s]", "roles[5] (ip) except Nope.SrcIP_s never takes effect")
}

func TestGenerateNeedsFrom(t *testing.T) {
	opts := world(t, "")
	b, _ := os.ReadFile(opts.Overlay)
	os.WriteFile(opts.Overlay, []byte(strings.Replace(string(b), "  Both: {from: B_Schema.json}\n", "", 1)), 0o644)
	_, err := Generate(opts)
	if err == nil || !strings.Contains(err.Error(), "tables.Both: defined by A_Schema.json and B_Schema.json; say which with from") {
		t.Fatalf("got %v", err)
	}
}

// A bad source file is reported with its path and the line and column.
func TestGenerateBadSource(t *testing.T) {
	opts := world(t, "")
	os.WriteFile(filepath.Join(opts.Schemas, "B_Schema.json"), []byte("[\n {\"Database\": 1,}\n]"), 0o644)
	_, err := Generate(opts)
	if err == nil || !strings.Contains(err.Error(), "B_Schema.json: 2:") {
		t.Fatalf("got %v, want the file and line", err)
	}
	opts = world(t, "")
	os.WriteFile(filepath.Join(opts.Schemas, "B_Schema.json"), []byte(`[{"Tables":[{"Table":"Both","Columns":[{"Name":"X","Type":"Quaternion"}]}]}]`), 0o644)
	_, err = Generate(opts)
	if err == nil || !strings.Contains(err.Error(), `Both.X has unknown type "Quaternion"`) {
		t.Fatalf("got %v", err)
	}
	opts = world(t, "")
	os.WriteFile(filepath.Join(opts.Schemas, "sentinel-custom-tables", "Custom_CL.json"),
		[]byte(`{"Name":"Custom_CL","Properties":[{"Name":"P","Type":"String"},{"Name":"P","Type":"Double"}]}`), 0o644)
	_, err = Generate(opts)
	if err == nil || !strings.Contains(err.Error(), "Custom_CL.P is listed as string and as real") {
		t.Fatalf("got %v", err)
	}
}

func TestOverlayYAMLErrorHasLine(t *testing.T) {
	_, err := parseOverlay("o.yaml", []byte("reference: x\nroles:\n  - role: time\n    names: [a\n"))
	if err == nil || !strings.Contains(err.Error(), "o.yaml: [") {
		t.Fatalf("got %v, want a positioned YAML error", err)
	}
}

func TestEncodeRoundTrips(t *testing.T) {
	tables, err := Generate(world(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(tables)
	if err != nil {
		t.Fatal(err)
	}
	var back []*catalog.Table
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Encode output is not JSON: %v\n%s", err, b)
	}
	if diff := cmp.Diff(tables, back, cmpopts.IgnoreUnexported(catalog.Table{})); diff != "" {
		t.Errorf("round trip (-encoded +decoded):\n%s", diff)
	}
	if strings.Count(string(b), "\n") < 2*len(tables) {
		t.Errorf("Encode should put one column a line:\n%s", b)
	}
}

func FuzzParseOverlay(f *testing.F) {
	f.Add([]byte(overlayBase))
	f.Add([]byte("tables: {X: {columns: [[a]]}}"))
	f.Add([]byte("roles: [{role: ip, names: ['[']}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseOverlay("fuzz.yaml", b) // must not panic; errors are fine
	})
}
