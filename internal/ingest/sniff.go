package ingest

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// Content sniffing: formats are recognised by their first bytes, never by
// the file name alone, so a .log that holds NDJSON or a .json that holds CSV
// still reads.

// sniffed is what the first bytes of a stream say it is.
type sniffed uint8

const (
	sniffUnknown sniffed = iota
	sniffEmpty
	sniffGzip
	sniffZip
	sniffTar
	sniffEVTX
	sniffJSON
	sniffCSV
	sniffOtherCompression
)

const sniffBytes = 64 << 10

// sniff peeks at r without consuming anything but a byte-order mark.
func sniff(r *bufio.Reader) sniffed {
	b, _ := r.Peek(sniffBytes)
	switch {
	case len(b) == 0:
		return sniffEmpty
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return sniffGzip
	case bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06")):
		return sniffZip
	case bytes.HasPrefix(b, []byte("ElfFile\x00")):
		return sniffEVTX
	case len(b) > 262 && string(b[257:262]) == "ustar":
		return sniffTar
	case bytes.HasPrefix(b, []byte("BZh")) || bytes.HasPrefix(b, []byte{0xfd, '7', 'z', 'X', 'Z', 0}) ||
		bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}) || bytes.HasPrefix(b, []byte("7z\xbc\xaf\x27\x1c")) ||
		bytes.HasPrefix(b, []byte("Rar!")):
		return sniffOtherCompression
	}
	text := bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	first := bytes.TrimLeft(text, " \t\r\n")
	switch {
	case len(first) == 0:
		return sniffEmpty
	case first[0] == '{' || first[0] == '[':
		return sniffJSON
	case looksLikeCSV(text):
		return sniffCSV
	}
	return sniffUnknown
}

// looksLikeCSV wants a header line of text (no NUL, valid UTF-8) with a
// delimiter in it. Only the header is judged: a stray control byte in a
// later record is that record's problem, not the file's.
func looksLikeCSV(b []byte) bool {
	line := b
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		line = b[:i]
	} else if len(b) == sniffBytes {
		return false // no line break in 64 KiB: not a header
	}
	if len(line) == 0 || bytes.IndexByte(line, 0) >= 0 || !utf8.Valid(line) {
		return false
	}
	return bytes.ContainsAny(line, ",\t;|")
}

// skipBOM consumes a UTF-8 byte-order mark.
func skipBOM(r *bufio.Reader) {
	if b, _ := r.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = r.Discard(3)
	}
}

// utf16BOM reports a UTF-16 byte-order mark (PowerShell's Export-Csv and
// Out-File write UTF-16 by default on Windows PowerShell 5).
func utf16BOM(r *bufio.Reader) (bigEndian, ok bool) {
	b, _ := r.Peek(2)
	switch {
	case bytes.Equal(b, []byte{0xff, 0xfe}):
		return false, true
	case bytes.Equal(b, []byte{0xfe, 0xff}):
		return true, true
	}
	return false, false
}

// utf16Reader converts UTF-16 text to UTF-8 as it is read.
type utf16Reader struct {
	r    io.Reader
	be   bool
	in   []byte
	pend []byte // an odd byte left from the last read
	out  []byte
	hi   uint16 // a pending high surrogate
	err  error
}

func newUTF16Reader(r *bufio.Reader, bigEndian bool) io.Reader {
	_, _ = r.Discard(2)
	return &utf16Reader{r: r, be: bigEndian, in: make([]byte, 32<<10)}
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		k := copy(u.in, u.pend)
		n, err := u.r.Read(u.in[k:])
		n += k
		even := n - n%2
		u.pend = append(u.pend[:0], u.in[even:n]...)
		u.decode(u.in[:even])
		u.err = err
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

func (u *utf16Reader) decode(b []byte) {
	u.out = u.out[:0]
	for i := 0; i+1 < len(b); i += 2 {
		c := uint16(b[i]) | uint16(b[i+1])<<8
		if u.be {
			c = uint16(b[i])<<8 | uint16(b[i+1])
		}
		r := rune(c)
		switch {
		case u.hi != 0:
			r = utf16.DecodeRune(rune(u.hi), r)
			u.hi = 0
		case utf16.IsSurrogate(r) && c < 0xdc00:
			u.hi = c
			continue
		}
		u.out = utf8.AppendRune(u.out, r)
	}
}
