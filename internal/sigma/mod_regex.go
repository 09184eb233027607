package sigma

import (
	"regexp"
	"strings"
)

// modRegex reads the value as a regular expression. Sigma matches it
// case-sensitively and, like KQL's matches regex, anywhere in the field.
// KQL speaks RE2, so expressions RE2 cannot compile are refused here
// rather than in Sentinel.
func modRegex(m *modCtx, v val) ([]val, error) {
	if err := firstOnly(m); err != nil {
		return nil, err
	}
	if v.kind != vString && v.kind != vNumber {
		return nil, m.errorf(CodeBadModifier, "", "|re needs a string, found %s", v.describe())
	}
	re := v.orig.Str
	if _, err := regexp.Compile(re); err != nil {
		return nil, m.errorf(CodeBadValue, "KQL uses RE2: no look-ahead, look-behind or back-references",
			"regular expression %q does not compile: %s", re, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return []val{{kind: vRegex, re: re, orig: v.orig}}, nil
}

// regexFlags maps the flag modifiers to RE2 flag letters.
var regexFlags = map[string]string{"i": "i", "ignorecase": "i", "m": "m", "multiline": "m", "s": "s", "dotall": "s"}

// modRegexFlag adds |i, |m or |s to a regular expression.
func modRegexFlag(m *modCtx, v val) ([]val, error) {
	if v.kind != vRegex {
		return nil, m.errorf(CodeBadModifier, "write |re|"+m.name, "|%s is a flag of |re and must follow it", m.name)
	}
	f := regexFlags[m.name]
	if !strings.Contains(v.reFlags, f) {
		v.reFlags += f
	}
	return []val{v}, nil
}

// flaggedRegex is the expression with its flags in RE2's inline syntax.
func (v val) flaggedRegex() string {
	if v.reFlags == "" {
		return v.re
	}
	return "(?" + v.reFlags + ")" + v.re
}
