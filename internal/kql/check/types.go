package check

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Unknown is the type of an expression the checker could not type because
// of an earlier error. It is compatible with everything, so one mistake is
// reported once rather than at every use.
const Unknown catalog.Type = ""

// typeName parses a KQL type name as written in datatable, parse patterns,
// function parameters and to typeof(…): string, long, int, real, double,
// bool, boolean, datetime, date, timespan, time, guid, uniqueid, dynamic,
// decimal.
func typeName(s string) (catalog.Type, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "uniqueid":
		return catalog.GUID, true
	case "":
		return catalog.String, true
	}
	return catalog.ParseType(s)
}

// promote is the result type of arithmetic on two numbers: int and long
// make long (Kusto widens int arithmetic), anything with real makes real,
// decimal stays decimal unless a real is involved.
func promote(a, b catalog.Type) catalog.Type {
	switch {
	case a == Unknown || b == Unknown:
		return Unknown
	case a == catalog.Real || b == catalog.Real || a == catalog.Dynamic || b == catalog.Dynamic:
		return catalog.Real
	case a == catalog.Decimal || b == catalog.Decimal:
		return catalog.Decimal
	}
	return catalog.Long
}

// comparable reports whether two types can be compared with == or <.
// Numbers compare with numbers, dynamic with anything, guid with string.
func comparable(a, b catalog.Type) bool {
	switch {
	case a == Unknown || b == Unknown || a == b:
		return true
	case a == catalog.Dynamic || b == catalog.Dynamic:
		return true
	case a.Numeric() && b.Numeric():
		return true
	case (a == catalog.GUID && b == catalog.String) || (a == catalog.String && b == catalog.GUID):
		return true
	case (a == catalog.Bool && b.Numeric()) || (a.Numeric() && b == catalog.Bool):
		// Kusto compares bools with numbers as 0 and 1.
		return true
	case (a == catalog.String && b.Numeric()) || (a.Numeric() && b == catalog.String):
		// A string compares with a number as a number (ResultType == 0).
		return true
	}
	return false
}

// stringish types take part in string operators without conversion.
func stringish(t catalog.Type) bool {
	return t == Unknown || t == catalog.String || t == catalog.Dynamic || t == catalog.GUID
}
