package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

var update = flag.Bool("update", false, "rewrite testdata goldens")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got); check, then run with -update:\n%s", path, d)
	}
}

func filesFor(r *hunt.Report) *Files {
	f := Files{Dir: filepath.Join("hunts", r.ID)}
	f.Markdown, f.JSON = filepath.Join(f.Dir, MarkdownFile), filepath.Join(f.Dir, JSONFile)
	f.Findings, f.Layer, f.Queries = filepath.Join(f.Dir, FindingsFile), filepath.Join(f.Dir, LayerFile), filepath.Join(f.Dir, QueriesFile)
	return &f
}

func TestGoldens(t *testing.T) {
	for name, r := range map[string]*hunt.Report{"sample": sampleReport(), "quiet": quietReport()} {
		t.Run(name, func(t *testing.T) {
			golden(t, name+".report.md", Markdown(r))
			golden(t, name+".queries.kql", QueriesKQL(r))
			l, err := Layer(r)
			if err != nil {
				t.Fatal(err)
			}
			js, err := l.JSON()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".attack-layer.json", append(js, '\n'))
			for _, color := range []bool{false, true} {
				var b bytes.Buffer
				if err := Terminal(&b, r, TerminalOptions{Color: color, Files: filesFor(r)}); err != nil {
					t.Fatal(err)
				}
				suffix := ".terminal.txt"
				if color {
					suffix = ".terminal-color.txt"
				}
				golden(t, name+suffix, b.Bytes())
			}
		})
	}
}
