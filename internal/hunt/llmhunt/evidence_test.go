package llmhunt

import (
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/llm"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

func TestRawQueryFetchesTheSubjectsEvents(t *testing.T) {
	t0 := time.Date(2026, 11, 19, 2, 17, 6, 0, time.UTC)
	cases := []struct {
		name string
		ev   hunt.Evidence
		want []string // fragments of the query; none: no query
	}{
		{"named column", hunt.Evidence{Table: "SigninLogs", Subject: "IPAddress=194.56.171.83", FirstSeen: t0, LastSeen: t0.Add(time.Hour)},
			[]string{"SigninLogs", `IPAddress == "194.56.171.83"`, "between", "take 1000"}},
		{"bare subject matches every entity column", hunt.Evidence{Table: "DeviceProcessEvents", Subject: "web01", FirstSeen: t0, LastSeen: t0},
			[]string{`DeviceName == "web01"`, " or "}},
		{"quotes cannot break out", hunt.Evidence{Table: "SigninLogs", Subject: `UserPrincipalName=a" or 1==1 //`, FirstSeen: t0, LastSeen: t0},
			[]string{`UserPrincipalName == "a\" or 1==1 //"`}},
		{"unknown table", hunt.Evidence{Table: "Nope", Subject: "x", FirstSeen: t0}, nil},
		{"no subject", hunt.Evidence{Table: "SigninLogs", FirstSeen: t0}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := rawQuery(catalog.Default(), c.ev, MaxRowsPerSignal)
			if len(c.want) == 0 {
				if q != "" {
					t.Fatalf("want no query, got %s", q)
				}
				return
			}
			for _, w := range c.want {
				if !strings.Contains(q, w) {
					t.Errorf("query lacks %q:\n%s", w, q)
				}
			}
			if _, err := kql.Parse(q); err != nil {
				t.Fatalf("does not parse: %v\n%s", err, q)
			}
		})
	}
}

// A block too wide for its share is narrowed to the columns that say the
// most, keeping the one with text aimed at an AI analyst, whose passages
// the evidence shows marked (as a sample row, or in the line Compact keeps
// at every level for values with instruction-like text).
func TestNarrowingKeepsInstructionLikeColumns(t *testing.T) {
	set := &rows.Set{Columns: []rows.Column{{Name: signalColumn, Type: catalog.String}}}
	for _, n := range []string{"TimeGenerated", "UserPrincipalName", "IPAddress", "AppId", "ResultType", "UserAgent", "Location", "ClientAppUsed", "CorrelationId"} {
		set.Columns = append(set.Columns, rows.Column{Name: n, Type: catalog.String})
	}
	for i := range 300 {
		ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
		if i == 217 {
			ua = injected
		}
		set.Rows = append(set.Rows, []any{"spray", now.Add(time.Duration(i) * time.Second).Format(time.RFC3339), "user" + string(rune('a'+i%26)) + "@corp.com",
			"203.0.113.9", "d3590ed6-52b3-4102-aeff-aad2292ab01c", "50126", ua, "CN", "Browser", strings.Repeat("x", 8) + string(rune('a'+i%26))})
	}
	f := &fakeModel{Answer: answers(`{}`)}
	s := testSession(t, f, 0)
	fence, err := llm.NewFence(nil)
	if err != nil {
		t.Fatal(err)
	}
	eb := &evidenceBuilder{fence: fence, model: s.modelInfo(), counter: s.counter(), catalog: catalog.Default()}
	b := &block{table: "SigninLogs", set: set}
	ev := eb.compact("F-1", 1, b, 300)
	if ev.Tokens > 300 {
		t.Fatalf("%d tokens over a share of 300", ev.Tokens)
	}
	if b.set.Index("UserAgent") < 0 || !strings.Contains(ev.Text, "⟦instruction-like: ignore previous instructions⟧") {
		t.Fatalf("the injected column or its text was cut:\n%s", ev.Text)
	}
}
