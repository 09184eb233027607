package ingest

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// The fuzz targets feed arbitrary input through the whole pipeline (from
// stdin, so no files are written) between two good records, and check that
// nothing panics (a decoder panic is caught and reported as "internal
// error", which the targets treat as a failure), that every error is
// located, that the good record before the bad input is kept, and that
// every value handed to the sink is one a store keeps as it is (checkSink).

func seedLines(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			f.Add([]byte(line))
		}
	}
}

func fuzzRun(t *testing.T, in []byte, opt Options) *Summary {
	t.Helper()
	opt.Stdin = bytes.NewReader(in)
	opt.Workers = 1
	sum, err := Run(context.Background(), checkSink{opt.Catalog}, []string{"-"}, opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for _, e := range sum.Errors {
		if strings.Contains(e.Msg, "internal error") {
			t.Fatalf("decoder panic: %v", e)
		}
		if e.Code == "" || e.File == "" {
			t.Fatalf("error without code or file: %+v", e)
		}
	}
	return sum
}

// FuzzJSONRecords fuzzes the JSON splitter, the lean decoder and the rows
// mapping (NDJSON, arrays, pretty-printed).
func FuzzJSONRecords(f *testing.F) {
	f.Add([]byte(`{"Computer":"x","TimeGenerated":"2024-01-01T00:00:00Z"}`))
	f.Add([]byte(`[{"a":1},{"b":[1,2,{"c":null}]}]`))
	f.Add([]byte("{\n  \"a\": \"b\"\n}"))
	f.Add([]byte(`{"a":"\ud800","b":1e999,"c":-0.0}`))
	f.Add([]byte("{\"a\":\"\xff\xfe\"}"))
	f.Fuzz(func(t *testing.T, in []byte) {
		good := `{"Computer":"good","TimeGenerated":"2024-01-01T00:00:00Z"}`
		doc := good + "\n" + string(in) + "\n" + good + "\n"
		sum := fuzzRun(t, []byte(doc), Options{Catalog: rowsCatalog(t), Table: "Heartbeat"})
		if sum.Tables["Heartbeat"] < 1 {
			t.Fatalf("the good record before the fuzz input was lost: %+v %v", sum, sum.Errors)
		}
	})
}

// FuzzCSV fuzzes the CSV splitter and field parser.
func FuzzCSV(f *testing.F) {
	f.Add([]byte(`web02,2024-01-01T00:00:00Z`))
	f.Add([]byte(`"quoted ""x""",2024`))
	f.Add([]byte("\"multi\nline\",x"))
	f.Add([]byte(`"unterminated,`))
	f.Add([]byte(",,,,,,"))
	f.Fuzz(func(t *testing.T, in []byte) {
		doc := "Computer,TimeGenerated\nweb01,2024-01-01T00:00:00Z\n" + string(in) + "\nweb03,2024-01-01T00:00:00Z\n"
		sum := fuzzRun(t, []byte(doc), Options{Catalog: rowsCatalog(t), Table: "Heartbeat"})
		if sum.Tables["Heartbeat"] < 1 {
			t.Fatalf("the good record before the fuzz input was lost: %+v %v", sum, sum.Errors)
		}
	})
}

// FuzzOTRF fuzzes the Windows event flavours and the normalisers: the
// fuzzed record follows a good nxlog event.
func FuzzOTRF(f *testing.F) {
	seedLines(f, "otrf_nxlog.ndjson", "otrf_flat.ndjson", "otrf_winlogbeat.ndjson")
	f.Add([]byte(`{"Event":{"System":{"EventID":{"Value":1},"Channel":"Microsoft-Windows-Sysmon/Operational"},"EventData":{"UtcTime":"x"}}}`))
	f.Add([]byte(`{"winlog":{"event_id":4624,"channel":"Security","event_data":{"LogonType":"3"}}}`))
	f.Add([]byte(`{"EventID":"13","Channel":"Microsoft-Windows-Sysmon/Operational","TargetObject":"HKLM","EventReceivedTime":"x"}`))
	first, err := os.ReadFile("testdata/otrf_nxlog.ndjson")
	if err != nil {
		f.Fatal(err)
	}
	good := strings.SplitN(string(first), "\n", 2)[0]
	f.Fuzz(func(t *testing.T, in []byte) {
		doc := good + "\n" + strings.ReplaceAll(string(in), "\n", " ") + "\n"
		sum := fuzzRun(t, []byte(doc), Options{})
		if sum.Tables["WindowsEvent"] < 1 {
			t.Fatalf("the good event before the fuzz input was lost: %+v %v", sum, sum.Errors)
		}
	})
}
