package sigma

import (
	"sort"
	"strings"
)

// modExpand marks %name% placeholders in the value; compilation replaces
// each with the values configured for it (Options.Placeholders), as pySigma's
// value_placeholders transformation does.
func modExpand(m *modCtx, v val) ([]val, error) {
	if v.kind == vRegex {
		return nil, m.errorf(CodeUnsupportedModifier, "put the values in the regular expression", "|expand in a regular expression is not supported")
	}
	v, err := asString(m, v)
	if err != nil {
		return nil, err
	}
	v.str = v.str.insertPlaceholders()
	return expandPlaceholders(m, v)
}

// expandPlaceholders replaces every placeholder with each of its values,
// giving one alternative per combination.
func expandPlaceholders(m *modCtx, v val) ([]val, error) {
	variants := []sstring{nil}
	for _, p := range v.str {
		if p.kind != partPlaceholder {
			variants = appendPart(variants, p)
			continue
		}
		values, ok := lookupPlaceholder(m.opts, p.s)
		if !ok {
			return nil, m.errorf(CodeUnknownPlaceholder, placeholderHint(m.opts, p.s), "placeholder %%%s%% has no values", p.s)
		}
		var next []sstring
		for _, base := range variants {
			for _, x := range values {
				next = append(next, append(append(sstring{}, base...), parseSigmaString(x)...))
			}
		}
		if len(next) > MaxValues {
			return nil, m.errorf(CodeLimit, "", "placeholders expand %q into more than %d values", v.str.String(), MaxValues)
		}
		variants = next
	}
	out := make([]val, len(variants))
	for i, s := range variants {
		w := v
		w.str = s.merge()
		out[i] = w
	}
	return out, nil
}

func lookupPlaceholder(opts *Options, name string) ([]string, bool) {
	if opts == nil {
		return nil, false
	}
	if vs, ok := opts.Placeholders[name]; ok && len(vs) > 0 {
		return vs, true
	}
	for k, vs := range opts.Placeholders {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs, true
		}
	}
	return nil, false
}

func placeholderHint(opts *Options, name string) string {
	hint := "define it in the config: sigma: {placeholders: {" + name + ": [value, …]}}"
	if opts == nil || len(opts.Placeholders) == 0 {
		return hint
	}
	var names []string
	for k := range opts.Placeholders {
		names = append(names, k)
	}
	sort.Strings(names)
	return hint + "; defined: " + strings.Join(names, ", ")
}
