package lab

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

func TestCoerce(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 600000, time.FixedZone("x", 3600))
	f := func(v any, ty catalog.Type, want any) {
		t.Helper()
		got, err := coerce(v, ty)
		if err != nil {
			t.Errorf("coerce(%#v, %s): %v", v, ty, err)
			return
		}
		if !cmp.Equal(got, want) {
			t.Errorf("coerce(%#v, %s) = %#v, want %#v", v, ty, got, want)
		}
		if !GoTypeOK(got, ty) {
			t.Errorf("coerce(%#v, %s) = %T, which GoTypeOK rejects", v, ty, got)
		}
	}
	f("x", catalog.String, "x")
	f(42, catalog.String, "42")
	f(true, catalog.String, "true")
	f(json.RawMessage(`{"a":1}`), catalog.String, `{"a":1}`)
	f(at, catalog.String, "2025-01-02T02:04:05.0006Z")
	f(7, catalog.Int, int64(7))
	f(int64(7), catalog.Long, int64(7))
	f("0x1f", catalog.Long, int64(31))
	f(3.0, catalog.Int, int64(3))
	f(2, catalog.Real, 2.0)
	f("1.5", catalog.Real, 1.5)
	f("true", catalog.Bool, true)
	f(at, catalog.Datetime, at.UTC())
	f(time.Second, catalog.Timespan, time.Second)
	f(map[string]int{"a": 1}, catalog.Dynamic, json.RawMessage(`{"a":1}`))
	f(`[1,2]`, catalog.Dynamic, json.RawMessage(`[1,2]`))
	f("plain", catalog.Dynamic, json.RawMessage(`"plain"`))
	f(nil, catalog.Long, nil)
	f(time.Time{}, catalog.Datetime, nil)

	bad := func(v any, ty catalog.Type, want string) {
		t.Helper()
		if _, err := coerce(v, ty); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("coerce(%#v, %s) = %v, want an error containing %q", v, ty, err, want)
		}
	}
	bad(int64(1)<<40, catalog.Int, "overflows int")
	bad(1.5, catalog.Long, "not a whole number")
	bad("x", catalog.Real, "not a number")
	bad("maybe", catalog.Bool, "cannot store")
	bad("2025-01-01", catalog.Datetime, "cannot store")
}

func TestSetRecordsDisagreements(t *testing.T) {
	cat, err := catalog.New([]*catalog.Table{{Name: "T", Columns: []catalog.Column{
		{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "N", Type: catalog.Long}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := newSchema(cat, []string{"T", "Missing"})
	r := s.table("T").row(time.Unix(0, 0))
	r.Set("N", "not a number").Set("Nope", 1).Opt("Type", "T").Opt("AlsoNope", 1)
	s.table("Missing").row(time.Unix(0, 0)).Set("X", 1)
	s.table("Unregistered")
	want := []string{
		"Missing: the catalog has no such table; its rows are skipped",
		"T.N: \"not a number\" is not a number",
		"T.Nope: not in the catalog",
		"Unregistered: not registered in labTables",
	}
	if diff := cmp.Diff(want, s.Problems()); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
