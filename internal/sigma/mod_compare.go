package sigma

import (
	"strconv"
	"strings"
)

// modCompare turns a number into a comparison (|lt, |lte, |gt, |gte). A
// string that spells a number is accepted, as Sigma values are strings.
func modCompare(m *modCtx, v val) ([]val, error) {
	n, ok := numberOf(v)
	if !ok {
		return nil, m.errorf(CodeBadValue, "compare with a number, e.g. |gte: 10", "|%s needs a number, found %s", m.name, v.describe())
	}
	return []val{{kind: vCompare, op: m.name, num: n, orig: v.orig}}, nil
}

// numberOf reads a value as a number: a YAML number, or a string holding a
// decimal or 0x-hexadecimal number.
func numberOf(v val) (float64, bool) {
	switch v.kind {
	case vNumber:
		return v.orig.Num, true
	case vString:
		s, ok := v.str.plain()
		if !ok {
			return 0, false
		}
		return parseNumber(s)
	}
	return 0, false
}

func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(i), true
	}
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return float64(u), true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
