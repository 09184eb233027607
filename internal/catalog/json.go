package catalog

import (
	"encoding/json"
	"unicode/utf8"
)

// ValidJSON reports whether b qualifies as JSON: text that DuckDB's JSON
// parser accepts, which is JSON in valid UTF-8 without unpaired UTF-16
// surrogate escapes (encoding/json accepts those; DuckDB rejects the whole
// document over one).
func ValidJSON(b []byte) bool {
	return utf8.Valid(b) && json.Valid(b) && !loneSurrogate(b)
}

// loneSurrogate reports whether JSON text b holds a \u escape of half a
// UTF-16 surrogate pair without its other half. b must be valid JSON, so
// every backslash starts an escape.
func loneSurrogate(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+1 < len(b) && b[i+1] != 'u' {
			i++ // a one-letter escape; skip its letter (it may be a backslash)
			continue
		}
		if i+6 > len(b) {
			return false
		}
		switch u := hex4(b[i+2 : i+6]); {
		case u >= 0xDC00 && u <= 0xDFFF:
			return true
		case u >= 0xD800 && u <= 0xDBFF:
			if i+12 > len(b) || b[i+6] != '\\' || b[i+7] != 'u' {
				return true
			}
			if lo := hex4(b[i+8 : i+12]); lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 11
		default:
			i += 5
		}
	}
	return false
}

// hex4 decodes four hex digits; anything else gives -1.
func hex4(h []byte) int {
	v := 0
	for _, c := range h {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		default:
			return -1
		}
	}
	return v
}
