package source

import (
	"encoding/json"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

func TestFromJSON(t *testing.T) {
	f := func(typ catalog.Type, in, want any) {
		t.Helper()
		got, err := FromJSON(typ, in)
		if err != nil {
			t.Fatalf("%s %v: %v", typ, in, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s %#v (-want +got):\n%s", typ, in, diff)
		}
	}
	f(catalog.Long, 42.0, int64(42))
	f(catalog.Long, json.Number("9223372036854775807"), int64(math.MaxInt64))
	f(catalog.Int, "7", int64(7))
	f(catalog.Real, json.Number("0.5"), 0.5)
	if v, _ := FromJSON(catalog.Real, "NaN"); !math.IsNaN(v.(float64)) {
		t.Errorf("NaN: got %v", v)
	}
	f(catalog.Bool, true, true)
	f(catalog.Bool, 1.0, true)
	f(catalog.Datetime, "2024-05-01T12:00:00.1234567Z", time.Date(2024, 5, 1, 12, 0, 0, 123456700, time.UTC))
	f(catalog.Datetime, "", nil)
	f(catalog.Timespan, "00:01:30", 90*time.Second)
	f(catalog.Timespan, 600000000.0, time.Minute)
	f(catalog.Dynamic, `{"a":[1,"x"]}`, map[string]any{"a": []any{json.Number("1"), "x"}})
	f(catalog.Dynamic, "plain text", "plain text")
	f(catalog.Dynamic, map[string]any{"n": 2.5}, map[string]any{"n": json.Number("2.5")})
	f(catalog.String, 3.0, "3")
	f(catalog.String, map[string]any{"k": "v"}, `{"k":"v"}`)
	f(catalog.GUID, "0b7b7a4e-0000-4000-8000-000000000001", "0b7b7a4e-0000-4000-8000-000000000001")
	f(catalog.Long, nil, nil)

	for _, c := range []struct {
		t catalog.Type
		v any
	}{{catalog.Long, 1.5}, {catalog.Datetime, "yesterday"}, {catalog.Bool, []any{}}, {catalog.Timespan, "1:2"}} {
		if _, err := FromJSON(c.t, c.v); err == nil {
			t.Errorf("%s %v: want an error", c.t, c.v)
		}
	}
}

func TestToJSON(t *testing.T) {
	f := func(typ catalog.Type, in, want any) {
		t.Helper()
		if diff := cmp.Diff(want, ToJSON(typ, in)); diff != "" {
			t.Errorf("%s %#v (-want +got):\n%s", typ, in, diff)
		}
	}
	f(catalog.String, nil, "")
	f(catalog.Long, nil, nil)
	f(catalog.Datetime, time.Date(2024, 5, 1, 12, 0, 0, 5e8, time.UTC), "2024-05-01T12:00:00.5000000Z")
	f(catalog.Timespan, 90*time.Second, "00:01:30")
	f(catalog.Dynamic, map[string]any{"a": "<b>"}, `{"a":"<b>"}`)
	f(catalog.Real, math.Inf(-1), "-Infinity")
	f(catalog.Long, int64(5), int64(5))
}

func TestColumnType(t *testing.T) {
	for in, want := range map[string]catalog.Type{
		"string": catalog.String, "System.DateTime": catalog.Datetime, "Int64": catalog.Long, "Object": catalog.Dynamic,
		"SByte": catalog.Bool, "keyword": catalog.String, "date": catalog.Datetime, "integer": catalog.Int,
		"double": catalog.Real, "ip": catalog.String, "System.Data.SqlTypes.SqlDecimal": catalog.Decimal, "weird": catalog.String,
	} {
		if got := ColumnType(in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}

func TestServiceMessage(t *testing.T) {
	f := func(body, want string) {
		t.Helper()
		if got := ServiceMessage([]byte(body)); got != want {
			t.Errorf("%s: got %q, want %q", body, got, want)
		}
	}
	f(`{"error":{"code":"BadArgumentError","message":"The request had some invalid properties","innererror":{"code":"SemanticError","message":"A semantic error occurred.","innererror":{"code":"SEM0100","message":"Failed to resolve column 'x'"}}}}`,
		"The request had some invalid properties: A semantic error occurred.: Failed to resolve column 'x'")
	f(`{"error":{"code":"Forbidden","message":"Missing role","innerError":{"date":"2024-05-01","request-id":"r"}}}`, "Missing role")
	f(`{"error":{"root_cause":[],"type":"verification_exception","reason":"Found 1 problem\nline 1:1: Unknown index [x]"},"status":400}`,
		"verification_exception: Found 1 problem line 1:1: Unknown index [x]")
	f(`{"error":"plain"}`, "plain")
	f(`not json`, "not json")
	f(`{"other":1}`, `{"other":1}`)
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	f := func(h http.Header, want time.Duration) {
		t.Helper()
		if got := RetryAfter(h, now); got != want {
			t.Errorf("%v: got %v, want %v", h, got, want)
		}
	}
	f(http.Header{"Retry-After": {"30"}}, 30*time.Second)
	f(http.Header{"Retry-After": {"Wed, 01 May 2024 12:01:00 GMT"}}, time.Minute)
	f(http.Header{"Retry-After-Ms": {"250"}}, 250*time.Millisecond)
	f(http.Header{"Retry-After": {"soon"}}, 0)
	f(nil, 0)
}
