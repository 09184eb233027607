package sigma

import (
	"encoding/base64"
	"unicode/utf16"
)

// The encoding modifiers turn a string into the bytes an attacker's tool
// would put on a command line, then into the text a log shows. Bytes that
// are not valid UTF-8 (UTF-16 code units) are carried as Latin-1 runes so
// a later |base64 sees exactly the bytes; on their own they match logs that
// render each byte as one character, which is how pySigma treats them too.

// modBase64 encodes a plain string as Base64.
func modBase64(m *modCtx, v val) ([]val, error) {
	data, err := encodable(m, v)
	if err != nil {
		return nil, err
	}
	w := v
	w.str, w.fromBase64 = lit(base64.StdEncoding.EncodeToString(data)), true
	return []val{w}, nil
}

// modBase64Offset gives the three Base64 renderings of a string that
// appears at byte offsets 0, 1 and 2 of a longer encoded text, trimmed to
// the characters that do not depend on its neighbours (Sigma's
// base64offset; the same cut as pySigma).
func modBase64Offset(m *modCtx, v val) ([]val, error) {
	data, err := encodable(m, v)
	if err != nil {
		return nil, err
	}
	start := []int{0, 2, 3}
	endCut := []int{0, 3, 2} // characters dropped at the end, by (len+offset)%3
	var out []val
	for i := 0; i < 3; i++ {
		padded := append(make([]byte, i), data...)
		for j := 0; j < i; j++ {
			padded[j] = ' '
		}
		enc := base64.StdEncoding.EncodeToString(padded)
		end := len(enc) - endCut[(len(data)+i)%3]
		if start[i] >= end {
			continue
		}
		w := v
		w.str, w.fromBase64 = lit(enc[start[i]:end]), true
		out = append(out, w)
	}
	if len(out) == 0 {
		return nil, m.errorf(CodeBadValue, "give a longer value", "|base64offset: %q is too short to encode at every offset", v.str.String())
	}
	return out, nil
}

// encodable returns the bytes of a plain string for the Base64 modifiers.
func encodable(m *modCtx, v val) ([]byte, error) {
	v, err := asString(m, v)
	if err != nil {
		return nil, err
	}
	if v.str.hasWildcard() || v.str.hasPlaceholder() {
		return nil, m.errorf(CodeBadValue, "escape the wildcard as \\* or \\?, or drop it", "|%s cannot encode a value with wildcards (%q)", m.name, v.str.String())
	}
	s, _ := v.str.plain()
	if !v.binary {
		return []byte(s), nil
	}
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, byte(r)) // UTF-16 output carries one byte per rune
	}
	return out, nil
}

func modUTF16LE(m *modCtx, v val) ([]val, error) { return utf16Encode(m, v, false, false) }
func modUTF16BE(m *modCtx, v val) ([]val, error) { return utf16Encode(m, v, true, false) }

// modUTF16 prepends the little-endian byte order mark (FF FE), as Windows'
// "Unicode" encoding does.
func modUTF16(m *modCtx, v val) ([]val, error) { return utf16Encode(m, v, false, true) }

func utf16Encode(m *modCtx, v val, bigEndian, bom bool) ([]val, error) {
	v, err := asString(m, v)
	if err != nil {
		return nil, err
	}
	enc := func(s string) string {
		var out []rune
		for _, u := range utf16.Encode([]rune(s)) {
			hi, lo := rune(u>>8), rune(u&0xff)
			if bigEndian {
				out = append(out, hi, lo)
			} else {
				out = append(out, lo, hi)
			}
		}
		return string(out)
	}
	w := v
	w.str, w.binary = v.str.mapLits(enc), true
	if bom {
		w.str = append(sstring{{kind: partLit, s: "\u00ff\u00fe"}}, w.str...).merge()
	}
	return []val{w}, nil
}
