package check

import "github.com/sleuth-hunt/sleuth/internal/catalog"

// Conversion functions. They never fail: a value that does not convert
// becomes null (and tostring of a null is "").
func init() {
	any1 := func(t catalog.Type) func(*call) catalog.Type { return fixed(t) }
	register(
		&Func{Name: "tostring", min: 1, max: 1, typer: any1(catalog.String)},
		&Func{Name: "toint", min: 1, max: 1, typer: any1(catalog.Int)},
		&Func{Name: "tolong", min: 1, max: 1, typer: any1(catalog.Long)},
		&Func{Name: "toreal", min: 1, max: 1, typer: any1(catalog.Real)},
		&Func{Name: "todecimal", min: 1, max: 1, typer: any1(catalog.Decimal)},
		&Func{Name: "tobool", min: 1, max: 1, typer: any1(catalog.Bool)},
		&Func{Name: "todatetime", min: 1, max: 1, typer: any1(catalog.Datetime)},
		&Func{Name: "totimespan", min: 1, max: 1, typer: any1(catalog.Timespan)},
		&Func{Name: "toguid", min: 1, max: 1, typer: any1(catalog.GUID)},
		&Func{Name: "parse_json", min: 1, max: 1, typer: any1(catalog.Dynamic)},
		&Func{Name: "dynamic_to_json", min: 1, max: 1, typer: any1(catalog.String)},
		&Func{Name: "gettype", min: 1, max: 1, typer: any1(catalog.String)},
	)
	alias("todouble", "toreal", "")
	alias("toboolean", "tobool", "")
	alias("totime", "totimespan", "")
	alias("todynamic", "parse_json", "")
	alias("toobject", "parse_json", "")
	alias("parsejson", "parse_json", "")
}
