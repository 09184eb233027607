package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// Threat is one line of the threats log: a finding with the hunt that
// found it, readable without the hunt's report directory.
type Threat struct {
	HuntID          string           `json:"hunt_id"`
	Question        string           `json:"question"`
	Time            time.Time        `json:"time"` // when the hunt finished
	FindingID       string           `json:"finding_id"`
	Title           string           `json:"title"`
	Description     string           `json:"description"`
	Severity        string           `json:"severity"`
	Confidence      float64          `json:"confidence"`
	Techniques      []hunt.Technique `json:"techniques"`
	Entities        entity.Set       `json:"entities"`
	FirstSeen       time.Time        `json:"first_seen"`
	LastSeen        time.Time        `json:"last_seen"`
	Rules           []string         `json:"rules"`
	Recommendations []string         `json:"recommendations"`
}

// AppendThreats appends each finding of r to the threats log at path (one
// JSON object a line), creating the file and its directory if needed. It
// never truncates: the file is opened O_APPEND, each line goes out in one
// write so concurrent hunts do not interleave within a line, and the file
// is synced before it returns.
func AppendThreats(path string, r *hunt.Report) error {
	lines, err := threatLines(r)
	if err != nil {
		return &Error{Code: "report.encode", Path: path, Err: err, Hint: "the hunt produced a value JSON cannot hold (NaN or infinity); this is a bug in sleuth"}
	}
	if len(lines) == 0 {
		return nil
	}
	if err := appendLines(path, lines); err != nil {
		return &Error{Code: "report.write", Path: path, Err: err, Hint: "check that the data directory is writable"}
	}
	return nil
}

func threatLines(r *hunt.Report) ([][]byte, error) {
	at := r.Finished
	if at.IsZero() {
		at = r.Now
	}
	var lines [][]byte
	for _, f := range r.Findings {
		if f == nil {
			continue
		}
		b, err := json.Marshal(Threat{HuntID: r.ID, Question: r.Question, Time: at.UTC(), FindingID: f.ID,
			Title: f.Title, Description: f.Description, Severity: f.Severity, Confidence: f.Confidence,
			Techniques: f.Techniques, Entities: f.Entities, FirstSeen: f.FirstSeen, LastSeen: f.LastSeen,
			Rules: f.Rules, Recommendations: f.Recommendations})
		if err != nil {
			return nil, err
		}
		lines = append(lines, append(b, '\n'))
	}
	return lines, nil
}

func appendLines(path string, lines [][]byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	if err := endWithNewline(f); err != nil {
		f.Close()
		return err
	}
	for _, l := range lines {
		if _, err := f.Write(l); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// endWithNewline finishes a last line a crash left without its newline, so
// the next record starts on a line of its own and stays readable.
func endWithNewline(f *os.File) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	_, err = f.Write([]byte{'\n'})
	return err
}
