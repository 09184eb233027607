package lab

import (
	"context"
	"encoding/json"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// small is the configuration most tests generate: big enough for every
// scenario to find its targets, small enough to run in a second or two.
func small(seed uint64) Options {
	return Options{Seed: seed, Days: 3, Hosts: 30, Users: 24, End: time.Date(2025, 11, 12, 9, 7, 17, 0, time.UTC)}
}

type labRun struct {
	sum *Summary
	rec *Recorder
	opt Options
}

var (
	runsMu sync.Mutex
	runs   = map[uint64]*labRun{}
)

// generated runs the small configuration once per seed and shares it.
func generated(t *testing.T, seed uint64) *labRun {
	t.Helper()
	runsMu.Lock()
	defer runsMu.Unlock()
	if r, ok := runs[seed]; ok {
		return r
	}
	opt := small(seed)
	rec := &Recorder{}
	sum, err := Generate(context.Background(), rec, opt)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	r := &labRun{sum, rec, opt}
	runs[seed] = r
	return r
}

// view reads recorded rows by column name.
type view struct {
	t    *catalog.Table
	rows [][]any
	inst []string
}

func (r *labRun) view(t *testing.T, table string) view {
	t.Helper()
	ct, ok := catalog.Default().Table(table)
	if !ok {
		t.Fatalf("catalog has no %s", table)
	}
	rt := r.rec.Get(table)
	if rt == nil {
		t.Fatalf("nothing recorded for %s", table)
	}
	return view{ct, rt.Rows, rt.Instances}
}

func (v view) str(i int, col string) string {
	j := v.t.ColumnIndex(col)
	if j < 0 {
		return ""
	}
	switch x := v.rows[i][j].(type) {
	case string:
		return x
	case json.RawMessage:
		return string(x)
	}
	return ""
}

func (v view) num(i int, col string) int64 {
	j := v.t.ColumnIndex(col)
	if j < 0 {
		return 0
	}
	n, _ := v.rows[i][j].(int64)
	return n
}

func (v view) time(i int, col string) time.Time {
	j := v.t.ColumnIndex(col)
	if j < 0 {
		return time.Time{}
	}
	x, _ := v.rows[i][j].(time.Time)
	return x
}

// of returns the indexes of the rows of an instance.
func (v view) of(id string) []int {
	var out []int
	for i, x := range v.inst {
		if x == id {
			out = append(out, i)
		}
	}
	return out
}

func TestDeterministic(t *testing.T) {
	opt := small(11)
	opt.Days = 1
	digest := func(procs int) map[string]string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rec := &Recorder{DigestOnly: true}
		if _, err := Generate(context.Background(), rec, opt); err != nil {
			t.Fatal(err)
		}
		return rec.Digests()
	}
	a, b := digest(1), digest(4)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("two runs with the same options differ (-first +second):\n%s", diff)
	}
	opt.Seed = 12
	if c := digest(2); cmp.Equal(a, c) {
		t.Fatal("another seed gave identical rows")
	}
}

