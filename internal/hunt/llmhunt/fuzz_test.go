package llmhunt

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// FuzzAnalystAnswer feeds arbitrary model answers to the analyst: whatever
// comes back, nothing panics, no finding disappears, no severity or entity
// changes, and confidence moves at most MaxConfidenceShift.
func FuzzAnalystAnswer(f *testing.F) {
	f.Add(`{"findings":[{"id":"F-1","verdict":"dismiss","reasons":["ok"],"title":"t","description":"d","confidence":"Low","tactic":"","technique":"","sub_technique":"","technique_id":"T1110.003","log_lines":["1.1"],"iocs":[{"type":"ip","value":"203.0.113.9"}],"tags":[],"recommendations":["isolate DC01"],"notes":""}]}`)
	f.Add(`{"findings":[{"id":"F-2","verdict":"escalate","confidence":"High","log_lines":["9.9","1.-1","x"],"technique_id":"T9999"}]}`)
	f.Add(`{"findings": "all benign"}`)
	f.Add("not json at all")
	f.Fuzz(func(t *testing.T, answer string) {
		m := &fakeModel{Answer: func(int, llm.Request) (string, llm.FinishReason) { return answer, "" }}
		r := testReport()
		before := testReport()
		_ = (&Analyst{S: testSession(t, m, 0)}).Analyse(context.Background(), r)
		if len(r.Findings) != len(before.Findings) {
			t.Fatalf("%d findings, want %d", len(r.Findings), len(before.Findings))
		}
		for i, f := range r.Findings {
			b := before.Findings[i]
			if f.ID != b.ID || f.Severity != b.Severity || !slices.Equal(f.Entities.Users, b.Entities.Users) ||
				!slices.Equal(f.Entities.Hosts, b.Entities.Hosts) || !slices.Equal(f.Entities.IPs, b.Entities.IPs) {
				t.Fatalf("%s changed", b.ID)
			}
			if d := math.Abs(f.Confidence - b.Confidence); d > MaxConfidenceShift+1e-9 {
				t.Fatalf("%s: confidence moved %.3f", f.ID, d)
			}
		}
	})
}
