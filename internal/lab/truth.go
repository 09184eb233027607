package lab

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// Truth is one line of the ground-truth file: a scenario or decoy
// instance, the entities it involves and the time span of its rows.
// Hosts are lower-case DNS names as Defender's DeviceName spells them (the
// first label is the computer name Syslog and SecurityEvent use); users are
// lower-case UPNs where the account has one, else the account name.
type Truth struct {
	ID         string      `json:"id"`
	Scenario   string      `json:"scenario"`
	Techniques []string    `json:"techniques"`
	Tactics    []string    `json:"tactics"`
	Hosts      []string    `json:"hosts"`
	Users      []string    `json:"users"`
	IPs        []string    `json:"ips"`
	Start      time.Time   `json:"start"`
	End        time.Time   `json:"end"`
	Tables     []string    `json:"tables"`
	Decoy      bool        `json:"decoy"`
	Injections []Injection `json:"injections,omitempty"`
}

// Injection marks a field that carries attacker-controlled text aimed at an
// AI analyst.
type Injection struct {
	Table  string    `json:"table"`
	Column string    `json:"column"`
	Time   time.Time `json:"time"`
	Text   string    `json:"text"`
}

// truth summarises an instance: its window is exactly the span of its rows.
func (in *instance) truth() Truth {
	t := Truth{ID: in.ID, Scenario: in.Kind.Name, Techniques: in.Kind.Techniques, Tactics: in.Kind.Tactics,
		Hosts: nonNil(in.hosts), Users: nonNil(in.users), IPs: nonNil(in.ips), Decoy: in.Kind.Decoy, Injections: in.injections}
	tables := map[string]bool{}
	for i, r := range in.rows {
		if r.tab.cat == nil {
			continue
		}
		if i == 0 || r.T.Before(t.Start) || t.Start.IsZero() {
			t.Start = r.T
		}
		if r.T.After(t.End) {
			t.End = r.T
		}
		tables[r.tab.name] = true
	}
	for n := range tables {
		t.Tables = append(t.Tables, n)
	}
	sort.Strings(t.Tables)
	t.Tables = nonNil(t.Tables)
	return t
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// WriteTruth writes one JSON line per instance.
func WriteTruth(w io.Writer, ts []Truth) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, t := range ts {
		if err := enc.Encode(t); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteTruthFile writes the ground truth to path.
func WriteTruthFile(path string, ts []Truth) error {
	var buf bytes.Buffer
	if err := WriteTruth(&buf, ts); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return &Error{Code: "lab.truth", Msg: "cannot write the ground truth: " + err.Error(), Hint: "choose another place with --truth"}
	}
	return nil
}

// ReadTruth reads a ground-truth file. A malformed line is an error that
// names the line.
func ReadTruth(path string) ([]Truth, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Code: "lab.truth", Msg: "cannot read the ground truth: " + err.Error(),
			Hint: "generate the lab with 'sleuth lab generate', which writes it next to the store"}
	}
	defer f.Close()
	return ParseTruth(f, path)
}

// ParseTruth reads ground truth from r; name is used in errors.
func ParseTruth(r io.Reader, name string) ([]Truth, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var out []Truth
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var t Truth
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&t); err != nil {
			return nil, &Error{Code: "lab.truth", Msg: fmt.Sprintf("%s:%d: %v", name, n, err),
				Hint: "the file must hold one JSON object per line, as 'sleuth lab generate' writes it"}
		}
		if t.ID == "" || t.Scenario == "" {
			return nil, &Error{Code: "lab.truth", Msg: fmt.Sprintf("%s:%d: an instance needs an id and a scenario", name, n)}
		}
		if t.End.Before(t.Start) {
			return nil, &Error{Code: "lab.truth", Msg: fmt.Sprintf("%s:%d: end %s is before start %s", name, n, t.End.Format(time.RFC3339), t.Start.Format(time.RFC3339))}
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, &Error{Code: "lab.truth", Msg: fmt.Sprintf("%s: %v", name, err)}
	}
	return out, nil
}
