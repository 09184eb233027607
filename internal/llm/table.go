package llm

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// RenderTable writes the pre-call estimate for stderr: the model the call
// will use (marked *) and cheaper alternatives that fit, with each one's
// input limit, rate limit, output cap and worst-case cost.
func RenderTable(w io.Writer, purpose string, cur Estimate, alts []Estimate) {
	what := "LLM call"
	if purpose != "" {
		what += " (" + purpose + ")"
	}
	kind := "counted"
	if !cur.Input.Exact {
		kind = fmt.Sprintf("estimated, ×%.2f margin", cur.Model.factor())
	}
	fmt.Fprintf(w, "sleuth: %s: %s input tokens (%s), up to %s output tokens\n",
		what, thousands(cur.Input.Tokens), kind, thousands(cur.MaxOutput))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "    model\tinput limit\trate limit\tout_max\test_cost")
	row := func(mark string, e Estimate) {
		fmt.Fprintf(tw, "  %s %s\t%s\t%s\t%s\t%s\n", mark, e.Model.Name, inputLimit(e), rateLimit(e), orUnknown(e.Model.MaxOutput), costText(e.CostUSD, e.CostKnown))
	}
	row("*", cur)
	for _, a := range alts {
		row(" ", a)
	}
	tw.Flush()
}

// inputLimit is what is left of the context window for the prompt once the
// requested output is reserved.
func inputLimit(e Estimate) string {
	if e.Model.Context <= 0 {
		return "?"
	}
	return thousands(max(e.Model.Context-e.MaxOutput, 0))
}

func rateLimit(e Estimate) string {
	if e.TPM <= 0 {
		return "?"
	}
	return thousands(e.TPM) + " TPM"
}

func orUnknown(n int) string {
	if n <= 0 {
		return "?"
	}
	return thousands(n)
}

func costText(usd float64, known bool) string {
	switch {
	case !known:
		return "?"
	case usd == 0:
		return "free"
	case usd < 0.0001:
		return "<$0.0001"
	}
	return fmt.Sprintf("$%.4f", usd)
}

// thousands formats n with comma separators: 1047576 → 1,047,576.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
