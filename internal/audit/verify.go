package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Report is what Verify found.
type Report struct {
	Path     string `json:"path"`
	Entries  int    `json:"entries"`
	LastSeq  int64  `json:"last_seq"`
	LastHash string `json:"last_hash"`
	// OK is true when every line is intact and chained in order.
	OK bool `json:"ok"`
	// Line is the first bad line (1-based) when OK is false.
	Line int `json:"line,omitempty"`
	// Problem says what is wrong with Line.
	Problem  string   `json:"problem,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Err turns a failed report into an audit.tampered error naming the file
// and line, or returns nil for an intact log.
func (r Report) Err() error {
	if r.OK {
		return nil
	}
	return &Error{Code: "audit.tampered", Msg: fmt.Sprintf("%s:%d: %s", r.Path, r.Line, r.Problem),
		Hint: "the log was changed after it was written; keep this copy as evidence and compare it with your backups"}
}

// record is what Verify keeps of each line.
type record struct {
	line    int
	seq     int64
	prev    string
	hash    string
	problem string // set when the line itself is unreadable or edited
}

// Verify reads the log at path and checks every line's hash, that sequence
// numbers run 1, 2, 3 … and that each entry names its predecessor's hash.
// It stops at the first problem. The error is for I/O failures; a damaged
// or tampered log gives a Report with OK false.
func Verify(path string) (Report, error) {
	rep := Report{Path: path, LastHash: Genesis}
	f, err := os.Open(path)
	if err != nil {
		return rep, &Error{Code: "audit.open", Msg: "cannot read the audit log", Err: err,
			Hint: "sleuth writes it next to the store; pass the file with --path"}
	}
	defer f.Close()
	recs, err := readRecords(f)
	if err != nil {
		return rep, &Error{Code: "audit.open", Msg: "cannot read the audit log " + path, Err: err}
	}
	if line, problem := checkChain(recs); line > 0 {
		rep.Line, rep.Problem = line, problem
		return rep, nil
	}
	rep.OK = true
	rep.Entries = len(recs)
	if n := len(recs); n > 0 {
		rep.LastSeq, rep.LastHash = recs[n-1].seq, recs[n-1].hash
	}
	checkHead(&rep, recs)
	return rep, nil
}

// readRecords parses every line. A line that cannot be read is kept with
// its problem so the chain check reports it in order.
func readRecords(r io.Reader) ([]record, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var recs []record
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		recs = append(recs, parseRecord(n, line))
		if err != nil {
			return recs, nil
		}
	}
}

func parseRecord(n int, line []byte) record {
	rec := record{line: n}
	if !bytes.HasSuffix(line, []byte("\n")) {
		rec.problem = "the entry is cut short (truncated: no end of line)"
		return rec
	}
	line = line[:len(line)-1]
	if len(bytes.TrimSpace(line)) == 0 {
		rec.problem = "empty line where an entry was expected"
		return rec
	}
	covered, hash, ok := splitLine(line)
	if !ok {
		rec.problem = "not an audit entry: no hash at the end of the line (edited or truncated)"
		return rec
	}
	var e struct {
		Seq  *int64  `json:"seq"`
		Prev *string `json:"prev"`
		Kind *string `json:"kind"`
	}
	if err := json.Unmarshal(line, &e); err != nil || e.Seq == nil || e.Prev == nil || e.Kind == nil {
		rec.problem = "not an audit entry: unreadable JSON or missing seq, kind or prev (edited)"
		return rec
	}
	sum := sha256.Sum256(covered)
	if hex.EncodeToString(sum[:]) != hash {
		rec.problem = fmt.Sprintf("entry seq %d does not match its hash (edited after it was written)", *e.Seq)
		return rec
	}
	rec.seq, rec.prev, rec.hash = *e.Seq, *e.Prev, hash
	return rec
}

// checkChain returns the first bad line and what is wrong with it, or 0.
// When a line is out of place it looks one line ahead to tell an inserted
// entry from two swapped ones and from missing ones.
func checkChain(recs []record) (int, string) {
	wantSeq, wantPrev := int64(1), Genesis
	for i, r := range recs {
		if r.problem != "" {
			return r.line, r.problem
		}
		if r.seq == wantSeq && r.prev == wantPrev {
			wantSeq, wantPrev = r.seq+1, r.hash
			continue
		}
		return classify(recs, i, wantSeq, wantPrev)
	}
	return 0, ""
}

func classify(recs []record, i int, wantSeq int64, wantPrev string) (int, string) {
	r := recs[i]
	var next *record
	if i+1 < len(recs) && recs[i+1].problem == "" {
		next = &recs[i+1]
	}
	switch {
	case next != nil && next.seq == wantSeq && next.prev == wantPrev && r.prev == next.hash:
		return r.line, fmt.Sprintf("entries out of order: seq %d comes before seq %d (lines %d and %d were swapped)", r.seq, next.seq, r.line, next.line)
	case next != nil && next.seq == wantSeq && next.prev == wantPrev:
		return r.line, fmt.Sprintf("an entry was inserted here: line %d continues the chain from line %d", next.line, r.line-1)
	case i >= 2 && r.seq == recs[i-2].seq+1 && r.prev == recs[i-2].hash:
		return recs[i-1].line, fmt.Sprintf("an entry was inserted here: line %d continues the chain from line %d", r.line, recs[i-2].line)
	case r.seq > wantSeq:
		missing := r.seq - wantSeq
		return r.line, fmt.Sprintf("%d %s missing before this line: seq jumps from %d to %d (removed)", missing, plural(missing, "entry is", "entries are"), wantSeq-1, r.seq)
	case r.seq < wantSeq:
		return r.line, fmt.Sprintf("seq %d repeats or goes back (seq %d expected): a duplicated or reordered entry", r.seq, wantSeq)
	case i > 0:
		return recs[i-1].line, fmt.Sprintf("entry seq %d was rewritten: its hash is not the prev hash that line %d recorded", recs[i-1].seq, r.line)
	}
	return r.line, "the first entry does not start the chain (its prev hash is not the genesis hash)"
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkHead compares the end of an intact chain with the head file, which
// catches entries removed from the end.
func checkHead(rep *Report, recs []record) {
	h, exists, err := readHead(rep.Path)
	switch {
	case err != nil:
		rep.Warnings = append(rep.Warnings, err.Error())
		return
	case !exists:
		if len(recs) > 0 {
			rep.Warnings = append(rep.Warnings, "no head file ("+headPath(rep.Path)+"): entries removed from the end cannot be detected")
		}
		return
	}
	if h.Seq > rep.LastSeq {
		rep.OK = false
		rep.Line = len(recs) + 1
		rep.Problem = fmt.Sprintf("the log ends at seq %d but its head records seq %d: %d %s removed from the end",
			rep.LastSeq, h.Seq, h.Seq-rep.LastSeq, plural(h.Seq-rep.LastSeq, "entry was", "entries were"))
		return
	}
	// The head may lag the log by the entry written when a crash came
	// between the two writes, but the entry it names must be there.
	for _, r := range recs {
		if r.seq == h.Seq && r.hash != h.Hash {
			rep.OK = false
			rep.Line = r.line
			rep.Problem = fmt.Sprintf("entry seq %d is not the one the head file records (the log was rewritten)", r.seq)
			return
		}
	}
	if h.Seq < rep.LastSeq-1 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the head file records seq %d, behind the log's last entry %d", h.Seq, rep.LastSeq))
	}
}
