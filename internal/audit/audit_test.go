package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// clock returns a deterministic clock that ticks a second per call.
func clock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// writeLog creates a log with n entries and returns its path.
func writeLog(t *testing.T, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := OpenWith(p, Options{Actor: "alice", Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 1; i <= n; i++ {
		if err := l.Append(KindQuery, Query{KQL: fmt.Sprintf("T | take %d", i), Rows: i}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func readLines(t *testing.T, p string) []string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(string(b), "\n")[:bytes.Count(b, []byte("\n"))]
}

func TestAppendWritesAChain(t *testing.T) {
	p := writeLog(t, 3)
	lines := readLines(t, p)
	if len(lines) != 3 {
		t.Fatalf("got %d lines", len(lines))
	}
	prev := Genesis
	for i, line := range lines {
		var e Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i+1) || e.Prev != prev || e.Actor != "alice" || e.Kind != KindQuery {
			t.Errorf("line %d: %+v", i+1, e)
		}
		if !strings.HasPrefix(line, `{"seq":`) || !strings.HasSuffix(line, "\"}\n") {
			t.Errorf("line %d is not in the documented field order: %s", i+1, line)
		}
		prev = e.Hash
	}
	rep, err := Verify(p)
	if err != nil || !rep.OK || rep.Entries != 3 || rep.LastSeq != 3 || rep.LastHash != prev || len(rep.Warnings) != 0 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

func TestAppendContinuesAnExistingLog(t *testing.T) {
	p := writeLog(t, 2)
	l, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(KindFinding, map[string]any{"id": "F1"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	rep, _ := Verify(p)
	if !rep.OK || rep.Entries != 3 {
		t.Fatalf("%+v", rep)
	}
	if err := l.Append(KindFinding, nil); err == nil {
		t.Error("Append on a closed log succeeded")
	}
}

// TestConcurrentAppendsSerialise appends from several Log values, each with
// its own file description, as separate processes would.
func TestConcurrentAppendsSerialise(t *testing.T) {
	p := filepath.Join(t.TempDir(), "audit.jsonl")
	const writers, each = 4, 25
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		l, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer l.Close()
			for i := 0; i < each; i++ {
				if err := l.Append(KindAPICall, APICall{Method: "GET", URL: fmt.Sprintf("https://x/%d/%d", w, i), Status: 200}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	rep, err := Verify(p)
	if err != nil || !rep.OK || rep.Entries != writers*each {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

func TestAppendRefusesAPartialTail(t *testing.T) {
	p := writeLog(t, 2)
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"seq":3,"ti`)
	f.Close()
	l, _ := Open(p)
	defer l.Close()
	err := l.Append(KindPlan, "x")
	var ae *Error
	if !errorsAs(err, &ae) || ae.Code != "audit.damaged" {
		t.Fatalf("got %v, want audit.damaged", err)
	}
}

func TestSecretsNeverReachTheLog(t *testing.T) {
	const tok = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-part"
	p := filepath.Join(t.TempDir(), "audit.jsonl")
	l, _ := Open(p)
	defer l.Close()
	data := map[string]any{
		"url":           "https://api/x",
		"access_token":  tok,
		"Authorization": "Bearer " + tok,
		"headers":       map[string]any{"X-Api-Key": tok, "kbn-xsrf": "true"},
		"message":       "server said: Authorization: Bearer " + tok,
		"client_secret": tok,
		"input_tokens":  1234,
		"list":          []any{"ApiKey " + tok},
	}
	if err := l.Append(KindAPICall, data); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if bytes.Contains(b, []byte("secret-part")) {
		t.Fatalf("token leaked into the log: %s", b)
	}
	if !bytes.Contains(b, []byte(`"input_tokens":1234`)) || !bytes.Contains(b, []byte(`"kbn-xsrf":"true"`)) {
		t.Errorf("redaction removed non-secrets: %s", b)
	}
}

func TestHashRowsIsStableAndSensitive(t *testing.T) {
	set := func(v any) *rows.Set {
		return &rows.Set{Columns: []rows.Column{{Name: "a", Type: catalog.String}, {Name: "t", Type: catalog.Datetime}},
			Rows: [][]any{{v, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}}}
	}
	if HashRows(set("x")) != HashRows(set("x")) {
		t.Error("same rows hash differently")
	}
	if HashRows(set("x")) == HashRows(set("y")) {
		t.Error("different rows hash the same")
	}
	if len(HashText("p")) != 64 {
		t.Error("HashText is not hex SHA-256")
	}
}