func TestRowsConformToCatalog(t *testing.T) {
	r := generated(t, 1)
	if len(r.sum.Problems) > 0 {
		t.Fatalf("the lab and the catalog disagree:\n%s", strings.Join(r.sum.Problems, "\n"))
	}
	cat := catalog.Default()
	for _, name := range Tables {
		rt := r.rec.Get(name)
		if rt == nil || len(rt.Rows) == 0 {
			t.Errorf("%s: no rows", name)
			continue
		}
		if !rt.Closed {
			t.Errorf("%s: writer not closed", name)
		}
		ct, _ := cat.Table(name)
		tg := ct.ColumnIndex("TimeGenerated")
		var prev time.Time
		seen := map[string]int{}
		for i, row := range rt.Rows {
			key := string(appendCanonical(nil, row, rt.Instances[i]))
			if j, dup := seen[key]; dup {
				t.Fatalf("%s rows %d and %d are identical", name, j, i)
			}
			seen[key] = i
			if len(row) != len(ct.Columns) {
				t.Fatalf("%s row %d: %d values for %d columns", name, i, len(row), len(ct.Columns))
			}
			for j, v := range row {
				if !GoTypeOK(v, ct.Columns[j].Type) {
					t.Fatalf("%s row %d: %s is %T %v, not a %s", name, i, ct.Columns[j].Name, v, v, ct.Columns[j].Type)
				}
			}
			ts, ok := row[tg].(time.Time)
			if !ok || ts.Before(r.sum.Start) || !ts.Before(r.sum.End) {
				t.Fatalf("%s row %d: TimeGenerated %v outside [%v, %v)", name, i, row[tg], r.sum.Start, r.sum.End)
			}
			if ts.Before(prev) {
				t.Fatalf("%s row %d: rows are not in time order (%v after %v)", name, i, ts, prev)
			}
			prev = ts
		}
		if int64(len(rt.Rows)) != countOf(r.sum, name) {
			t.Errorf("%s: summary says %d rows, %d were written", name, countOf(r.sum, name), len(rt.Rows))
		}
	}
}

func countOf(s *Summary, table string) int64 {
	for _, t := range s.Tables {
		if t.Table == table {
			return t.Rows
		}
	}
	return -1
}

func TestEveryKindHasAnInstance(t *testing.T) {
	r := generated(t, 1)
	got := map[string]bool{}
	for _, in := range r.sum.Instances {
		got[in.Scenario] = true
		// what 'sleuth lab scenarios' says a kind writes is what it writes
		k := kindByName(in.Scenario)
		for _, tb := range in.Tables {
			if !contains(k.Tables, tb) {
				t.Errorf("%s writes %s, which the kind does not list in %v", k.Name, tb, k.Tables)
			}
		}
	}
	attacks, decoys := 0, 0
	for _, k := range Kinds() {
		if !got[k.Name] {
			t.Errorf("no instance of %s", k.Name)
		}
		if k.Decoy {
			decoys++
		} else {
			attacks++
		}
		if len(k.Techniques) == 0 || len(k.Tactics) == 0 || k.Description == "" {
			t.Errorf("%s lacks techniques, tactics or a description", k.Name)
		}
	}
	if attacks < 14 || decoys < 6 {
		t.Errorf("%d attack kinds and %d decoys; want at least 14 and 6", attacks, decoys)
	}
}

