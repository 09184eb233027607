package sigma

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// FuzzParseCompile feeds arbitrary YAML to the loader and the compilers.
// Nothing may panic (the compilers turn a panic into sigma.internal, which
// counts as a failure here), every error must point inside the file, and
// every compiled query must print KQL that parses back.
func FuzzParseCompile(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		rules, errs := Parse("fuzz.yml", []byte(src))
		lines := lineCount(src)
		for _, e := range errs {
			checkFuzzError(t, e, lines)
		}
		coll := NewCollection(rules)
		for _, r := range rules {
			var q *kql.Query
			var err error
			if r.Correlation != nil {
				var cc *CompiledCorrelation
				if cc, err = CompileCorrelation(r, coll, Options{}); err == nil {
					q = cc.Query
				}
			} else {
				var c *Compiled
				if c, err = Compile(r, Options{Placeholders: map[string][]string{"P": {"a*", "b"}}}); err == nil {
					q = c.Query
				}
			}
			if err != nil {
				if e, ok := err.(*Error); ok {
					checkFuzzError(t, e, lines)
				}
				continue
			}
			if _, perr := kql.Parse(kql.Print(q)); perr != nil {
				t.Errorf("compiled KQL does not parse: %v\n%s", perr, kql.Print(q))
			}
		}
	})
}

func checkFuzzError(t *testing.T, e *Error, lines int) {
	t.Helper()
	if e.Code == CodeInternal {
		t.Fatalf("internal error: %v", e)
	}
	if e.Pos.Line < 0 || e.Pos.Line > lines || e.Pos.Col < 0 {
		t.Errorf("error %v points outside the %d-line file", e, lines)
	}
	if e.Code == "" || e.Msg == "" {
		t.Errorf("error without code or message: %+v", e)
	}
}

func fuzzSeeds(t testing.TB) []string {
	seeds := []string{
		whoami,
		"title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel: {CommandLine|windash|contains|all: ['-enc', '/c']}\n  condition: sel\n",
		"title: t\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {EventID: 4625, IpAddress|cidr: ['10.0.0.0/8', 'fe80::/10']}\n  kw: ['evil', 'bad*thing']\n  condition: 1 of them\n",
		"title: t\nlogsource: {product: windows, category: registry_set}\ndetection:\n  sel: {TargetObject|startswith: 'HKLM\\System\\CurrentControlSet', Details: 'DWORD (0x00000001)'}\n  condition: all of sel*\n",
		"title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel: {CommandLine|base64offset|contains: 'IEX', User|expand: '%P%', Hashes|contains: 'SHA256=AB'}\n  condition: not sel\n",
		"title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel: {CommandLine|re|i: '^a.*b$', ProcessId|gte: 4, Image|fieldref: ParentImage}\n  condition: sel | count() > 5\n",
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.yml"))
	more, _ := filepath.Glob(filepath.Join("testdata", "goldens", "*", "rule.yml"))
	for _, f := range append(files, more...) {
		if b, err := os.ReadFile(f); err == nil {
			seeds = append(seeds, string(b))
		}
	}
	return seeds
}

// TestFuzzSeeds runs the fuzz target's checks on the seeds in every test
// run, so the property is checked even without -fuzz.
func TestFuzzSeeds(t *testing.T) {
	for _, s := range fuzzSeeds(t) {
		rules, errs := Parse("seed.yml", []byte(s))
		for _, e := range errs {
			checkFuzzError(t, e, lineCount(s))
		}
		for _, r := range rules {
			if r.Correlation == nil {
				if _, err := Compile(r, Options{}); err != nil {
					if e, ok := err.(*Error); ok {
						checkFuzzError(t, e, lineCount(s))
					}
				}
			}
		}
	}
}

// lineCount counts lines as YAML does: \n, \r\n and a lone \r break lines.
func lineCount(s string) int {
	return strings.Count(strings.ReplaceAll(s, "\r\n", "\n"), "\n") + strings.Count(strings.ReplaceAll(s, "\r\n", ""), "\r") + 2
}

// FuzzCondition: the condition parser never panics, error offsets stay in
// the input, and what parses prints back to the same tree.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{"selection and not filter", "1 of sel* or (a and not all of them)", "not not (a)", "a | count() > 5", "2 of x", "((a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseCondition(s)
		if err != nil {
			if ce, ok := err.(*condError); !ok || ce.off < 0 || ce.off > len(s) {
				t.Fatalf("%q: bad error %v", s, err)
			}
			return
		}
		again, err := parseCondition(printCond(n))
		if err != nil || printCond(again) != printCond(n) {
			t.Fatalf("%q printed as %q does not round trip: %v", s, printCond(n), err)
		}
	})
}
