package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// csvSplitter cuts CSV (or TSV, or ';'-separated) text into logical records:
// a quoted field may hold line breaks, so a record can span lines. It reads
// the header itself; records are parsed into fields by the decoders.
//
// The reader is lenient the way spreadsheet exports need (a stray quote
// inside an unquoted field is kept as text) and bounded: a record over
// maxRecord bytes is skipped as ingest.too_large, so an unbalanced quote
// cannot swallow the rest of a file into memory.
type csvSplitter struct {
	r         *bufio.Reader
	maxRecord int
	delim     byte
	line      int64
	header    []string
	rec       []byte
}

func newCSVSplitter(r *bufio.Reader, maxRecord int) *csvSplitter {
	return &csvSplitter{r: r, maxRecord: maxRecord}
}

// readHeader reads the first record and picks the delimiter from it.
func (s *csvSplitter) readHeader() ([]string, error) {
	for {
		line, rec, err := s.next()
		if err != nil {
			if err == io.EOF {
				return nil, errorf(CodeEmpty, "no header row")
			}
			return nil, err
		}
		if rec.err != nil {
			return nil, rec.err.at("", line)
		}
		if len(bytes.TrimSpace(rec.data)) == 0 {
			continue
		}
		s.delim = sniffDelimiter(rec.data)
		s.header = splitCSV(rec.data, s.delim, nil, nil) // kept: not from an arena
		return s.header, nil
	}
}

// sniffDelimiter picks the most frequent of ',', '\t', ';' and '|' outside
// quotes in the header line.
func sniffDelimiter(head []byte) byte {
	counts := map[byte]int{}
	inQ := false
	for _, c := range head {
		switch {
		case c == '"':
			inQ = !inQ
		case !inQ && (c == ',' || c == '\t' || c == ';' || c == '|'):
			counts[c]++
		}
	}
	best, bestN := byte(','), 0
	for _, c := range []byte{',', '\t', ';', '|'} {
		if counts[c] > bestN {
			best, bestN = c, counts[c]
		}
	}
	return best
}

// fill appends records to c until it holds about chunkBytes of data.
func (s *csvSplitter) fill(c *chunk, chunkBytes int) error {
	start := len(c.recs)
	for len(c.buf) < chunkBytes && len(c.recs)-start < maxChunkRecords {
		line, rec, err := s.next()
		if err == io.EOF {
			if len(c.recs) > start {
				return nil
			}
			return io.EOF
		}
		if err != nil {
			return err
		}
		if rec.err != nil {
			c.add(rawRecord{line: line, err: rec.err})
			continue
		}
		if len(bytes.TrimSpace(rec.data)) == 0 {
			continue
		}
		off := len(c.buf)
		c.buf = append(c.buf, rec.data...)
		c.recs = append(c.recs, rawRecord{line: line, data: c.buf[off:]})
	}
	return nil
}

// next reads one logical record; its data aliases s.rec until the next call.
func (s *csvSplitter) next() (int64, rawRecord, error) {
	s.rec = s.rec[:0]
	first := s.line + 1
	q := quoteState{fieldStart: true}
	skipping := false
	for {
		part, err := s.r.ReadSlice('\n')
		if len(part) > 0 && (part[len(part)-1] == '\n' || err == io.EOF) {
			s.line++
		}
		q.feed(part, s.delimOrComma())
		if !skipping {
			if len(s.rec)+len(part) > s.maxRecord {
				skipping = true
				s.rec = s.rec[:0]
			} else {
				s.rec = append(s.rec, part...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return first, rawRecord{}, readError(err)
		}
		if err == io.EOF && len(s.rec) == 0 && !skipping && len(part) == 0 {
			return first, rawRecord{}, io.EOF
		}
		if q.open() && err != io.EOF {
			continue // a line break inside a quoted field
		}
		switch {
		case skipping:
			return first, rawRecord{err: tooLargeRecord(s.maxRecord)}, nil
		case q.open():
			return first, rawRecord{err: errorf(CodeBadRecord, "quoted field not closed at the end of the input (truncated?)")}, nil
		}
		return first, rawRecord{data: trimEOL(s.rec)}, nil
	}
}

// quoteState follows RFC 4180 quoting across the lines of one record: a
// quote opens a quoted field only at the start of a field, and a doubled
// quote inside one is text.
type quoteState struct {
	fieldStart, inQuotes, afterQuote bool
}

func (q *quoteState) feed(b []byte, delim byte) {
	for _, c := range b {
		if q.inQuotes {
			switch {
			case q.afterQuote && c == '"':
				q.afterQuote = false // a doubled quote
				continue
			case q.afterQuote:
				q.inQuotes, q.afterQuote = false, false // the field closed; c is outside it
			case c == '"':
				q.afterQuote = true
				continue
			default:
				continue
			}
		}
		if c == '"' && q.fieldStart {
			q.inQuotes, q.fieldStart = true, false
			continue
		}
		q.fieldStart = c == delim || c == '\n'
	}
}

// open reports whether a quoted field is still open.
func (q *quoteState) open() bool { return q.inQuotes && !q.afterQuote }

// delimOrComma is the delimiter, or ',' while the header is being read (the
// header's quoting does not depend on which separator wins).
func (s *csvSplitter) delimOrComma() byte {
	if s.delim == 0 {
		return ','
	}
	return s.delim
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// splitCSV splits one logical record into fields, resolving quotes. The
// fields alias nothing: they are new strings (valid UTF-8).
func splitCSV(rec []byte, delim byte, dst []string, mem *arena) []string {
	dst = dst[:0]
	var field []byte
	i := 0
	for {
		field = field[:0]
		if i < len(rec) && rec[i] == '"' {
			i++
			for i < len(rec) {
				c := rec[i]
				if c == '"' {
					if i+1 < len(rec) && rec[i+1] == '"' {
						field = append(field, '"')
						i += 2
						continue
					}
					i++
					break
				}
				field = append(field, c)
				i++
			}
			// Lenient: text after the closing quote belongs to the field.
			for i < len(rec) && rec[i] != delim {
				field = append(field, rec[i])
				i++
			}
		} else {
			j := bytes.IndexByte(rec[i:], delim)
			if j < 0 {
				j = len(rec) - i
			}
			field = append(field, rec[i:i+j]...)
			i += j
		}
		dst = append(dst, mem.text(bytes.TrimRight(field, "\r")))
		if i >= len(rec) {
			return dst
		}
		i++ // the delimiter
	}
}
