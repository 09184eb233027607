package respond

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Prompter asks the analyst. The terminal implementation reads answers from
// stdin; tests script the answers.
type Prompter interface {
	// Confirm asks a yes/no question; the default is no.
	Confirm(ctx context.Context, question string) (bool, error)
	// Choose asks for one of options and returns its index, or -1 when the
	// analyst declines to choose.
	Choose(ctx context.Context, question string, options []string) (int, error)
	// ConfirmName asks the analyst to type name, the second confirmation
	// for a protected asset.
	ConfirmName(ctx context.Context, question, name string) (bool, error)
}

// TerminalPrompter asks on w and reads answers from r, a line each.
type TerminalPrompter struct {
	in  *bufio.Reader
	out io.Writer
}

// NewTerminalPrompter returns a prompter reading answers from r and
// writing questions to w (stderr: stdout carries data only).
func NewTerminalPrompter(r io.Reader, w io.Writer) *TerminalPrompter {
	return &TerminalPrompter{in: bufio.NewReader(r), out: w}
}

func (p *TerminalPrompter) answer(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	line, err := p.in.ReadString('\n')
	if err != nil && line == "" {
		if err == io.EOF {
			return "", nil
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// Confirm implements Prompter.
func (p *TerminalPrompter) Confirm(ctx context.Context, question string) (bool, error) {
	fmt.Fprintf(p.out, "%s [y/N] ", question)
	s, err := p.answer(ctx)
	if err != nil {
		return false, err
	}
	s = strings.ToLower(s)
	return s == "y" || s == "yes", nil
}

// Choose implements Prompter.
func (p *TerminalPrompter) Choose(ctx context.Context, question string, options []string) (int, error) {
	fmt.Fprintln(p.out, question)
	for i, o := range options {
		fmt.Fprintf(p.out, "  %d) %s\n", i+1, o)
	}
	fmt.Fprintf(p.out, "number, or Enter for none: ")
	s, err := p.answer(ctx)
	if err != nil {
		return -1, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > len(options) {
		return -1, nil
	}
	return n - 1, nil
}

// ConfirmName implements Prompter.
func (p *TerminalPrompter) ConfirmName(ctx context.Context, question, name string) (bool, error) {
	fmt.Fprintf(p.out, "%s\ntype %q to confirm: ", question, name)
	s, err := p.answer(ctx)
	if err != nil {
		return false, err
	}
	return strings.EqualFold(s, name), nil
}