func TestTruthWindowsAreTight(t *testing.T) {
	r := generated(t, 1)
	for _, tr := range r.sum.Instances {
		var first, last time.Time
		tables := map[string]bool{}
		n := 0
		for _, name := range Tables {
			v := r.view(t, name)
			for _, i := range v.of(tr.ID) {
				ts := v.time(i, "TimeGenerated")
				if ts.Before(tr.Start) || ts.After(tr.End) {
					t.Errorf("%s: a %s row at %v lies outside [%v, %v]", tr.ID, name, ts, tr.Start, tr.End)
				}
				if n == 0 || ts.Before(first) {
					first = ts
				}
				if ts.After(last) {
					last = ts
				}
				tables[name] = true
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s: no rows", tr.ID)
			continue
		}
		if !first.Equal(tr.Start) || !last.Equal(tr.End) {
			t.Errorf("%s: truth window [%v, %v] is not tight; rows span [%v, %v]", tr.ID, tr.Start, tr.End, first, last)
		}
		var names []string
		for n := range tables {
			names = append(names, n)
		}
		sort.Strings(names)
		if !cmp.Equal(names, tr.Tables) {
			t.Errorf("%s: truth lists tables %v, rows are in %v", tr.ID, tr.Tables, names)
		}
		if len(tr.Users)+len(tr.Hosts)+len(tr.IPs) == 0 {
			t.Errorf("%s: no entities", tr.ID)
		}
		if len(tr.Techniques) == 0 {
			t.Errorf("%s: no techniques", tr.ID)
		}
	}
}

func TestInjectionsAreInTheirRows(t *testing.T) {
	r := generated(t, 1)
	found := 0
	for _, tr := range r.sum.Instances {
		for _, inj := range tr.Injections {
			v := r.view(t, inj.Table)
			ok := false
			for _, i := range v.of(tr.ID) {
				if v.time(i, "TimeGenerated").Equal(inj.Time) && strings.Contains(v.str(i, inj.Column), inj.Text) {
					ok = true
					break
				}
			}
			if !ok {
				t.Errorf("%s: injection %q not found in %s.%s at %v", tr.ID, inj.Text, inj.Table, inj.Column, inj.Time)
			}
			if !strings.Contains(strings.ToLower(inj.Text), "ignore") && !strings.Contains(strings.ToLower(inj.Text), "disregard") && !strings.Contains(inj.Text, "instructions") {
				t.Errorf("%s: %q does not read like an instruction to an AI", tr.ID, inj.Text)
			}
			found++
		}
	}
	if found < 4 {
		t.Errorf("%d injected fields; want them in user agents, command lines, file names and display names", found)
	}
}

func TestSeedsGiveDifferentNames(t *testing.T) {
	a, b := newOrg(101, 40, 30), newOrg(202, 40, 30)
	if a.Name == b.Name || a.Domain == b.Domain || a.ADDomain == b.ADDomain {
		t.Errorf("organisation names repeat: %s/%s/%s and %s/%s/%s", a.Name, a.Domain, a.ADDomain, b.Name, b.Domain, b.ADDomain)
	}
	overlap := func(x, y []string) int {
		set := map[string]bool{}
		for _, s := range x {
			set[s] = true
		}
		n := 0
		for _, s := range y {
			if set[s] {
				n++
			}
		}
		return n
	}
	hosts := func(o *Org) (names, shapes []string) {
		for _, h := range o.Hosts {
			names = append(names, h.Name)
			shapes = append(shapes, shape(h.Name))
		}
		return
	}
	an, as := hosts(a)
	bn, bs := hosts(b)
	if n := overlap(an, bn); n > len(an)/10 {
		t.Errorf("%d of %d host names are the same for two seeds", n, len(an))
	}
	if n := overlap(uniq(as), uniq(bs)); n == len(uniq(as)) {
		t.Errorf("two seeds name hosts with the same schemes: %v", uniq(as))
	}
	upns := func(o *Org) (out []string) {
		for _, u := range o.accounts() {
			out = append(out, u.UPN)
		}
		return
	}
	if n := overlap(upns(a), upns(b)); n > 0 {
		t.Errorf("%d user principal names repeat across seeds", n)
	}
	ips := func(o *Org) (out []string) {
		for _, h := range o.Hosts {
			out = append(out, h.IP)
		}
		for _, s := range o.Sites {
			out = append(out, s.Egress.IP)
		}
		return
	}
	if n := overlap(ips(a), ips(b)); n > len(ips(a))/10 {
		t.Errorf("%d addresses repeat across seeds", n)
	}
}

// shape reduces a name to its scheme: letters become a, digits 9.
func shape(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte('a')
		case c >= '0' && c <= '9':
			b.WriteByte('9')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

func TestSeedsGiveDifferentTargets(t *testing.T) {
	a, b := generated(t, 1), generated(t, 2)
	same := 0
	for i, ta := range a.sum.Instances {
		tb := b.sum.Instances[i]
		if ta.Scenario != tb.Scenario {
			t.Fatalf("instance order differs: %s and %s", ta.Scenario, tb.Scenario)
		}
		if cmp.Equal(ta.Users, tb.Users) && cmp.Equal(ta.Hosts, tb.Hosts) && cmp.Equal(ta.IPs, tb.IPs) {
			same++
		}
		if ta.Start.Equal(tb.Start) {
			t.Errorf("%s starts at the same time for both seeds", ta.Scenario)
		}
	}
	if same > 0 {
		t.Errorf("%d scenario instances have the same entities for two seeds", same)
	}
}

func TestTruthRoundTrip(t *testing.T) {
	r := generated(t, 1)
	path := t.TempDir() + "/truth.jsonl"
	if err := WriteTruthFile(path, r.sum.Instances); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTruth(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.sum.Instances, got); diff != "" {
		t.Fatalf("round trip (-wrote +read):\n%s", diff)
	}
	// the line format is the documented one, keys in order
	var buf strings.Builder
	if err := WriteTruth(&buf, got[:1]); err != nil {
		t.Fatal(err)
	}
	line := buf.String()
	keys := []string{`"id":`, `"scenario":`, `"techniques":`, `"tactics":`, `"hosts":`, `"users":`, `"ips":`, `"start":`, `"end":`, `"tables":`, `"decoy":`}
	at := 0
	for _, k := range keys {
		i := strings.Index(line[at:], k)
		if i < 0 {
			t.Fatalf("truth line lacks %s in order: %s", k, line)
		}
		at += i
	}
}

func TestParseTruthErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		_, err := ParseTruth(strings.NewReader(in), "t.jsonl")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTruth(%q) = %v, want an error containing %q", in, err, want)
		}
		var le *Error
		if err != nil && (!asLabError(err, &le) || le.Code != "lab.truth") {
			t.Errorf("ParseTruth(%q): error %T is not a lab.truth error", in, err)
		}
	}
	good := `{"id":"a-1","scenario":"a","techniques":[],"tactics":[],"hosts":[],"users":[],"ips":[],"start":"2025-01-01T00:00:00Z","end":"2025-01-01T01:00:00Z","tables":[],"decoy":false}`
	f(good+"\n{not json\n", "t.jsonl:2:")
	f(`{"id":"","scenario":"a"}`, "t.jsonl:1: an instance needs an id")
	f(strings.Replace(good, `"end":"2025-01-01T01:00:00Z"`, `"end":"2024-01-01T01:00:00Z"`, 1), "is before start")
	f(strings.Replace(good, `"decoy":false`, `"decoy":false,"extra":1`, 1), "unknown field")
	if got, err := ParseTruth(strings.NewReader(good+"\n\n"+good+"\n"), "t"); err != nil || len(got) != 2 {
		t.Errorf("two good lines with a blank between: %v, %d", err, len(got))
	}
}

