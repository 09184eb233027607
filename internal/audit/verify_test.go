package audit

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// tamper rewrites the log's lines with edit and returns the report.
func tamper(t *testing.T, n int, edit func(lines []string) []string) Report {
	t.Helper()
	p := writeLog(t, n)
	lines := edit(readLines(t, p))
	if err := os.WriteFile(p, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(p)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// rehash recomputes a line's hash after an edit, as a careful attacker
// would; the chain still breaks at the next line.
func rehash(t *testing.T, line string, edit func(*body)) string {
	t.Helper()
	var e Entry
	if err := json.Unmarshal([]byte(line), &e); err != nil {
		t.Fatal(err)
	}
	b := body{Seq: e.Seq, Time: e.Time.Format("2006-01-02T15:04:05.999999999Z07:00"), Kind: e.Kind, Actor: e.Actor, Data: e.Data, Prev: e.Prev}
	edit(&b)
	out, _, err := encodeLine(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestVerifyFindsTampering(t *testing.T) {
	f := func(name string, edit func(t *testing.T, lines []string) []string, wantLine int, wantProblem string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			rep := tamper(t, 6, func(lines []string) []string { return edit(t, lines) })
			if rep.OK {
				t.Fatalf("tampering not detected: %+v", rep)
			}
			if rep.Line != wantLine || !strings.Contains(rep.Problem, wantProblem) {
				t.Fatalf("got line %d %q, want line %d containing %q", rep.Line, rep.Problem, wantLine, wantProblem)
			}
			if err := rep.Err(); err == nil || !strings.Contains(err.Error(), "audit.jsonl:") {
				t.Errorf("Err() = %v", err)
			}
		})
	}
	f("edit a field", func(t *testing.T, l []string) []string {
		l[2] = strings.Replace(l[2], `"actor":"alice"`, `"actor":"mallory"`, 1)
		return l
	}, 3, "does not match its hash")
	f("edit the data", func(t *testing.T, l []string) []string {
		l[3] = strings.Replace(l[3], `take 4`, `take 5`, 1)
		return l
	}, 4, "does not match its hash")
	f("edit and rehash", func(t *testing.T, l []string) []string {
		l[1] = rehash(t, l[1], func(b *body) { b.Actor = "mallory" })
		return l
	}, 2, "rewritten")
	f("delete a line", func(t *testing.T, l []string) []string {
		return append(l[:2:2], l[3:]...)
	}, 3, "1 entry is missing")
	f("delete the first line", func(t *testing.T, l []string) []string {
		return l[1:]
	}, 1, "1 entry is missing")
	f("insert a copied line", func(t *testing.T, l []string) []string {
		return append(append(l[:3:3], l[0]), l[3:]...)
	}, 4, "inserted")
	f("insert a forged line", func(t *testing.T, l []string) []string {
		forged := `{"seq":4,"time":"2024-05-01T12:00:00Z","kind":"query","actor":"alice","data":null,"prev":"` + Genesis + `","hash":"` + Genesis + `"}` + "\n"
		return append(append(l[:3:3], forged), l[3:]...)
	}, 4, "does not match its hash")
	f("insert a forged line with a valid chain link", func(t *testing.T, l []string) []string {
		var e Entry
		json.Unmarshal([]byte(l[2]), &e)
		forged := rehash(t, l[3], func(b *body) { b.Kind = KindFinding; b.Prev = e.Hash; b.Seq = 4 })
		return append(append(l[:3:3], forged), l[3:]...)
	}, 4, "inserted")
	f("reorder two lines", func(t *testing.T, l []string) []string {
		l[1], l[2] = l[2], l[1]
		return l
	}, 2, "out of order")
	f("truncate the last line", func(t *testing.T, l []string) []string {
		l[5] = l[5][:len(l[5])/2]
		return l
	}, 6, "truncated")
	f("truncate just the newline", func(t *testing.T, l []string) []string {
		l[5] = strings.TrimSuffix(l[5], "\n")
		return l
	}, 6, "truncated")
	f("remove the last line", func(t *testing.T, l []string) []string {
		return l[:5]
	}, 6, "removed from the end")
	f("blank line", func(t *testing.T, l []string) []string {
		return append(append(l[:2:2], "\n"), l[2:]...)
	}, 3, "empty line")
	f("not json", func(t *testing.T, l []string) []string {
		l[0] = "hello\n"
		return l
	}, 1, "not an audit entry")
}

func TestVerifyEmptyAndMissing(t *testing.T) {
	p := writeLog(t, 0)
	rep, err := Verify(p)
	if err != nil || !rep.OK || rep.Entries != 0 {
		t.Fatalf("empty log: %+v %v", rep, err)
	}
	if _, err := Verify(p + ".nope"); err == nil {
		t.Fatal("missing file verified")
	}
}

func TestVerifyWithoutHeadWarns(t *testing.T) {
	p := writeLog(t, 2)
	os.Remove(headPath(p))
	rep, _ := Verify(p)
	if !rep.OK || len(rep.Warnings) != 1 {
		t.Fatalf("%+v", rep)
	}
}

// FuzzVerify feeds arbitrary bytes to Verify: it must not panic, and when
// it calls a log intact every line must chain.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"seq":1,"time":"x","kind":"k","actor":"a","data":null,"prev":"` + Genesis + `","hash":"` + Genesis + `"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := t.TempDir() + "/audit.jsonl"
		os.WriteFile(p, data, 0o600)
		rep, err := Verify(p)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK && rep.Entries != strings.Count(string(data), "\n") {
			t.Fatalf("intact report with %d entries for %d lines", rep.Entries, strings.Count(string(data), "\n"))
		}
		if !rep.OK && rep.Line < 1 {
			t.Fatalf("failed report without a line: %+v", rep)
		}
	})
}

// FuzzTamperedByte changes one byte of a valid log: Verify must notice.
func FuzzTamperedByte(f *testing.F) {
	f.Add(uint16(10), byte('x'))
	f.Add(uint16(300), byte('\n'))
	f.Add(uint16(65535), byte('0'))
	f.Fuzz(func(t *testing.T, pos uint16, b byte) {
		p := writeLog(t, 4)
		data, _ := os.ReadFile(p)
		i := int(pos) % len(data)
		if data[i] == b {
			return
		}
		data[i] = b
		os.WriteFile(p, data, 0o600)
		rep, err := Verify(p)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK {
			t.Fatalf("byte %d changed to %q went unnoticed", i, b)
		}
	})
}
