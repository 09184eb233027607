package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// jsonSplitter cuts a JSON stream into records without decoding them, so the
// expensive decoding can run on several goroutines. It reads:
//   - NDJSON (one object a line), cut with a fast newline search;
//   - concatenated or pretty-printed objects (evtx_dump output) and JSON
//     arrays of objects, cut by a small state machine that tracks strings and
//     nesting.
//
// The mode is chosen from the first record: a first object that ends on its
// own line means NDJSON. A record over maxRecord bytes is skipped (reported
// as ingest.too_large) without ever being held in memory.
type jsonSplitter struct {
	r         *bufio.Reader
	maxRecord int
	line      int64 // lines consumed so far
	mode      int
	started   bool

	// stream-mode state
	depth       int
	inStr       bool
	escaped     bool
	inArray     bool
	arrDone     bool
	rec         []byte // the record being assembled (stream mode)
	recLine     int64
	recSkip     bool // the open record passed maxRecord and is being skipped
	pending     []byte
	atLineStart bool
	sawRecord   bool
}

const (
	modeLines = iota + 1
	modeStream
)

func newJSONSplitter(r *bufio.Reader, maxRecord int) *jsonSplitter {
	return &jsonSplitter{r: r, maxRecord: maxRecord}
}

// fill appends records to c until it holds about chunkBytes of data. It
// returns io.EOF once the input is exhausted and c received nothing.
func (s *jsonSplitter) fill(c *chunk, chunkBytes int) error {
	if !s.started {
		s.started = true
		s.mode = s.detectMode()
	}
	start := len(c.recs)
	for len(c.buf) < chunkBytes && len(c.recs)-start < maxChunkRecords {
		var err error
		if s.mode == modeLines {
			err = s.nextLine(c)
		} else {
			err = s.nextStream(c)
		}
		if err == io.EOF {
			if len(c.recs) > start {
				return nil
			}
			return io.EOF
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// detectMode looks at the first record: '[' means an array, an object that
// closes before the first newline means NDJSON.
func (s *jsonSplitter) detectMode() int {
	for n := 4096; ; n *= 4 {
		b, err := s.r.Peek(n)
		i := 0
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i < len(b) && b[i] != '{' {
			return modeStream
		}
		if i < len(b) {
			if end, ok := scanObjectEnd(b[i:]); ok {
				if bytes.IndexByte(b[i:i+end], '\n') < 0 {
					return modeLines
				}
				return modeStream
			}
			if nl := bytes.IndexByte(b[i:], '\n'); nl >= 0 {
				return modeStream // the first object spans lines
			}
		}
		if err != nil || n >= s.r.Size() {
			return modeLines // one huge or truncated first line: lines mode copes with both
		}
	}
}

// scanObjectEnd returns the length of the object starting at b[0] if it ends
// within b.
func scanObjectEnd(b []byte) (int, bool) {
	depth, inStr, esc := 0, false, false
	for i, c := range b {
		switch {
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// nextLine reads one line as one record (blank lines are skipped).
func (s *jsonSplitter) nextLine(c *chunk) error {
	for {
		start := len(c.buf)
		s.line++
		line := s.line
		tooLong := false
		for {
			part, err := s.r.ReadSlice('\n')
			if !tooLong {
				if len(c.buf)-start+len(part) > s.maxRecord {
					tooLong = true
					c.buf = c.buf[:start]
				} else {
					c.buf = append(c.buf, part...)
				}
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil && err != io.EOF {
				c.buf = c.buf[:start]
				return readError(err)
			}
			if tooLong {
				c.add(rawRecord{line: line, err: tooLargeRecord(s.maxRecord)})
				break
			}
			data := bytes.TrimSpace(c.buf[start:])
			if len(data) == 0 {
				c.buf = c.buf[:start]
				if err == io.EOF {
					return io.EOF
				}
				break
			}
			c.recs = append(c.recs, rawRecord{line: line, data: data})
			return nil
		}
		if tooLong {
			return nil
		}
	}
}

// nextStream feeds bytes to the state machine until one record is complete
// (or an error between records is found).
func (s *jsonSplitter) nextStream(c *chunk) error {
	for {
		if len(s.pending) == 0 {
			if s.arrDone {
				return s.drainAfterArray(c)
			}
			part, err := s.r.ReadSlice('\n')
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				if err != io.EOF {
					return readError(err)
				}
				if len(part) == 0 {
					return s.finishStream(c)
				}
			}
			newLine := s.atLineStart
			s.take(part)
			if newLine && s.depth > 0 && !s.inStr && part[0] == '{' {
				// Pretty printers indent nested objects, so a brace in the
				// first column starts the next record: the open one was cut.
				c.add(rawRecord{line: s.recLine, err: errorf(CodeBadRecord, "truncated JSON object (a new record starts on line %d before it closed)", s.line)})
				s.resetRecord()
			}
		}
		if done := s.stream(c); done {
			return nil
		}
	}
}

// take makes part the pending input and keeps the line count.
func (s *jsonSplitter) take(part []byte) {
	if s.atLineStart || s.line == 0 {
		s.line++
	}
	s.atLineStart = len(part) > 0 && part[len(part)-1] == '\n'
	s.pending = part
}

// stream consumes s.pending; it reports true when a record or an error was
// added to c.
func (s *jsonSplitter) stream(c *chunk) bool {
	b := s.pending
	from := 0 // where the open record's bytes start in b
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if s.depth == 0 {
			switch {
			case isSpace(ch):
				continue
			case ch == '[' && !s.inArray && !s.sawRecord:
				s.inArray = true
				continue
			case ch == ',' && s.inArray:
				continue
			case ch == ']' && s.inArray:
				s.arrDone = true
				s.pending = b[i+1:]
				return false
			case ch == '{':
				s.depth, s.recLine, s.sawRecord, from = 1, s.line, true, i
				continue
			}
			s.pending = nil // resynchronise at the next line
			c.add(rawRecord{line: s.line, err: errorf(CodeBadRecord, "expected a JSON object, found %s", quoteByte(ch))})
			return true
		}
		if s.inStr {
			switch {
			case s.escaped:
				s.escaped = false
			case ch == '\\':
				s.escaped = true
			case ch == '"':
				s.inStr = false
			}
		} else {
			switch ch {
			case '"':
				s.inStr = true
			case '{', '[':
				s.depth++
			case '}', ']':
				s.depth--
			}
		}
		if s.depth == 0 {
			s.appendRec(b[from : i+1])
			s.pending = b[i+1:]
			s.emit(c)
			return true
		}
	}
	if s.depth > 0 {
		s.appendRec(b[from:])
	}
	s.pending = nil
	return false
}

// appendRec adds bytes to the open record unless it is being skipped.
func (s *jsonSplitter) appendRec(b []byte) {
	if s.recSkip {
		return
	}
	if len(s.rec)+len(b) > s.maxRecord {
		s.recSkip = true
		s.rec = s.rec[:0]
		return
	}
	s.rec = append(s.rec, b...)
}

func (s *jsonSplitter) emit(c *chunk) {
	if s.recSkip {
		c.add(rawRecord{line: s.recLine, err: tooLargeRecord(s.maxRecord)})
	} else {
		start := len(c.buf)
		c.buf = append(c.buf, s.rec...)
		c.recs = append(c.recs, rawRecord{line: s.recLine, data: c.buf[start:]})
	}
	s.resetRecord()
}

func (s *jsonSplitter) resetRecord() {
	s.depth, s.inStr, s.escaped, s.recSkip = 0, false, false, false
	s.rec = s.rec[:0]
	if cap(s.rec) > 1<<20 {
		s.rec = nil // do not pin one huge record's buffer
	}
}

// finishStream handles end of input: an open record was truncated.
func (s *jsonSplitter) finishStream(c *chunk) error {
	if s.depth > 0 {
		c.add(rawRecord{line: s.recLine, err: errorf(CodeBadRecord, "truncated JSON object at the end of the input")})
		s.resetRecord()
		return nil
	}
	if s.inArray && !s.arrDone {
		s.arrDone = true
		c.add(rawRecord{line: s.line, err: errorf(CodeBadRecord, "JSON array not closed at the end of the input (truncated?)")})
		return nil
	}
	return io.EOF
}

// drainAfterArray accepts only whitespace after a top-level array.
func (s *jsonSplitter) drainAfterArray(c *chunk) error {
	for {
		b := s.pending
		for _, ch := range b {
			if !isSpace(ch) {
				s.pending = nil
				_, _ = s.r.Discard(s.r.Buffered())
				_, _ = io.Copy(io.Discard, s.r)
				c.add(rawRecord{line: s.line, err: errorf(CodeBadRecord, "unexpected %s after the end of the JSON array", quoteByte(ch))})
				return nil
			}
		}
		part, err := s.r.ReadSlice('\n')
		if len(part) == 0 && err != nil {
			if err == io.EOF {
				return io.EOF
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return readError(err)
			}
		}
		s.take(part)
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return "byte 0x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
}

func tooLargeRecord(max int) *Error {
	return errorf(CodeTooLarge, "record longer than %d MiB skipped", max>>20).
		withHint("raise the cap with --max-record if such records are expected")
}

func readError(err error) error {
	var ie *Error
	if errors.As(err, &ie) {
		return ie
	}
	return &Error{Code: CodeRead, Msg: "read failed", Err: err}
}
