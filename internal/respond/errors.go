package respond

import (
	"errors"
	"fmt"
)

// Error is a response failure with a stable code:
//
//	respond.not_found          no action with that id
//	respond.state              the action cannot make that transition
//	respond.policy             the response policy forbids the action
//	respond.recommendation     the action is a recommendation; it is never executed
//	respond.ambiguous          several targets match and nobody chose one
//	respond.unknown_target     the connector knows no such host or user
//	respond.failed             the connector ran the action and it failed
//	respond.pending            the action is still running at the connector
//	respond.store              the actions file cannot be read or written
//	respond.config             a bad respond: setting
//	connector.unavailable      a connector is not enabled or not configured
//	connector.unauthorized     the API rejected the credentials (401)
//	connector.forbidden        the credentials lack a permission (403)
//	connector.not_found        the API has no such resource (404)
//	connector.rate_limited     the API kept answering 429
//	connector.unreachable      no answer: the call may or may not have arrived
//	connector.http             any other API failure
type Error struct {
	Code string
	Msg  string
	Hint string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the stable code, for the CLI's exit-code mapping.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorHint returns a suggestion for the user, or "".
func (e *Error) ErrorHint() string { return e.Hint }

func errorf(code, hint, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// Code returns err's stable code, or "".
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
