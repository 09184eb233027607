package check

import "github.com/sleuth-hunt/sleuth/internal/catalog"

// IPv4 functions. Addresses are strings; ranges use CIDR notation.
func init() {
	ip := func(res catalog.Type) func(*call) catalog.Type {
		return func(a *call) catalog.Type {
			a.want(0, "a string", isStr)
			a.want(1, "a string", isStr)
			a.want(2, "a number", isInteger)
			return res
		}
	}
	register(
		&Func{Name: "ipv4_is_private", min: 1, max: 1, typer: ip(catalog.Bool)},
		&Func{Name: "ipv4_is_in_range", min: 2, max: 2, typer: ip(catalog.Bool)},
		&Func{Name: "ipv4_is_match", min: 2, max: 3, typer: ip(catalog.Bool)},
		&Func{Name: "ipv4_compare", min: 2, max: 3, typer: ip(catalog.Int)},
		&Func{Name: "parse_ipv4", min: 1, max: 1, typer: ip(catalog.Long)},
		&Func{Name: "format_ipv4", min: 1, max: 2, typer: fixed(catalog.String)},
	)
}
