package ingest

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A lean JSON decoder for the flat objects log exports are made of. It
// validates the whole record but builds nothing: each top-level field is a
// key and the raw bytes of its value, which callers turn into Go values only
// for the fields they use. That is several times faster than decoding into
// map[string]any and allocates nothing per record once its slices have grown.

// jkind is the JSON type of a value.
type jkind uint8

const (
	jString jkind = iota + 1
	jNumber
	jBool
	jNull
	jObject
	jArray
)

// jfield is one member of an object. key is unescaped (it aliases the input
// unless the key held escapes); raw is the value's JSON text, quotes included
// for strings.
type jfield struct {
	key  []byte
	raw  []byte
	kind jkind
	esc  bool // a string value that holds escapes
}

// jsonError is a syntax error at a byte offset of the record.
type jsonError struct {
	off int
	msg string
}

func (e *jsonError) Error() string { return e.msg }

// maxDepth bounds nesting so a hostile record cannot exhaust the stack.
const maxDepth = 256

// flatDecoder decodes objects into fields, reusing its slices.
type flatDecoder struct {
	fields []jfield
	keys   []byte // storage for keys that held escapes
	b      []byte
	i      int
}

// decode parses b, which must hold exactly one JSON object (surrounding
// whitespace allowed), into d.fields. It writes to b in one case: an
// unpaired UTF-16 surrogate escape becomes \ufffd (see surrogate).
func (d *flatDecoder) decode(b []byte) error {
	d.fields, d.keys, d.b, d.i = d.fields[:0], d.keys[:0], b, 0
	d.skipSpace()
	if d.i >= len(b) || b[d.i] != '{' {
		return d.errorf("expected '{' at the start of a record, found %s", d.found())
	}
	if err := d.object(true, 0); err != nil {
		return err
	}
	d.skipSpace()
	if d.i < len(b) {
		return d.errorf("unexpected %s after the end of the record", d.found())
	}
	return nil
}

// single checks that b holds exactly one JSON value (surrounding whitespace
// allowed), rewriting unpaired surrogate escapes as decode does.
func (d *flatDecoder) single(b []byte) error {
	d.fields, d.keys, d.b, d.i = d.fields[:0], d.keys[:0], b, 0
	d.skipSpace()
	if _, _, err := d.value(0); err != nil {
		return err
	}
	d.skipSpace()
	if d.i < len(b) {
		return d.errorf("unexpected %s after the end of the value", d.found())
	}
	return nil
}

// object parses an object at d.i; top records its members in d.fields.
func (d *flatDecoder) object(top bool, depth int) error {
	if depth >= maxDepth {
		return d.errorf("nesting deeper than %d levels", maxDepth)
	}
	d.i++ // '{'
	d.skipSpace()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		d.skipSpace()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return d.errorf("expected a field name in quotes, found %s", d.found())
		}
		ks := d.i
		esc, err := d.str()
		if err != nil {
			return err
		}
		keyRaw := d.b[ks:d.i]
		d.skipSpace()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return d.errorf("expected ':' after field name %s, found %s", clipBytes(keyRaw, 40), d.found())
		}
		d.i++
		d.skipSpace()
		vs := d.i
		kind, vesc, err := d.value(depth + 1)
		if err != nil {
			return err
		}
		if top {
			key := keyRaw[1 : len(keyRaw)-1]
			if esc {
				start := len(d.keys)
				d.keys = appendUnquoted(d.keys, keyRaw)
				key = d.keys[start:len(d.keys):len(d.keys)]
			}
			d.fields = append(d.fields, jfield{key: key, raw: d.b[vs:d.i], kind: kind, esc: vesc})
		}
		d.skipSpace()
		if d.i >= len(d.b) {
			return d.errorf("unexpected end of record inside an object (truncated?)")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.errorf("expected ',' or '}' after a field, found %s", d.found())
		}
	}
}

// value parses any JSON value at d.i.
func (d *flatDecoder) value(depth int) (jkind, bool, error) {
	if d.i >= len(d.b) {
		return 0, false, d.errorf("unexpected end of record where a value was expected (truncated?)")
	}
	switch c := d.b[d.i]; {
	case c == '"':
		esc, err := d.str()
		return jString, esc, err
	case c == '{':
		return jObject, false, d.object(false, depth)
	case c == '[':
		return jArray, false, d.array(depth)
	case c == 't':
		return jBool, false, d.literal("true")
	case c == 'f':
		return jBool, false, d.literal("false")
	case c == 'n':
		return jNull, false, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return jNumber, false, d.number()
	}
	return 0, false, d.errorf("expected a value, found %s", d.found())
}

func (d *flatDecoder) array(depth int) error {
	if depth >= maxDepth {
		return d.errorf("nesting deeper than %d levels", maxDepth)
	}
	d.i++ // '['
	d.skipSpace()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return nil
	}
	for {
		d.skipSpace()
		if _, _, err := d.value(depth + 1); err != nil {
			return err
		}
		d.skipSpace()
		if d.i >= len(d.b) {
			return d.errorf("unexpected end of record inside an array (truncated?)")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			return d.errorf("expected ',' or ']' in an array, found %s", d.found())
		}
	}
}

