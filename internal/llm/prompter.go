package llm

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Prompt is what the guard asks the analyst when a call needs a decision.
type Prompt struct {
	Estimate Estimate
	// Alternatives are models of the same provider that fit, cheapest first.
	Alternatives []Estimate
	// CanContinue is false when the call cannot succeed as it is (it does
	// not fit the context window or the rate limit).
	CanContinue bool
}

// Choice is the analyst's answer: go on, switch to Model, or (neither)
// abort.
type Choice struct {
	Continue bool
	Model    string
}

// Prompter asks the analyst. Tests drive the guard with their own.
type Prompter interface {
	Choose(ctx context.Context, p Prompt) (Choice, error)
}

// TerminalPrompter asks on a terminal: it writes the options to Out and
// reads one line from In.
type TerminalPrompter struct {
	in  *bufio.Reader
	out io.Writer
}

// NewTerminalPrompter reads answers from in and writes questions to out
// (stderr, so stdout stays data).
func NewTerminalPrompter(in io.Reader, out io.Writer) *TerminalPrompter {
	return &TerminalPrompter{in: bufio.NewReader(in), out: out}
}

// Choose prints the options and reads the answer; end of input or an
// unrecognised answer aborts, the safe default.
func (t *TerminalPrompter) Choose(ctx context.Context, p Prompt) (Choice, error) {
	var opts []string
	if p.CanContinue {
		opts = append(opts, fmt.Sprintf("[c] continue with %s", p.Estimate.Model.Name))
	}
	for i, a := range p.Alternatives {
		opts = append(opts, fmt.Sprintf("[%d] switch to %s (%s)", i+1, a.Model.Name, costText(a.CostUSD, a.CostKnown)))
	}
	opts = append(opts, "[a] abort")
	fmt.Fprintf(t.out, "sleuth: %s\nsleuth: choice? ", strings.Join(opts, "  "))
	line, err := t.readLine(ctx)
	if err != nil {
		return Choice{}, nil
	}
	ans := strings.ToLower(strings.TrimSpace(line))
	switch {
	case (ans == "c" || ans == "y" || ans == "yes") && p.CanContinue:
		return Choice{Continue: true}, nil
	case ans == "" || ans == "a" || ans == "n" || ans == "no":
		return Choice{}, nil
	}
	if n, err := strconv.Atoi(ans); err == nil && n >= 1 && n <= len(p.Alternatives) {
		return Choice{Model: p.Alternatives[n-1].Model.Name}, nil
	}
	fmt.Fprintf(t.out, "sleuth: %q is not one of the choices; not making the call\n", ans)
	return Choice{}, nil
}

// readLine reads one answer, giving up when ctx ends so a prompt can never
// hang a hunt past its deadline.
func (t *TerminalPrompter) readLine(ctx context.Context) (string, error) {
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := t.in.ReadString('\n')
		if err == io.EOF && s != "" {
			err = nil
		}
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
