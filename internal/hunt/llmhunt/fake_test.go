package llmhunt

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/llm"
	"github.com/sleuth-hunt/sleuth/internal/llm/llmtest"
)

const testModel = "gpt-4.1-mini"

// fakeModel answers the tests' requests.
type fakeModel = llmtest.Model

// answers replies with the given texts in turn, the last one repeating.
func answers(texts ...string) func(int, llm.Request) (string, llm.FinishReason) {
	return func(n int, _ llm.Request) (string, llm.FinishReason) {
		return texts[min(n, len(texts)-1)], ""
	}
}

// testSession wires a fake into a guarded client as NewClient does for a
// real provider, with no retries and no waiting.
func testSession(t *testing.T, f *fakeModel, maxCost float64) *Session {
	t.Helper()
	c := llm.NewClient(f, llm.Settings{Spec: llm.Spec{Provider: llm.ProviderOpenAI, Model: testModel}, MaxCostUSD: maxCost,
		Tier: 1, Timeout: 2 * time.Second, MaxRetries: 0})
	c.Sleep = func(context.Context, time.Duration) error { return nil }
	return NewSession(c, testModel)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