// str scans a string at d.i (the opening quote) and reports whether it held
// escapes. Raw control characters are errors, as JSON requires.
func (d *flatDecoder) str() (bool, error) {
	start := d.i
	d.i++
	esc := false
	for d.i < len(d.b) {
		// Skip plain bytes eight at a time, then one at a time; most
		// strings have no escapes.
		d.i = plainRun(d.b, d.i)
		for d.i < len(d.b) && !strStop[d.b[d.i]] {
			d.i++
		}
		if d.i >= len(d.b) {
			break
		}
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			return esc, nil
		case c == '\\':
			esc = true
			if d.i+1 >= len(d.b) {
				d.i++
				continue
			}
			switch d.b[d.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i += 2
			case 'u':
				if d.i+6 > len(d.b) || !isHex4(d.b[d.i+2:d.i+6]) {
					return esc, d.errorf("bad \\u escape in a string")
				}
				d.i += d.surrogate()
			default:
				return esc, d.errorf("bad escape \\%c in a string", d.b[d.i+1])
			}
		default:
			return esc, d.errorf("control character 0x%02x inside a string (a string cut by a line break?)", c)
		}
	}
	d.i = start
	return esc, d.errorf("unterminated string (truncated?)")
}

// surrogate checks the \u escape at d.i and returns its length. Half of a
// UTF-16 surrogate pair without its other half is rewritten in place as
// \ufffd (the replacement character, as decoding it gives), because
// DuckDB's JSON parser rejects the whole document over it, and raw values
// are stored as they are.
func (d *flatDecoder) surrogate() int {
	r := hexRune(d.b[d.i+2 : d.i+6])
	if !utf16.IsSurrogate(r) {
		return 6
	}
	if r < 0xdc00 && d.i+12 <= len(d.b) && d.b[d.i+6] == '\\' && d.b[d.i+7] == 'u' && isHex4(d.b[d.i+8:d.i+12]) {
		if lo := hexRune(d.b[d.i+8 : d.i+12]); lo >= 0xdc00 && lo <= 0xdfff {
			return 12
		}
	}
	copy(d.b[d.i+2:d.i+6], "fffd")
	return 6
}

// plainRun returns the offset of the first group of eight bytes at or
// after i that holds a quote, a backslash or a control character (or of
// the last partial group). Each group is tested at once: a byte b is
// flagged by (b-1)&^b&0x80 when it is zero, applied to the group XORed
// with '"' and with '\\', and by (b-0x20)&^b&0x80 when it is below 0x20.
// The lowest flagged byte is always a true one, which is all the scan needs.
func plainRun(b []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
		quote = '"' * ones
		bslsh = '\\' * ones
		space = 0x20 * ones
	)
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		q, s := x^quote, x^bslsh
		if ((q-ones)&^q|(s-ones)&^s|(x-space)&^x)&highs != 0 {
			return i
		}
		i += 8
	}
	return i
}

// strStop marks the bytes that end a run of plain string content.
var strStop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func (d *flatDecoder) literal(lit string) error {
	if len(d.b)-d.i < len(lit) || string(d.b[d.i:d.i+len(lit)]) != lit {
		return d.errorf("expected %s, found %s", lit, d.found())
	}
	d.i += len(lit)
	return nil
}

func (d *flatDecoder) number() error {
	s := d.i
	if d.b[d.i] == '-' {
		d.i++
	}
	if d.digits() == 0 {
		return d.errorf("bad number")
	}
	if d.b[s] == '0' || (d.b[s] == '-' && d.b[s+1] == '0') {
		if d.i-s > 1+boolInt(d.b[s] == '-') {
			return d.errorf("bad number: leading zero")
		}
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return d.errorf("bad number: no digits after '.'")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return d.errorf("bad number: no digits in the exponent")
		}
	}
	return nil
}

func (d *flatDecoder) digits() int {
	s := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i - s
}

func (d *flatDecoder) skipSpace() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *flatDecoder) found() string {
	if d.i >= len(d.b) {
		return "end of record"
	}
	r, _ := utf8.DecodeRune(d.b[d.i:])
	if r == utf8.RuneError || r < 0x20 {
		return fmt.Sprintf("byte 0x%02x", d.b[d.i])
	}
	return strconv.QuoteRune(r)
}

func (d *flatDecoder) errorf(format string, args ...any) error {
	return &jsonError{off: d.i, msg: fmt.Sprintf(format, args...)}
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// appendUnquoted appends the contents of the JSON string raw (quotes
// included, already validated) to dst with escapes resolved.
func appendUnquoted(dst, raw []byte) []byte {
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			dst = append(dst, c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n := decodeU(s[i-1:])
			dst = utf8.AppendRune(dst, r)
			i += n - 2
		default: // " \ /
			dst = append(dst, s[i])
		}
	}
	return dst
}

// decodeU decodes \uXXXX (and a following low surrogate) at the start of s,
// returning the rune and the bytes consumed.
func decodeU(s []byte) (rune, int) {
	if len(s) < 6 {
		return utf8.RuneError, len(s)
	}
	r1 := hexRune(s[2:6])
	if utf16.IsSurrogate(r1) && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' && isHex4(s[8:12]) {
		if r := utf16.DecodeRune(r1, hexRune(s[8:12])); r != utf8.RuneError {
			return r, 12
		}
	}
	if utf16.IsSurrogate(r1) {
		return utf8.RuneError, 6
	}
	return r1, 6
}

func hexRune(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// text returns a field's value as text: strings unescaped, other scalars as
// their JSON spelling, objects and arrays as JSON. It always returns valid
// UTF-8 (invalid bytes become U+FFFD), because the store rejects anything
// else. The text is copied into a (which may be nil).
func (f *jfield) text(a *arena) string {
	switch f.kind {
	case jString:
		if !f.esc {
			return a.text(f.raw[1 : len(f.raw)-1])
		}
		return a.unquote(f.raw)
	case jNull:
		return ""
	}
	return a.text(f.raw)
}

// validString copies b into a string, replacing invalid UTF-8.
func validString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return toValidUTF8(b)
}

func toValidUTF8(b []byte) string {
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = append(out, "\uFFFD"...)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}

func clipBytes(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
