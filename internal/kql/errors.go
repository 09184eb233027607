package kql

import (
	"fmt"
	"strings"
)

// Stable error codes. Tools and tests match on these, never on messages.
const (
	CodeSyntax          = "kql.syntax"
	CodeUnknownTable    = "kql.unknown_table"
	CodeUnknownColumn   = "kql.unknown_column"
	CodeUnknownFunction = "kql.unknown_function"
	CodeTypeMismatch    = "kql.type_mismatch"
	CodeUnsupported     = "kql.unsupported"
	CodePolicy          = "kql.policy" // the guard refused the query
	CodeLimit           = "kql.limit"  // size or nesting limits
	CodeInternal        = "kql.internal"
)

// Error is one problem in a query, at a span of the source.
type Error struct {
	Code string
	Span Span
	Msg  string // lower case, no full stop: what was expected and what was found
	Hint string // a likely fix, or ""
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.Msg
	if e.Hint != "" {
		s += " (hint: " + e.Hint + ")"
	}
	return s
}

// ErrorCode returns the stable code.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorHint returns the hint.
func (e *Error) ErrorHint() string { return e.Hint }

// ErrorList is every problem found in one query, in source order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	if len(l) == 0 {
		return "no errors"
	}
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// ErrorCode returns the code of the first error.
func (l ErrorList) ErrorCode() string {
	if len(l) == 0 {
		return ""
	}
	return l[0].Code
}

// ErrorHint returns the hint of the first error.
func (l ErrorList) ErrorHint() string {
	if len(l) == 0 {
		return ""
	}
	return l[0].Hint
}

// Position converts a byte offset of src to a 1-based line and column
// (the column counts runes).
func Position(src string, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	line = 1 + strings.Count(src[:off], "\n")
	start := strings.LastIndexByte(src[:off], '\n') + 1
	col = 1 + len([]rune(src[start:off]))
	return line, col
}

// Format renders an error as "LINE:COL: CODE: message", the offending source
// line, and a caret under the spot.
func (e *Error) Format(src string) string {
	line, col := Position(src, e.Span.Start)
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d: %s: %s", line, col, e.Code, e.Msg)
	if e.Hint != "" {
		fmt.Fprintf(&b, " (hint: %s)", e.Hint)
	}
	lines := strings.Split(src, "\n")
	if line-1 < len(lines) {
		text := strings.ReplaceAll(lines[line-1], "\t", " ")
		width := 1
		if e.Span.End > e.Span.Start && e.Span.End <= len(src) && !strings.Contains(src[e.Span.Start:e.Span.End], "\n") {
			width = len([]rune(src[e.Span.Start:e.Span.End]))
		}
		fmt.Fprintf(&b, "\n  %s\n  %s%s", text, strings.Repeat(" ", col-1), strings.Repeat("^", width))
	}
	return b.String()
}
