package eval_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog/catgen"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/hunt/eval"
	"github.com/sleuth-hunt/sleuth/internal/ingest"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// TestQualityOnOTRF hunts real Windows attack recordings (OTRF's atomic
// datasets) the way an analyst would after ingesting one: a broad question
// with --now just after the recording ends. A recording counts when a
// finding carries its labelled technique, a parent or a sub-technique. The
// hunt runs the built-in pack only, as `sleuth hunt` does by default.
func TestQualityOnOTRF(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 20 recordings and hunts each; skipped with -short")
	}
	root, err := catgen.SharedData()
	if err != nil {
		t.Skipf("shared test data is absent: %v", err)
	}
	dir := filepath.Join(root, "otrf", "atomic")
	labels := readOTRFCatalog(t, filepath.Join(dir, "CATALOG.tsv"))
	found, highs := 0, 0
	var misses []string
	for _, l := range labels {
		r := huntRecording(t, filepath.Join(dir, l.file), "Anything suspicious in the last day?")
		hit := false
		for _, f := range r.Findings {
			if hunt.SeverityRank(f.Severity) >= hunt.SeverityRank(hunt.SevHigh) {
				highs++
			}
			for _, tech := range f.Techniques {
				for _, want := range l.techniques {
					if sameFamily(tech.ID, want) {
						hit = true
					}
				}
			}
		}
		if hit {
			found++
		} else {
			misses = append(misses, l.id+" "+strings.Join(l.techniques, ",")+" ("+l.title+")")
		}
		t.Logf("%s %-45s %d findings, hit=%v", l.id, l.title, len(r.Findings), hit)
	}
	t.Logf("OTRF hunts: %d of %d recordings reported with their technique; %d high or critical findings; missed: %s",
		found, len(labels), highs, strings.Join(misses, "; "))
	if want := len(labels) * 9 / 10; found < want {
		t.Errorf("found %d of %d labelled techniques, want at least %d", found, len(labels), want)
	}
}

// huntRecording ingests one recording into its own store and hunts it with
// the reference time a minute after its last event.
func huntRecording(t *testing.T, path, question string) *hunt.Report {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:", store.Options{InitSQL: duckdb.Prelude()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := ingest.Run(ctx, otrfSink{st}, []string{path}, ingest.Options{Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatalf("ingest %s: %v", path, err)
	}
	set, err := st.Query(ctx, `SELECT max("TimeGenerated") FROM "SecurityEvent"`, 1)
	if err != nil {
		t.Fatal(err)
	}
	last, ok := set.Rows[0][0].(time.Time)
	if !ok {
		t.Fatalf("%s: no SecurityEvent rows", path)
	}
	h, err := eval.NewHunter(st, last.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	r, err := h(ctx, question)
	if err != nil {
		t.Fatalf("hunt %s: %v", path, err)
	}
	return r
}

type otrfSink struct{ st *store.Store }

func (s otrfSink) Writer(ctx context.Context, table string) (ingest.TableWriter, error) {
	return s.st.Appender(ctx, table)
}

type otrfLabel struct {
	id, file, title string
	techniques      []string
}

// readOTRFCatalog reads CATALOG.tsv: dataset id, techniques, title, file.
func readOTRFCatalog(t *testing.T, path string) []otrfLabel {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("OTRF catalog is absent: %v", err)
	}
	defer f.Close()
	var out []otrfLabel
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		cols := strings.Split(sc.Text(), "\t")
		if n == 1 {
			continue // header
		}
		if len(cols) < 4 {
			t.Fatalf("%s:%d: want 4 tab-separated columns, got %d", path, n, len(cols))
		}
		out = append(out, otrfLabel{id: cols[0], techniques: strings.Split(cols[1], ","), title: cols[2], file: cols[3]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameFamily reports whether two technique IDs are the same, or one is the
// other's parent.
func sameFamily(a, b string) bool {
	pa, _, _ := strings.Cut(a, ".")
	pb, _, _ := strings.Cut(b, ".")
	return a == b || (pa == pb && (a == pa || b == pb))
}

// TestQualityOnOTRFCampaign hunts the OTRF LSASS campaign (Metasploit:
// service-based execution, rundll32 comsvcs.dll MiniDump of LSASS, logs
// cleared) with the analyst's question and with a broad one: each must give
// the dump as a high or critical finding, and nothing else above low.
func TestQualityOnOTRFCampaign(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests a 42,000-event recording; skipped with -short")
	}
	root, err := catgen.SharedData()
	if err != nil {
		t.Skipf("shared test data is absent: %v", err)
	}
	path := filepath.Join(root, "otrf", "compound", "metasploit_comsvcs_lsass_memory_dump.zip")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("OTRF campaign is absent: %v", err)
	}
	for _, q := range []string{"Were credentials dumped from LSASS in the last hour?", "Anything suspicious in the last day?"} {
		r := huntRecording(t, path, q)
		dump := false
		for _, f := range r.Findings {
			high := hunt.SeverityRank(f.Severity) >= hunt.SeverityRank(hunt.SevHigh)
			for _, tech := range f.Techniques {
				if tech.ID == "T1003.001" && high {
					dump = true
				}
			}
			if !high && hunt.SeverityRank(f.Severity) > hunt.SeverityRank(hunt.SevLow) {
				t.Errorf("%q: a %s finding beside the campaign: %s", q, f.Severity, f.Title)
			}
		}
		if !dump {
			t.Errorf("%q: no high or critical finding carries T1003.001; findings: %d", q, len(r.Findings))
		}
		t.Logf("%q: %d findings, first %q", q, len(r.Findings), firstTitle(r))
	}
}

func firstTitle(r *hunt.Report) string {
	if len(r.Findings) == 0 {
		return ""
	}
	return r.Findings[0].Title
}
