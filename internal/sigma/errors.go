package sigma

import (
	"fmt"
	"strings"
)

// Stable error codes. Tools and tests match on these, never on messages.
const (
	CodeYAML                = "sigma.yaml"                 // the file is not valid YAML
	CodeMissingField        = "sigma.missing_field"        // a required key is absent
	CodeBadField            = "sigma.bad_field"            // a key has the wrong shape or type
	CodeBadCondition        = "sigma.bad_condition"        // the condition does not parse or names nothing
	CodeUnknownModifier     = "sigma.unknown_modifier"     // not a Sigma modifier
	CodeBadModifier         = "sigma.bad_modifier"         // a modifier used where Sigma forbids it
	CodeUnsupportedModifier = "sigma.unsupported_modifier" // valid Sigma that sleuth cannot translate
	CodeBadValue            = "sigma.bad_value"            // a value a modifier cannot take (bad regex, CIDR, number)
	CodeUnknownPlaceholder  = "sigma.unknown_placeholder"  // |expand names a placeholder the config lacks
	CodeUnmappedLogsource   = "sigma.unmapped_logsource"   // no catalog table for the logsource
	CodeUnmappedField       = "sigma.unmapped_field"       // no column for a field in the rule's table
	CodeBadCorrelation      = "sigma.bad_correlation"      // a correlation rule is malformed
	CodeUnknownRule         = "sigma.unknown_rule"         // a correlation refers to a rule it cannot find
	CodeLimit               = "sigma.limit"                // a size limit was exceeded
	CodeInternal            = "sigma.internal"             // a bug in sleuth
)

// Pos is a 1-based line and column in a rule file. The zero Pos means
// "unknown".
type Pos struct {
	Line, Col int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Col)
}

// Error is one problem with a rule, at a place in its file.
type Error struct {
	Code   string
	File   string // as given to the loader; "" for rules parsed from memory
	RuleID string // the rule's id, when the document has one
	Doc    int    // 0-based YAML document of the file
	Pos    Pos
	Msg    string // lower case, no full stop: what was expected and what was found
	Hint   string // a likely fix, or ""
}

// Error renders FILE:LINE:COL: CODE: message.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Pos.Line > 0 {
		b.WriteString(e.Pos.String())
		b.WriteByte(':')
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Code)
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorCode returns the stable code.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorHint returns the hint.
func (e *Error) ErrorHint() string { return e.Hint }

// ErrorList is every problem found in one file or rule, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
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

// Err returns nil for an empty list, so callers can return it directly.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func errorf(code string, pos Pos, hint, format string, args ...any) *Error {
	return &Error{Code: code, Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint}
}