func asLabError(err error, target **Error) bool {
	le, ok := err.(*Error)
	if ok {
		*target = le
	}
	return ok
}

func TestOptionErrors(t *testing.T) {
	f := func(mod func(*Options), want, hint string) {
		t.Helper()
		opt := small(1)
		mod(&opt)
		err := Validate(&opt)
		le, ok := err.(*Error)
		if !ok || le.Code != "lab.options" || !strings.Contains(le.Msg, want) || !strings.Contains(le.Hint, hint) {
			t.Errorf("got %v (hint %q), want %q with hint %q", err, errorHintOf(err), want, hint)
		}
	}
	f(func(o *Options) { o.Scenarios = []string{"password-spary"} }, `unknown scenario "password-spary"`, `did you mean "password-spray"`)
	f(func(o *Options) { o.Hosts = 5 }, "hosts must be between", "at least 12 hosts")
	f(func(o *Options) { o.Users = 2 }, "users must be between", "at least 6 people")
	f(func(o *Options) { o.Days = 200 }, "days must be between 1 and 90", "between 1 and 90")
	f(func(o *Options) { o.Scale = 1000 }, "scale must be between", "scale multiplies")
	f(func(o *Options) { o.End = time.Time{} }, "no end time", "end of the window")
	opt := small(1)
	opt.Scenarios = []string{"none"}
	if err := Validate(&opt); err != nil || len(opt.kinds) != 0 {
		t.Errorf("none: %v, %d kinds", err, len(opt.kinds))
	}
	opt.Scenarios = []string{"LSASS-Dump", "rdp-brute-force", "lsass-dump"}
	if err := Validate(&opt); err != nil || len(opt.kinds) != 2 || opt.kinds[0].Name != "rdp-brute-force" {
		t.Errorf("selection is not deduplicated into generation order: %v %v", err, opt.kinds)
	}
}

