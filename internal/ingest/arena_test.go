package ingest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// TestArenaBoxesAreOrdinaryValues checks that an interface built by the
// arena is indistinguishable from one Go builds, and that it stays intact
// while the arena moves on to new blocks and the collector runs.
func TestArenaBoxesAreOrdinaryValues(t *testing.T) {
	when := time.Date(2026, 11, 23, 10, 4, 5, 123456789, time.UTC)
	tests := []struct {
		name string
		want any
		box  func(a *arena) any
	}{
		{"string", "powershell.exe -enc", func(a *arena) any { return a.str("powershell.exe -enc") }},
		{"empty string", "", func(a *arena) any { return a.str("") }},
		{"time", when, func(a *arena) any { return a.time(when) }},
		{"zero time", time.Time{}, func(a *arena) any { return a.time(time.Time{}) }},
		{"small int", int64(4), func(a *arena) any { return a.int(4) }},
		{"int", int64(4624), func(a *arena) any { return a.int(4624) }},
		{"negative int", int64(-1), func(a *arena) any { return a.int(-1) }},
		{"real", 3.25, func(a *arena) any { return a.real(3.25) }},
		{"json", catalog.JSON(`{"a":1}`), func(a *arena) any { return a.json(catalog.JSON(`{"a":1}`)) }},
	}
	var a arena
	kept := make([]any, 0, len(tests)*3*arenaSlots)
	for round := range 3 * arenaSlots { // several blocks of every kind
		for _, tt := range tests {
			kept = append(kept, tt.box(&a))
			if round%97 == 0 {
				_ = a.text([]byte(strings.Repeat("x", 1000))) // and of bytes
			}
		}
	}
	runtime.GC()
	runtime.GC()
	for i, got := range kept {
		tt := tests[i%len(tests)]
		if !reflect.DeepEqual(got, tt.want) {
			t.Fatalf("%s box %d = %#v, want %#v", tt.name, i, got, tt.want)
		}
		if reflect.TypeOf(got) != reflect.TypeOf(tt.want) {
			t.Fatalf("%s: type %v, want %v", tt.name, reflect.TypeOf(got), reflect.TypeOf(tt.want))
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Fatalf("%s: prints as %v, want %v", tt.name, got, tt.want)
		}
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(tt.want)
		if string(gj) != string(wj) {
			t.Fatalf("%s: marshals as %s, want %s", tt.name, gj, wj)
		}
		if _, isJSON := tt.want.(catalog.JSON); !isJSON && got != tt.want { // slices are not comparable
			t.Fatalf("%s: %v != %v", tt.name, got, tt.want)
		}
		switch v := got.(type) {
		case string, int64, float64, time.Time, catalog.JSON:
		default:
			t.Fatalf("%s: type switch sees %T", tt.name, v)
		}
	}
}

// TestArenaBoxesWithoutArena checks the nil arena: Go's own boxes.
func TestArenaBoxesWithoutArena(t *testing.T) {
	var a *arena
	if got := a.str("x"); got != "x" {
		t.Errorf("str = %v", got)
	}
	if got := a.int(70000); got != int64(70000) {
		t.Errorf("int = %v", got)
	}
	if got := a.text([]byte("a\xffb")); got != "a\uFFFDb" {
		t.Errorf("text = %q", got)
	}
	if got := a.unquote([]byte(`"a\nb"`)); got != "a\nb" {
		t.Errorf("unquote = %q", got)
	}
	if got := a.alloc(10); len(got) != 10 {
		t.Errorf("alloc = %d bytes", len(got))
	}
}

// TestArenaTextKeepsEarlierStrings checks that strings from an arena never
// change when later text is added, across blocks, large values, unquoting
// and invalid UTF-8.
func TestArenaTextKeepsEarlierStrings(t *testing.T) {
	type pair struct{ got, want string }
	var a arena
	var all []pair
	for i := range 20000 {
		raw := fmt.Sprintf("value-%d-%s", i, strings.Repeat("y", i%300))
		switch i % 5 {
		case 0:
			all = append(all, pair{a.text([]byte(raw)), raw})
		case 1:
			lit, _ := json.Marshal(raw + "\t\"é\"")
			all = append(all, pair{a.unquote(lit), raw + "\t\"é\""})
		case 2:
			all = append(all, pair{a.text([]byte(raw + "\xff")), raw + "\uFFFD"})
		case 3:
			big := strings.Repeat(raw, arenaLarge/len(raw)+1)
			all = append(all, pair{a.text([]byte(big)), big})
		case 4:
			lit := []byte(`"` + raw + `\ud800"`) // an unpaired surrogate escape
			all = append(all, pair{a.unquote(lit), raw + "\uFFFD"})
		}
	}
	runtime.GC()
	for i, p := range all {
		if p.got != p.want {
			t.Fatalf("string %d = %q, want %q", i, clip(p.got, 80), clip(p.want, 80))
		}
	}
}

// BenchmarkArenaBox compares boxing a string in the arena with Go's own.
func BenchmarkArenaBox(b *testing.B) {
	s := strings.Repeat("x", 20)
	b.Run("go", func(b *testing.B) {
		b.ReportAllocs()
		vals := make([]any, 1024)
		for i := range b.N {
			vals[i&1023] = s
		}
	})
	b.Run("arena", func(b *testing.B) {
		b.ReportAllocs()
		var a arena
		vals := make([]any, 1024)
		for i := range b.N {
			vals[i&1023] = a.str(s)
		}
	})
}

// TestInternerAnswersLikeTheMap checks the interner's cache of recent names
// against the maps behind it, with names that clash in the cache, names
// that differ only outside the bytes its hash reads, and the empty name.
func TestInternerAnswersLikeTheMap(t *testing.T) {
	names := []string{"", "a", "Image", "UtcTime", "ProcessGuid", "ProcessGUID", "TargetProcessGUID",
		"TargetObject", "NewProcessName", "NewProcessId", "SubjectLogonId"}
	for i := range 40 {
		names = append(names, fmt.Sprintf("WORKSTATION%d.theshire.local", i))
		// 40 bytes: the digits sit where the hash reads nothing.
		names = append(names, fmt.Sprintf("host-aaaaaaaaaa%02d-bbbbbbbbbbbbbbbbbbbbb", i))
	}
	for n := range fidNames {
		names = append(names, fidNames[n])
	}
	var in interner
	for round := range 5 {
		for i := range names {
			name := names[(i*7+round)%len(names)]
			b := []byte(name)
			if got := in.bytes(b); got != name {
				t.Fatalf("bytes(%q) = %q", name, got)
			}
			wantID, wantOK := fidByName[name]
			if id, ok := in.fid(b); id != wantID || ok != wantOK {
				t.Fatalf("fid(%q) = %d, %v; want %d, %v", name, id, ok, wantID, wantOK)
			}
			for j := range b { // the record's bytes are reused
				b[j] = '#'
			}
			if id, ok := in.fid(b); ok && len(b) > 0 {
				t.Fatalf("fid(%q) = %d: the cache kept the record's bytes of %q", b, id, name)
			}
			if got := in.bytes(b); got != string(b) {
				t.Fatalf("bytes(%q) = %q", b, got)
			}
		}
	}
}
