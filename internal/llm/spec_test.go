package llm

import "testing"

func TestParse(t *testing.T) {
	ok := func(in, provider, model string) {
		t.Helper()
		s, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if s.Provider != provider || s.Model != model {
			t.Fatalf("Parse(%q) = %+v, want %s:%s", in, s, provider, model)
		}
		if again, err := Parse(s.String()); err != nil || again != s {
			t.Fatalf("round trip of %q: %+v %v", in, again, err)
		}
	}
	ok("", "none", "")
	ok("none", "none", "")
	ok("NONE", "none", "")
	ok("openai:gpt-4.1", "openai", "gpt-4.1")
	ok(" OpenAI : gpt-4.1-mini ", "openai", "gpt-4.1-mini")
	ok("azure:prod-gpt41", "azure", "prod-gpt41")
	ok("anthropic:claude-sonnet-5-5", "anthropic", "claude-sonnet-5-5")
	ok("ollama:llama3.1:8b", "ollama", "llama3.1:8b")

	bad := func(in, wantCode string) {
		t.Helper()
		_, err := Parse(in)
		if CodeOf(err) != wantCode {
			t.Fatalf("Parse(%q) error %v, want code %s", in, err, wantCode)
		}
		if e, _ := AsError(err); e.ErrorHint() == "" {
			t.Fatalf("Parse(%q): error without a hint", in)
		}
	}
	bad("openai", CodeConfig)
	bad("openai:", CodeConfig)
	bad("azure", CodeConfig)
	bad("gemini:pro", CodeConfig)
	bad("none:x", CodeConfig)
}