func errorHintOf(err error) string {
	if le, ok := err.(*Error); ok {
		return le.Hint
	}
	return ""
}

func TestBackgroundOnly(t *testing.T) {
	opt := small(4)
	opt.Days, opt.Scenarios = 1, []string{"none"}
	rec := &Recorder{}
	sum, err := Generate(context.Background(), rec, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Instances) != 0 {
		t.Errorf("%d instances with no scenarios", len(sum.Instances))
	}
	for _, rt := range rec.Tables() {
		for i, id := range rt.Instances {
			if id != "" {
				t.Fatalf("%s row %d belongs to %s", rt.Name, i, id)
			}
		}
	}
	if sum.Rows == 0 {
		t.Error("no background")
	}
}

func TestDynamicColumnsHoldJSON(t *testing.T) {
	r := generated(t, 1)
	v := r.view(t, tSignin)
	for i := range v.rows {
		var loc struct {
			City            string
			CountryOrRegion string `json:"countryOrRegion"`
			Geo             struct {
				Latitude  float64 `json:"latitude"`
				Longitude float64 `json:"longitude"`
			} `json:"geoCoordinates"`
		}
		raw := v.rows[i][v.t.ColumnIndex("LocationDetails")]
		if err := json.Unmarshal(rawBytes(raw), &loc); err != nil || loc.CountryOrRegion == "" || loc.Geo.Latitude == 0 {
			t.Fatalf("row %d: LocationDetails %s: %v", i, rawBytes(raw), err)
		}
		if loc.CountryOrRegion != v.str(i, "Location") {
			t.Fatalf("row %d: LocationDetails country %s, Location %s", i, loc.CountryOrRegion, v.str(i, "Location"))
		}
		var st struct {
			ErrorCode int `json:"errorCode"`
		}
		if err := json.Unmarshal(rawBytes(v.rows[i][v.t.ColumnIndex("Status")]), &st); err != nil {
			t.Fatal(err)
		}
		if rt := v.str(i, "ResultType"); rt != strings.TrimPrefix(jsonInt(st.ErrorCode), "") {
			t.Fatalf("row %d: ResultType %s, Status.errorCode %d", i, rt, st.ErrorCode)
		}
	}
}

func rawBytes(v any) []byte {
	switch x := v.(type) {
	case json.RawMessage:
		return x
	case string:
		return []byte(x)
	}
	return nil
}

func jsonInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestTinyLabsFitTheirWindow runs the smallest labs the options allow, a day
// long, for several seeds: every scenario must still find its targets and
// keep its rows inside the window.
func TestTinyLabsFitTheirWindow(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		opt := Options{Seed: seed, Days: 1, Hosts: MinHosts, Users: MinUsers, End: time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)}
		sum, err := Generate(context.Background(), &Recorder{DigestOnly: true}, opt)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(sum.Problems) > 0 {
			t.Errorf("seed %d:\n%s", seed, strings.Join(sum.Problems, "\n"))
		}
		got := map[string]bool{}
		for _, in := range sum.Instances {
			got[in.Scenario] = true
		}
		for _, k := range Kinds() {
			if !got[k.Name] {
				t.Errorf("seed %d: no instance of %s", seed, k.Name)
			}
		}
	}
}

// nopSink discards rows, so a benchmark measures generation alone.
type nopSink struct{}
type nopTable struct{}

func (nopSink) Table(string) (TableWriter, error) { return nopTable{}, nil }
func (nopTable) Write([]any, string) error        { return nil }
func (nopTable) Close() error                     { return nil }

// BenchmarkGenerate measures generation without a store: a day of the
// default organisation.
func BenchmarkGenerate(b *testing.B) {
	var rows int64
	for i := 0; i < b.N; i++ {
		sum, err := Generate(context.Background(), nopSink{}, Options{Seed: uint64(i + 1), Days: 1, End: small(1).End})
		if err != nil {
			b.Fatal(err)
		}
		rows += sum.Rows
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
}
