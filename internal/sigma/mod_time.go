package sigma

// modTimePart compares one part of a date field (|minute, |hour, |day,
// |week, |month, |year) with a number. Sigma does no time zone conversion;
// sleuth's datetimes are UTC.
func modTimePart(m *modCtx, v val) ([]val, error) {
	n, ok := numberOf(v)
	if !ok {
		return nil, m.errorf(CodeBadValue, "", "|%s needs a number, found %s", m.name, v.describe())
	}
	lo, hi := timePartRange(m.name)
	if n < lo || n > hi || n != float64(int64(n)) {
		return nil, m.errorf(CodeBadValue, "", "|%s must be a whole number from %g to %g, found %g", m.name, lo, hi, n)
	}
	return []val{{kind: vTimePart, timeUnit: m.name, num: n, orig: v.orig}}, nil
}

func timePartRange(unit string) (float64, float64) {
	switch unit {
	case "minute":
		return 0, 59
	case "hour":
		return 0, 23
	case "day":
		return 1, 31
	case "week":
		return 1, 53
	case "month":
		return 1, 12
	}
	return 1, 9999
}
