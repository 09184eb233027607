package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit codes. Every command returns through exitCode, so these are the only
// codes sleuth ever exits with.
const (
	ExitOK        = 0 // success
	ExitFailed    = 1 // the command ran and failed: unreadable input, nothing ingested, a check that did not pass
	ExitUsage     = 2 // bad flags or arguments
	ExitQuery     = 3 // a query, rule or plan did not parse, check or compile
	ExitConnector = 4 // a data source, store, connector or credential was unavailable
	ExitInternal  = 5 // a bug in sleuth
)

// coded errors carry a stable code such as kql.syntax or store.locked.
type coded interface{ ErrorCode() string }

// hinted errors carry a suggestion for the user.
type hinted interface{ ErrorHint() string }

// exitCode maps an error to the process exit code by its stable code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ex *exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	code := errorCode(err)
	switch {
	case code == "":
		return ExitFailed
	case code == "usage":
		return ExitUsage
	case code == "internal" || strings.HasSuffix(code, ".internal"):
		return ExitInternal
	case hasAnyPrefix(code, "kql.", "sigma.", "guard.", "plan.", "rules.", "esql."):
		return ExitQuery
	case code == "store.locked" || code == "store.open" || hasAnyPrefix(code, "source.", "auth.", "connector.", "llm."):
		return ExitConnector
	}
	return ExitFailed
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func errorCode(err error) string {
	var c coded
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

func errorHint(err error) string {
	var h hinted
	if errors.As(err, &h) {
		return h.ErrorHint()
	}
	return ""
}

// report writes err to stderr as "sleuth: error: …" with a hint line when
// one is known. Errors that already printed their details (exitError with
// silent set) print nothing more.
func report(w io.Writer, err error) {
	var ex *exitError
	if errors.As(err, &ex) && ex.silent {
		return
	}
	msg := err.Error()
	for i, line := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		if i == 0 {
			fmt.Fprintf(w, "sleuth: error: %s\n", line)
		} else {
			fmt.Fprintf(w, "sleuth:   %s\n", line)
		}
	}
	if h := errorHint(err); h != "" {
		fmt.Fprintf(w, "sleuth: hint: %s\n", h)
	}
}

// usageError is a mistake in flags or arguments (exit 2).
type usageError struct {
	msg  string
	hint string
}

func (e *usageError) Error() string     { return e.msg }
func (e *usageError) ErrorCode() string { return "usage" }
func (e *usageError) ErrorHint() string { return e.hint }

func usagef(hint, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), hint: hint}
}

// exitError ends a command with a chosen exit code. With silent set the
// command has already explained itself on stderr.
type exitError struct {
	code   int
	silent bool
	err    error
}

func (e *exitError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit %d", e.code)
}

func (e *exitError) Unwrap() error { return e.err }

// silentExit ends the command with code after it has reported on its own.
func silentExit(code int) error { return &exitError{code: code, silent: true} }

// codedError gives an error without a code one, so it maps to an exit code
// and a hint.
type codedError struct {
	code string
	hint string
	err  error
}

func (e *codedError) Error() string     { return e.err.Error() }
func (e *codedError) Unwrap() error     { return e.err }
func (e *codedError) ErrorCode() string { return e.code }
func (e *codedError) ErrorHint() string { return e.hint }

func withCode(code, hint string, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, hint: hint, err: err}
}
