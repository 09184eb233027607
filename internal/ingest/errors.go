package ingest

import (
	"fmt"
	"strconv"
)

// Stable error codes. The CLI maps them to exit codes and users grep for them.
const (
	CodeBadRecord     = "ingest.bad_record"     // a record that cannot be decoded or mapped
	CodeUnknownFormat = "ingest.unknown_format" // content that is none of the formats we read
	CodeTooLarge      = "ingest.too_large"      // a record, file or decompressed stream over its cap
	CodeUnsafePath    = "ingest.unsafe_path"    // an archive member whose name escapes the archive
	CodeNoTable       = "ingest.no_table"       // rows without --table and without a Type column
	CodeUnknownTable  = "ingest.unknown_table"  // a table name the catalog does not know
	CodeEmpty         = "ingest.empty_input"    // a file with nothing in it
	CodeRead          = "ingest.read"           // an I/O or decompression failure
	CodeSink          = "ingest.sink"           // the store refused rows
)

// Error is one ingest problem. File and Line locate it when known (Line is
// 1-based; 0 means the whole file). For EVTX files Line is the event record
// number.
type Error struct {
	Code string `json:"code"`
	File string `json:"file"`
	Line int64  `json:"line"`
	Msg  string `json:"message"`
	Hint string `json:"-"`
	Err  error  `json:"-"`
}

func (e *Error) Error() string {
	s := e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.File == "" {
		return s
	}
	if e.Line > 0 {
		return e.File + ":" + strconv.FormatInt(e.Line, 10) + ": " + s
	}
	return e.File + ": " + s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the stable code, for the CLI's exit-code mapping.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorHint returns a suggestion for the user, or "".
func (e *Error) ErrorHint() string { return e.Hint }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// at returns a copy of e located at file:line.
func (e *Error) at(file string, line int64) *Error {
	c := *e
	c.File, c.Line = file, line
	return &c
}

// withHint returns e with a hint set.
func (e *Error) withHint(h string) *Error {
	e.Hint = h
	return e
}
