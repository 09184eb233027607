package ingest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type member struct {
	name    string
	content string
	link    bool // a symlink (tar only)
}

func zipBytes(t *testing.T, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range members {
		w, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, m.content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tarBytes(t *testing.T, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.content)), Typeflag: tar.TypeReg}
		if m.link {
			h = &tar.Header{Name: m.name, Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, m.content)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func codes(dir string, sum *Summary) []string {
	var out []string
	for _, e := range sum.Errors {
		out = append(out, e.Code+" "+strings.TrimPrefix(e.File, dir+string(filepath.Separator)))
	}
	return out
}

// TestZipArchive reads every member, refuses names that escape the archive,
// and never writes a member anywhere.
func TestZipArchive(t *testing.T) {
	dir := t.TempDir()
	before, _ := os.ReadDir(dir)
	z := zipBytes(t,
		member{name: "logs/nxlog.json", content: fixture(t, "otrf_nxlog.ndjson")},
		member{name: "../evil.json", content: fixture(t, "otrf_nxlog.ndjson")},
		member{name: `..\..\windows.json`, content: "{}"},
		member{name: "/etc/cron.d/x", content: "{}"},
		member{name: "notes/README.md", content: "# a dataset\n"},
		member{name: "logs/evtx_dump.json", content: fixture(t, "evtx_dump.json")},
	)
	path := filepath.Join(dir, "set.zip")
	os.WriteFile(path, z, 0o600)
	_, sum := ingestFiles(t, Options{}, path)
	if sum.Events != 16 || sum.Tables["WindowsEvent"] != 16 || sum.Ignored != 1 {
		t.Fatalf("summary %+v", sum)
	}
	want := []string{"ingest.unsafe_path set.zip!../evil.json", `ingest.unsafe_path set.zip!..\..\windows.json`, "ingest.unsafe_path set.zip!/etc/cron.d/x"}
	if strings.Join(codes(dir, sum), "|") != strings.Join(want, "|") {
		t.Errorf("errors %q, want %q", codes(dir, sum), want)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before)+1 {
		t.Errorf("ingest wrote files: %v", after)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil.json")); err == nil {
		t.Error("a member escaped the archive")
	}
}

// TestTarGz reads a .tar.gz with a nested zip, skipping links and unsafe
// names, from a file and from stdin (where the zip must be spooled).
func TestTarGz(t *testing.T) {
	inner := zipBytes(t, member{name: "inner.ndjson", content: fixture(t, "otrf_winlogbeat.ndjson")})
	tgz := gzipBytes(t, tarBytes(t,
		member{name: "./a/nxlog.ndjson", content: fixture(t, "otrf_nxlog.ndjson")},
		member{name: "a/link.json", link: true},
		member{name: "../../escape.json", content: "{}"},
		member{name: "a/inner.zip", content: string(inner)},
	))
	path := writeFile(t, "set.tgz", string(tgz))
	for _, stdin := range []bool{false, true} {
		opt, paths := Options{}, []string{path}
		if stdin {
			opt.Stdin, paths = bytes.NewReader(tgz), []string{"-"}
		}
		_, sum := ingestFiles(t, opt, paths...)
		if sum.Events != 16 || sum.Ignored != 1 {
			t.Errorf("stdin %v: summary %+v", stdin, sum)
		}
		if len(sum.Errors) != 1 || sum.Errors[0].Code != CodeUnsafePath || !strings.HasSuffix(sum.Errors[0].File, "!../../escape.json") {
			t.Errorf("stdin %v: errors %v", stdin, sum.Errors)
		}
	}
}

func TestGzipFile(t *testing.T) {
	path := writeFile(t, "events.ndjson.gz", string(gzipBytes(t, []byte(fixture(t, "otrf_flat.ndjson")))))
	_, sum := ingestFiles(t, Options{}, path)
	if sum.Events != 8 || sum.Skipped != 0 {
		t.Fatalf("summary %+v %v", sum, sum.Errors)
	}
}

// TestTruncatedGzip keeps the records before the cut and reports it.
func TestTruncatedGzip(t *testing.T) {
	var lines []string
	for range 300 {
		lines = append(lines, strings.Split(strings.TrimSpace(fixture(t, "otrf_nxlog.ndjson")), "\n")...)
	}
	gz := gzipBytes(t, []byte(strings.Join(lines, "\n")))
	path := writeFile(t, "cut.ndjson.gz", string(gz[:len(gz)*2/3]))
	_, sum := ingestFiles(t, Options{}, path)
	if sum.Events == 0 || sum.Events >= int64(len(lines)) {
		t.Errorf("events %d of %d", sum.Events, len(lines))
	}
	last := sum.Errors[len(sum.Errors)-1]
	if last.Code != CodeRead || !strings.Contains(last.Error(), "truncated") {
		t.Errorf("errors %v", sum.Errors)
	}
}

// TestDecompressionCaps stops a stream at the size cap, and a bomb at the
// ratio cap, with ingest.too_large; the files beside them are still read.
func TestDecompressionCaps(t *testing.T) {
	good := "testdata/otrf_nxlog.ndjson"
	big := []byte(strings.Repeat(fixture(t, "otrf_nxlog.ndjson"), 2000)) // about 18 MB
	capped := writeFile(t, "big.ndjson.gz", string(gzipBytes(t, big)))
	_, sum := ingestFiles(t, Options{MaxDecompressed: 1 << 20}, capped, good)
	if len(sum.Errors) != 1 || sum.Errors[0].Code != CodeTooLarge || !strings.Contains(sum.Errors[0].Error(), "1 MiB decompressed") {
		t.Errorf("size cap: %v", sum.Errors)
	}
	if sum.Events <= 8 || sum.Events > 8+1000 { // what fits in 1 MiB, then the good file
		t.Errorf("size cap: events %d", sum.Events)
	}

	bomb := []byte(sixEvents(t)[0] + "\n" + `{"EventID":1,"Channel":"x","a":"` + strings.Repeat("a", 4<<20) + `"}`)
	path := writeFile(t, "bomb.json.gz", string(gzipBytes(t, bomb)))
	_, sum = ingestFiles(t, Options{ratioFloor: 1 << 20}, path, good)
	if len(sum.Errors) == 0 || sum.Errors[len(sum.Errors)-1].Code != CodeTooLarge ||
		!strings.Contains(sum.Errors[len(sum.Errors)-1].Error(), "compression ratio") || sum.Events != 9 {
		t.Errorf("ratio cap: %v, events %d", sum.Errors, sum.Events)
	}
}

func TestUnsafeName(t *testing.T) {
	for name, want := range map[string]bool{
		"a/b.json": false, "./a.json": false, "a..b.json": false, "..a/b": false,
		"../a": true, "a/../../b": true, `a\..\b`: true, "/etc/x": true, `C:\x`: true, "c:x": true, "a\x00b": true,
	} {
		if got := unsafeName(name); got != want {
			t.Errorf("unsafeName(%q) = %v, want %v", name, got, want)
		}
	}
}
