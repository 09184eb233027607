package source

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// ColumnType maps a column type as a service reports it (Kusto's
// "string", "datetime", .NET's "System.DateTime", Graph's "DateTime",
// Elasticsearch's "keyword") to a KQL type; unknown names read as string,
// so a new service type never loses a column.
func ColumnType(name string) catalog.Type {
	if t, ok := catalog.ParseType(name); ok {
		return t
	}
	n := strings.ToLower(name)
	if strings.HasSuffix(n, "sqldecimal") {
		return catalog.Decimal
	}
	switch n {
	case "keyword", "text", "match_only_text", "wildcard", "constant_keyword", "ip", "version", "geo_point", "geo_shape":
		return catalog.String
	case "integer", "short":
		return catalog.Int
	case "unsigned_long", "counter_long":
		return catalog.Long
	case "half_float", "scaled_float", "counter_double":
		return catalog.Real
	case "date_nanos", "date":
		return catalog.Datetime
	case "time_duration":
		return catalog.Timespan
	case "object", "nested", "flattened":
		return catalog.Dynamic
	}
	return catalog.String
}

// FromJSON converts one value of a column of type t, as a JSON decoder
// gave it (numbers as float64 or json.Number), to the value rows.Set holds
// for t. Services send datetimes and timespans as strings and, for Log
// Analytics, dynamic values as JSON text; both are decoded here.
func FromJSON(t catalog.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case catalog.Int, catalog.Long:
		return toInt(v)
	case catalog.Real, catalog.Decimal:
		return toFloat(v)
	case catalog.Bool:
		return toBool(v)
	case catalog.Datetime:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("datetime value %v is not a string", v)
		}
		if s == "" {
			return nil, nil
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("bad datetime %q", s)
		}
		return tm.UTC(), nil
	case catalog.Timespan:
		switch x := v.(type) {
		case string:
			if x == "" {
				return nil, nil
			}
			return ParseTimespan(x)
		default:
			n, err := toInt(v) // ticks of 100 ns, as some services send them
			if err != nil {
				return nil, err
			}
			return time.Duration(n.(int64) * 100), nil
		}
	case catalog.Dynamic:
		if s, ok := v.(string); ok {
			return decodeDynamic(s), nil
		}
		return normaliseJSON(v), nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// decodeDynamic reads a dynamic value sent as JSON text; text that is not
// JSON is a plain string, as Kusto treats it.
func decodeDynamic(s string) any {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return s
	}
	return v
}

// normaliseJSON turns float64 numbers inside decoded JSON into json.Number
// so that dynamic values look the same whichever decoder produced them.
func normaliseJSON(v any) any {
	switch x := v.(type) {
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
	case map[string]any:
		for k, e := range x {
			x[k] = normaliseJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normaliseJSON(e)
		}
	}
	return v
}

func toInt(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<63 {
			return nil, fmt.Errorf("%v is not an integer", x)
		}
		return int64(x), nil
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		if err != nil || f != math.Trunc(f) {
			return nil, fmt.Errorf("%s is not an integer", x)
		}
		return int64(f), nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		if x == "" {
			return nil, nil
		}
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", x)
		}
		return n, nil
	}
	return nil, fmt.Errorf("%v (%T) is not an integer", v, v)
}

func toFloat(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case json.Number:
		return x.Float64()
	case int64:
		return float64(x), nil
	case string:
		switch x {
		case "":
			return nil, nil
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return strconv.ParseFloat(x, 64)
	}
	return nil, fmt.Errorf("%v (%T) is not a number", v, v)
}

func toBool(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case float64:
		return x != 0, nil // Kusto sends bool columns of some tables as SByte 0/1
	case json.Number:
		return x.String() != "0", nil
	case string:
		return strconv.ParseBool(x)
	}
	return nil, fmt.Errorf("%v (%T) is not a bool", v, v)
}

// ToJSON converts a rows.Set value of a column of type t to what the Log
// Analytics API sends: datetimes in ISO 8601 UTC, timespans in Kusto's
// text form, dynamic values as JSON text, strings never null.
func ToJSON(t catalog.Type, v any) any {
	switch x := v.(type) {
	case nil:
		if t == catalog.String {
			return ""
		}
		return nil
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.0000000Z")
	case time.Duration:
		return FormatTimespan(x)
	case float64:
		if math.IsNaN(x) {
			return "NaN"
		}
		if math.IsInf(x, 0) {
			if x > 0 {
				return "Infinity"
			}
			return "-Infinity"
		}
	}
	if t == catalog.Dynamic {
		if s, ok := v.(string); ok {
			return s
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return fmt.Sprint(v)
		}
		return strings.TrimRight(b.String(), "\n")
	}
	return v
}
