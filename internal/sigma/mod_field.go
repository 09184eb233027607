package sigma

// modExists checks that the field is present (true) or absent (false).
func modExists(m *modCtx, v val) ([]val, error) {
	if err := firstOnly(m); err != nil {
		return nil, err
	}
	if m.spec.item.Keyword {
		return nil, m.errorf(CodeBadModifier, "name the field: Field|exists: true", "|exists needs a field")
	}
	b, ok := boolOf(v)
	if !ok {
		return nil, m.errorf(CodeBadValue, "write |exists: true or |exists: false", "|exists needs true or false, found %s", v.describe())
	}
	return []val{{kind: vExists, exists: b, orig: v.orig}}, nil
}

func boolOf(v val) (bool, bool) {
	switch v.kind {
	case vBool:
		return v.orig.Bool, true
	case vString:
		s, _ := v.str.plain()
		switch s {
		case "true", "True", "TRUE", "yes":
			return true, true
		case "false", "False", "FALSE", "no":
			return false, true
		}
	}
	return false, false
}

// modFieldRef compares the field with another field of the same event.
func modFieldRef(m *modCtx, v val) ([]val, error) {
	s, ok := "", false
	if v.kind == vString {
		s, ok = v.str.plain()
	}
	if !ok || s == "" {
		return nil, m.errorf(CodeBadValue, "name the other field without wildcards", "|fieldref needs a field name, found %s", v.describe())
	}
	return []val{{kind: vFieldRef, ref: s, orig: v.orig, cased: v.cased}}, nil
}
