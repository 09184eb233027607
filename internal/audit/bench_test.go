package audit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAppend measures one locked, fsynced append of a query entry.
func BenchmarkAppend(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), "audit.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	q := Query{KQL: "DeviceProcessEvents | where FileName =~ 'procdump.exe' | take 100", Rows: 100, RowsHash: HashText("x")}
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Append(KindQuery, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures verifying a 10,000-entry log.
func BenchmarkVerify(b *testing.B) {
	p := filepath.Join(b.TempDir(), "audit.jsonl")
	// Encoded in memory: 10,000 fsynced appends would dominate the run.
	var buf bytes.Buffer
	prev := Genesis
	for i := 1; i <= 10000; i++ {
		data, _ := redactedJSON(Query{KQL: fmt.Sprintf("T | take %d", i), Rows: i})
		line, hash, err := encodeLine(body{Seq: int64(i), Time: "2024-05-01T12:00:00Z", Kind: KindQuery, Actor: "bench", Data: data, Prev: prev})
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(line)
		prev = hash
	}
	os.WriteFile(p, buf.Bytes(), 0o600)
	b.ReportAllocs()
	for b.Loop() {
		if rep, err := Verify(p); err != nil || !rep.OK {
			b.Fatal(rep, err)
		}
	}
}
