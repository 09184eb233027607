package sigma

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

var timespanRE = regexp.MustCompile(`^([0-9]+)([smhdwMy])$`)

// timespanUnits are Sigma's correlation timespan units; a month and a year
// are pySigma's average lengths.
var timespanUnits = map[string]time.Duration{
	"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
	"M": 2629746 * time.Second, "y": 31556952 * time.Second,
}

// parseTimespan reads a correlation timespan: a positive number and a unit.
func parseTimespan(s string) (time.Duration, error) {
	m := timespanRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("timespan %q is not a number followed by s, m, h, d, w, M or y", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 || n > 10000 {
		return 0, fmt.Errorf("timespan %q must be a positive number of at most 10000 units", s)
	}
	return time.Duration(n) * timespanUnits[m[2]], nil
}
