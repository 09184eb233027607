package kql

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// checkParse parses in, checks that it prints as want, that the printed
// text parses back to the same tree, and that every span is sound.
func checkParse(t *testing.T, in, want string) {
	t.Helper()
	q, err := Parse(in)
	if err != nil {
		t.Errorf("Parse(%q): %v", in, err)
		return
	}
	if got := Print(q); got != want {
		t.Errorf("Parse(%q) prints\n  %s\nwant\n  %s", in, got, want)
	}
	if msg := roundTrip(q); msg != "" {
		t.Errorf("Parse(%q): %s", in, msg)
	}
	if msg := checkSpans(q, len(in)); msg != "" {
		t.Errorf("Parse(%q): %s", in, msg)
	}
}

// checkError parses in and checks the first error's code, line:col and a
// message substring.
func checkError(t *testing.T, in, code, pos, msg string) *Error {
	t.Helper()
	_, err := Parse(in)
	if err == nil {
		t.Errorf("Parse(%q) succeeded, want %s at %s", in, code, pos)
		return nil
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Errorf("Parse(%q) returned %T %v, want an ErrorList", in, err, err)
		return nil
	}
	e := list[0]
	line, col := Position(in, e.Span.Start)
	if got := fmt.Sprintf("%d:%d", line, col); e.Code != code || got != pos || !strings.Contains(e.Msg, msg) {
		t.Errorf("Parse(%q) = %s at %s %q, want %s at %s containing %q", in, e.Code, got, e.Msg, code, pos, msg)
	}
	if e.Span.End < e.Span.Start || e.Span.End > len(in) {
		t.Errorf("Parse(%q): error span %v outside the input", in, e.Span)
	}
	return e
}

// checkSpans verifies that every node's span lies within the input, is not
// empty, and lies within its parent's span.
func checkSpans(root Node, size int) string {
	var bad string
	var visit func(n Node, parent Span)
	visit = func(n Node, parent Span) {
		sp := n.NodeSpan()
		_, isQuery := n.(*Query)
		switch {
		case bad != "":
			return
		case sp.Start < 0 || sp.End > size || sp.Start > sp.End:
			bad = fmt.Sprintf("%T has span %v outside the input of %d bytes", n, sp, size)
		case sp.Start == sp.End && !isQuery:
			bad = fmt.Sprintf("%T has an empty span %v", n, sp)
		case sp.Start < parent.Start || sp.End > parent.End:
			bad = fmt.Sprintf("%T span %v is outside its parent's %v", n, sp, parent)
		}
		for _, c := range Children(n) {
			visit(c, sp)
		}
	}
	visit(root, Span{0, size})
	return bad
}

func fmtPos(line, col int) string { return fmt.Sprintf("%d:%d", line, col) }

func typeName(n Node) string { return fmt.Sprintf("%T", n) }
