package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// File names in a hunt's report directory.
const (
	MarkdownFile = "report.md"
	JSONFile     = "report.json"
	FindingsFile = "findings.jsonl"
	LayerFile    = "attack-layer.json"
	QueriesFile  = "queries.kql"
)

// Files are the paths Write wrote.
type Files struct {
	Dir      string
	Markdown string
	JSON     string
	Findings string
	Layer    string
	Queries  string
}

// Paths lists the files in the order Write writes them.
func (f Files) Paths() []string {
	return []string{f.Markdown, f.JSON, f.Findings, f.Layer, f.Queries}
}

// Error is a report that could not be rendered or written.
type Error struct {
	Code string // report.write, report.encode
	Path string
	Err  error
	Hint string
}

func (e *Error) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	return e.Err.Error()
}
func (e *Error) Unwrap() error     { return e.Err }
func (e *Error) ErrorCode() string { return e.Code }
func (e *Error) ErrorHint() string { return e.Hint }

// Write renders the report into dir, creating it (0o750) if needed. Each
// file is written to a temporary file and renamed into place, so a reader
// never sees half a report and a crash leaves the previous one whole.
func Write(dir string, r *hunt.Report) (Files, error) {
	if r == nil {
		return Files{}, &Error{Code: "report.internal", Err: errors.New("no report to write")}
	}
	f := Files{Dir: dir, Markdown: filepath.Join(dir, MarkdownFile), JSON: filepath.Join(dir, JSONFile),
		Findings: filepath.Join(dir, FindingsFile), Layer: filepath.Join(dir, LayerFile), Queries: filepath.Join(dir, QueriesFile)}
	outputs, err := render(r)
	if err != nil {
		return Files{}, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Files{}, &Error{Code: "report.write", Path: dir, Err: err, Hint: "choose a writable directory for reports"}
	}
	for i, path := range f.Paths() {
		if err := writeAtomic(path, outputs[i]); err != nil {
			return Files{}, &Error{Code: "report.write", Path: path, Err: err, Hint: "check the disk has room and the directory is writable"}
		}
	}
	syncDir(dir)
	return f, nil
}

// render produces every file's contents before anything is written, so a
// report that cannot be encoded leaves no partial directory behind.
func render(r *hunt.Report) ([][]byte, error) {
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, encodeError(JSONFile, err)
	}
	jsonl, err := findingsJSONL(r.Findings)
	if err != nil {
		return nil, encodeError(FindingsFile, err)
	}
	l, err := Layer(r)
	if err != nil {
		return nil, encodeError(LayerFile, err)
	}
	layer, err := l.JSON()
	if err != nil {
		return nil, encodeError(LayerFile, err)
	}
	return [][]byte{Markdown(r), append(js, '\n'), jsonl, append(layer, '\n'), QueriesKQL(r)}, nil
}

func encodeError(name string, err error) error {
	// json fails only on values JSON cannot hold: a NaN confidence or cost.
	return &Error{Code: "report.encode", Path: name, Err: err, Hint: "the hunt produced a value JSON cannot hold (NaN or infinity); this is a bug in sleuth"}
}

// findingsJSONL is one finding a line, compact.
func findingsJSONL(fs []*hunt.Finding) ([]byte, error) {
	var b bytes.Buffer
	for _, f := range fs {
		if f == nil {
			continue
		}
		line, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory, synced before the rename.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o640)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

// syncDir makes the renames durable. It is best effort: some systems
// cannot sync a directory, and the files themselves are already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
