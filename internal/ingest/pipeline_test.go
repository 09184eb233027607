package ingest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

// sixEvents is nxlog-flat NDJSON: the fixture's first six events.
func sixEvents(t *testing.T) []string {
	t.Helper()
	b, err := osReadFile("testdata/otrf_nxlog.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")[:6]
}

// TestBadLineBetweenGoodOnes: a bad record is counted and reported with its
// file and line; the records around it are kept.
func TestBadLineBetweenGoodOnes(t *testing.T) {
	ev := sixEvents(t)
	in := strings.Join([]string{ev[0], `{"EventID": 1, "Channel": "trunc`, ev[1], "\x00\x01binary\xff", ev[2]}, "\n")
	path := writeFile(t, "events.json", in)
	_, sum := ingestFiles(t, Options{}, path)
	if sum.Events != 5 || sum.Skipped != 2 || sum.Tables["WindowsEvent"] != 3 {
		t.Fatalf("summary %+v", sum)
	}
	for i, line := range []int64{2, 4} {
		e := sum.Errors[i]
		if e.Code != CodeBadRecord || e.File != path || e.Line != line {
			t.Errorf("error %d = %+v", i, e)
		}
	}
	if !strings.Contains(sum.Errors[0].Error(), path+":2: invalid JSON") {
		t.Errorf("message %q", sum.Errors[0].Error())
	}
}

// TestStrictStopsAtTheBadRecord: --strict stops at the first bad record,
// reports it, and keeps what came before it only.
func TestStrictStopsAtTheBadRecord(t *testing.T) {
	ev := sixEvents(t)
	in := strings.Join([]string{ev[0], ev[1], "not json", ev[2], ev[3]}, "\n")
	path := writeFile(t, "events.json", in)
	s := newMemSink(nil)
	sum, err := Run(context.Background(), s, []string{path}, Options{Strict: true})
	var ie *Error
	if !errors.As(err, &ie) || ie.Code != CodeBadRecord || ie.Line != 3 || ie.File != path {
		t.Fatalf("err = %v", err)
	}
	if got := len(s.rows("WindowsEvent")); got != 2 || sum.Tables["WindowsEvent"] != 2 {
		t.Errorf("WindowsEvent rows %d, summary %+v", got, sum.Tables)
	}
}

// TestSinkFailureStops: a store that refuses rows stops the run with
// ingest.sink and a wrapped cause.
func TestSinkFailureStops(t *testing.T) {
	s := newMemSink(nil)
	s.failAfter = 3
	_, err := Run(context.Background(), s, []string{"testdata/otrf_nxlog.ndjson"}, Options{})
	var ie *Error
	if !errors.As(err, &ie) || ie.Code != CodeSink || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, newMemSink(nil), []string{"testdata/otrf_nxlog.ndjson"}, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestStdin(t *testing.T) {
	ev := sixEvents(t)
	_, sum := ingestFiles(t, Options{Stdin: strings.NewReader(strings.Join(ev, "\n"))}, "-")
	if sum.Events != 6 || sum.Tables["SecurityEvent"] != 2 {
		t.Fatalf("summary %+v", sum)
	}
}

// TestUnreadableInputs: each kind of bad file is one clear error, and the
// good file beside it is still read.
func TestUnreadableInputs(t *testing.T) {
	good := "testdata/otrf_nxlog.ndjson"
	f := func(name, content, code string) {
		t.Helper()
		bad := writeFile(t, name, content)
		_, sum := ingestFiles(t, Options{}, bad, good)
		if sum.Events != 8 {
			t.Errorf("%s: the good file beside it was not read: %+v", name, sum)
		}
		if len(sum.Errors) != 1 || sum.Errors[0].Code != code || sum.Errors[0].File != bad {
			t.Errorf("%s: errors %v, want one %s", name, sum.Errors, code)
		}
	}
	f("empty.json", "", CodeEmpty)
	f("blank.json", "\n \n", CodeEmpty)
	f("garbage.bin", "\x00\x01\x02\x03binary\xff\xfe", CodeUnknownFormat)
	f("prose.txt", "this is just a sentence\n", CodeUnknownFormat)
	f("data.bz2", "BZh91AY&SY", CodeUnknownFormat)
	f("nowhere.json", "", CodeEmpty)
	_, sum := ingestFiles(t, Options{}, "testdata/does-not-exist.json", good)
	if len(sum.Errors) != 1 || sum.Errors[0].Code != CodeRead || sum.Events != 8 {
		t.Errorf("missing file: %v", sum.Errors)
	}
}

// TestInvalidUTF8 keeps the record and replaces the bad bytes.
func TestInvalidUTF8(t *testing.T) {
	in := "{\"Type\":\"Heartbeat\",\"Computer\":\"web\xff01\",\"TimeGenerated\":\"2024-01-01T00:00:00Z\"}\n"
	s, sum := ingestFiles(t, Options{Catalog: rowsCatalog(t)}, writeFile(t, "u.ndjson", in))
	if sum.Tables["Heartbeat"] != 1 {
		t.Fatalf("summary %+v %v", sum, sum.Errors)
	}
	if got := s.rows("Heartbeat")[0]["Computer"]; got != "web\uFFFD01" {
		t.Errorf("Computer = %q", got)
	}
}

// TestUTF16CSV reads the UTF-16 that Windows PowerShell's Export-Csv writes.
func TestUTF16CSV(t *testing.T) {
	text := "Computer,TimeGenerated\r\nwebé01,2024-01-01T00:00:00Z\r\n"
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xfe})
	for _, u := range utf16.Encode([]rune(text)) {
		_ = binary.Write(&b, binary.LittleEndian, u)
	}
	s, sum := ingestFiles(t, Options{Catalog: rowsCatalog(t), Table: "Heartbeat"}, writeFile(t, "ps.csv", b.String()))
	if sum.Tables["Heartbeat"] != 1 {
		t.Fatalf("summary %+v %v", sum, sum.Errors)
	}
	if got := s.rows("Heartbeat")[0]["Computer"]; got != "webé01" {
		t.Errorf("Computer = %q", got)
	}
}

func TestUnknownOptions(t *testing.T) {
	if _, err := Run(context.Background(), newMemSink(nil), nil, Options{Format: "xml"}); err == nil {
		t.Error("an unknown format must be refused")
	}
	_, err := Run(context.Background(), newMemSink(nil), nil, Options{Table: "NoSuchTable"})
	var ie *Error
	if !errors.As(err, &ie) || ie.Code != CodeUnknownTable {
		t.Errorf("err = %v", err)
	}
}
