package ingest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sharedData locates the project's public test data: $SLEUTH_SHARED_DATA,
// else ../shared/data next to the module root. Tests that need it skip,
// saying why, when it is absent (a user's checkout has no ../shared).
func sharedData(t testing.TB, sub string) string {
	t.Helper()
	root := os.Getenv("SLEUTH_SHARED_DATA")
	if root == "" {
		dir, _ := filepath.Abs(".")
		for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				root = filepath.Join(dir, "..", "shared", "data")
				break
			}
		}
	}
	p := filepath.Join(root, sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data %s is absent (set SLEUTH_SHARED_DATA to run this test)", sub)
	}
	return p
}

// TestOTRFDatasets ingests every OTRF dataset and checks each table's row
// count against an independent count of the source's event ids, made with
// encoding/json and the mapping of DESIGN.md.
func TestOTRFDatasets(t *testing.T) {
	dir := sharedData(t, "otrf")
	if testing.Short() {
		t.Skip("reads about 126,000 events; skipped with -short")
	}
	var archives []string
	for _, sub := range []string{"atomic", "compound"} {
		m, _ := filepath.Glob(filepath.Join(dir, sub, "*.zip"))
		g, _ := filepath.Glob(filepath.Join(dir, sub, "*.tar.gz"))
		archives = append(archives, append(m, g...)...)
	}
	sort.Strings(archives)
	if len(archives) < 21 {
		t.Fatalf("found %d datasets, want the 20 atomic and 1 compound", len(archives))
	}
	for _, a := range archives {
		t.Run(filepath.Base(a), func(t *testing.T) {
			t.Parallel()
			want := countEventIDs(t, a)
			s := &discardSink{}
			sum, err := Run(t.Context(), s, []string{a}, Options{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Skipped != 0 {
				t.Errorf("skipped %d: %v", sum.Skipped, sum.Errors)
			}
			if d := cmp.Diff(want, sum.Tables); d != "" {
				t.Errorf("rows per table (-independent count +ingest):\n%s", d)
			}
		})
	}
}

// countEventIDs reads an archive of JSON lines with encoding/json and counts
// the rows each table should get.
func countEventIDs(t *testing.T, archive string) map[string]int64 {
	t.Helper()
	counts := map[string]int64{}
	eachLine(t, archive, func(line []byte) {
		var ev map[string]any
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("%s: %v", archive, err)
		}
		channel, _ := firstOf(ev, "Channel", "log_name").(string)
		var id int
		fmt.Sscan(fmt.Sprint(firstOf(ev, "EventID", "event_id")), &id)
		counts["WindowsEvent"]++
		switch strings.ToLower(channel) {
		case "security":
			counts["SecurityEvent"]++
			if id == 4624 || id == 4625 {
				counts["DeviceLogonEvents"]++
			}
		case "microsoft-windows-sysmon/operational":
			if table := sysmonTable[id]; table != "" {
				counts[table]++
			}
		}
	})
	return counts
}

var sysmonTable = map[int]string{
	1: "DeviceProcessEvents", 3: "DeviceNetworkEvents", 22: "DeviceNetworkEvents", 7: "DeviceImageLoadEvents",
	11: "DeviceFileEvents", 23: "DeviceFileEvents", 26: "DeviceFileEvents",
	12: "DeviceRegistryEvents", 13: "DeviceRegistryEvents", 14: "DeviceRegistryEvents",
	8: "DeviceEvents", 10: "DeviceEvents",
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

// eachLine calls fn for every non-blank line of every member of a .zip or
// .tar.gz archive.
func eachLine(t *testing.T, archive string, fn func([]byte)) {
	t.Helper()
	scan := func(r io.Reader) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			if len(strings.TrimSpace(sc.Text())) > 0 {
				fn(sc.Bytes())
			}
		}
	}
	if strings.HasSuffix(archive, ".zip") {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			scan(rc)
			rc.Close()
		}
		return
	}
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			return
		}
		if h.Typeflag == tar.TypeReg {
			scan(tr)
		}
	}
}

// TestEVTXMatchesItsJSON ingests each EVTX file of the Sigma regression set
// and the evtx_dump JSON published beside it: both must give the same rows
// (EventData and AdditionalFields aside, where the two parsers spell
// numbers differently).
func TestEVTXMatchesItsJSON(t *testing.T) {
	dir := sharedData(t, "sigma/regression_data")
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".evtx") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 100 {
		t.Fatalf("found %d EVTX files", len(files))
	}
	if testing.Short() {
		files = files[:20]
	}
	var events int64
	for _, f := range files {
		jsonTwin := strings.TrimSuffix(f, ".evtx") + ".json"
		if _, err := os.Stat(jsonTwin); err != nil {
			continue
		}
		fromEVTX, sum1 := ingestFiles(t, Options{Workers: 1}, f)
		fromJSON, sum2 := ingestFiles(t, Options{Workers: 1}, jsonTwin)
		if sum1.Skipped != 0 || sum2.Skipped != 0 || sum1.Events == 0 {
			t.Errorf("%s: EVTX %d events %v; JSON %d events %v", f, sum1.Events, sum1.Errors, sum2.Events, sum2.Errors)
			continue
		}
		events += sum1.Events
		if d := cmp.Diff(comparable(fromJSON), comparable(fromEVTX), timesClose); d != "" {
			t.Errorf("%s: rows differ (-json +evtx):\n%s", f, d)
		}
	}
	t.Logf("%d EVTX files, %d events", len(files), events)
}

// comparable renders a sink's rows without the dynamic columns, sorted, and
// their times apart: the JSON twin rounds times to the microsecond, the
// EVTX parser keeps them to about a microsecond, so times are compared with
// a tolerance.
func comparable(s *memSink) map[string][]string {
	out := map[string][]string{}
	for name, mt := range s.tables {
		for _, r := range mt.rows {
			var parts, times []string
			for i, c := range mt.t.Columns {
				if r[i] == nil || c.Name == "AdditionalFields" || c.Name == "EventData" {
					continue
				}
				if tm, ok := r[i].(time.Time); ok {
					times = append(times, fmt.Sprintf("%s=%d", c.Name, tm.UnixMicro()/10))
					continue
				}
				parts = append(parts, fmt.Sprintf("%s=%v", c.Name, r[i]))
			}
			out[name] = append(out[name], strings.Join(parts, " "))
			out[name+" times"] = append(out[name+" times"], strings.Join(times, " "))
		}
		sort.Strings(out[name])
		sort.Strings(out[name+" times"])
	}
	return out
}

// timesClose treats times that differ by a few microseconds as equal.
var timesClose = cmp.Comparer(func(a, b string) bool {
	if a == b {
		return true
	}
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		ka, va, _ := strings.Cut(fa[i], "=")
		kb, vb, _ := strings.Cut(fb[i], "=")
		var x, y int64
		fmt.Sscan(va, &x)
		fmt.Sscan(vb, &y)
		if ka != kb || x-y > 1 || y-x > 1 {
			return false
		}
	}
	return true
})
