package check

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// String functions. Their arguments may be of any scalar type; non-strings
// are converted with tostring(), as Kusto does for most of them.
func init() {
	S, L, D := catalog.String, catalog.Long, catalog.Dynamic
	str := func(min, max int, res catalog.Type) func(a *call) catalog.Type {
		return func(a *call) catalog.Type {
			for i := 0; i < a.n(); i++ {
				a.want(i, "a string", isStr)
			}
			return res
		}
	}
	register(
		&Func{Name: "strlen", min: 1, max: 1, typer: str(1, 1, L)},
		&Func{Name: "tolower", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "toupper", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "reverse", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "url_decode", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "url_encode", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "url_encode_component", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "base64_encode_tostring", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "base64_decode_tostring", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "hash_sha256", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "hash_sha1", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "hash_md5", min: 1, max: 1, typer: str(1, 1, S)},
		&Func{Name: "string_size", min: 1, max: 1, typer: str(1, 1, L)},
		&Func{Name: "isascii", min: 1, max: 1, typer: str(1, 1, catalog.Bool)},
		&Func{Name: "strcat", min: 1, max: 64, typer: fixed(S)},
		&Func{Name: "strcat_delim", min: 2, max: 64, typer: fixed(S)},
		&Func{Name: "strcmp", min: 2, max: 2, typer: str(2, 2, catalog.Int)},
		&Func{Name: "strrep", min: 2, max: 3, typer: func(a *call) catalog.Type {
			a.want(1, "a number", isInteger)
			return S
		}},
		&Func{Name: "substring", min: 2, max: 3, typer: func(a *call) catalog.Type {
			a.want(1, "a number", isNum)
			a.want(2, "a number", isNum)
			return S
		}},
		&Func{Name: "strcat_array", min: 2, max: 2, typer: func(a *call) catalog.Type {
			a.want(0, "a dynamic array", isDyn)
			return S
		}},
		&Func{Name: "split", min: 2, max: 3, typer: func(a *call) catalog.Type {
			a.want(0, "a string", isStr)
			a.want(1, "a string", isStr)
			a.want(2, "a number", isInteger)
			return D
		}},
		&Func{Name: "replace_string", min: 3, max: 3, typer: str(3, 3, S)},
		&Func{Name: "replace_regex", min: 3, max: 3, typer: regexArg(1, str(3, 3, S))},
		&Func{Name: "replace", min: 3, max: 3, typer: regexArg(0, str(3, 3, S))},
		&Func{Name: "trim", min: 2, max: 2, typer: regexArg(0, str(2, 2, S))},
		&Func{Name: "trim_start", min: 2, max: 2, typer: regexArg(0, str(2, 2, S))},
		&Func{Name: "trim_end", min: 2, max: 2, typer: regexArg(0, str(2, 2, S))},
		&Func{Name: "translate", min: 3, max: 3, typer: str(3, 3, S)},
		&Func{Name: "indexof", min: 2, max: 5, typer: func(a *call) catalog.Type {
			a.want(0, "a string", isStr)
			a.want(1, "a string", isStr)
			for i := 2; i < a.n(); i++ {
				a.want(i, "a number", isInteger)
			}
			return L
		}},
		&Func{Name: "countof", min: 2, max: 3, typer: func(a *call) catalog.Type {
			if a.has(2) {
				if k, ok := a.constStr(2); ok && k != "normal" && k != "regex" {
					a.errorf(2, "the kind of countof must be \"normal\" or \"regex\", found %q", k)
				}
			}
			return L
		}},
		&Func{Name: "extract", min: 3, max: 4, raw: true, typer: extractTyper(0, 2, 3)},
		&Func{Name: "extract_all", min: 2, max: 3, typer: func(a *call) catalog.Type {
			if _, ok := a.constStr(0); ok {
				a.checkRegex(0)
			}
			if a.n() == 3 {
				if _, ok := constValue(a.arg(1)).([]any); !ok {
					a.c.errorf(kql.CodeUnsupported, a.arg(1), "", "the capture groups of extract_all must be a constant dynamic array")
				}
			}
			return D
		}},
		&Func{Name: "extract_json", min: 2, max: 3, raw: true, typer: extractJSONTyper},
		&Func{Name: "parse_url", min: 1, max: 1, typer: str(1, 1, D)},
		&Func{Name: "base64_decode_toarray", min: 1, max: 1, typer: str(1, 1, D)},
		&Func{Name: "make_string", min: 1, max: -1, typer: func(a *call) catalog.Type {
			for i := 0; i < a.n(); i++ {
				a.want(i, "a number or an array of numbers", func(t catalog.Type) bool { return isNum(t) })
			}
			return S
		}},
		&Func{Name: "parse_path", min: 1, max: 1, typer: str(1, 1, D)},
		&Func{Name: "tohex", min: 1, max: 2, typer: func(a *call) catalog.Type {
			a.want(0, "an integer", isInteger)
			a.want(1, "an integer", isInteger)
			return S
		}},
	)
	alias("base64_decodestring", "base64_decode_tostring", "")
	alias("base64_encodestring", "base64_encode_tostring", "")
	alias("extractjson", "extract_json", "")
	alias("hash_sha_256", "hash_sha256", "")
}

// regexArg checks that argument i is a constant regular expression RE2 accepts.
func regexArg(i int, next func(*call) catalog.Type) func(*call) catalog.Type {
	return func(a *call) catalog.Type {
		if _, ok := a.constStr(i); ok {
			a.checkRegex(i)
		}
		return next(a)
	}
}

// extractTyper types extract(regex, group, text [, typeof(T)]).
func extractTyper(re, text, typ int) func(*call) catalog.Type {
	return func(a *call) catalog.Type {
		for i := 0; i < a.n() && i < typ; i++ {
			a.x.Args[i] = a.c.expr(a.x.Args[i], a.sc)
		}
		if _, ok := a.constStr(re); ok {
			a.checkRegex(re)
		}
		a.want(1, "an integer", isInteger)
		if a.has(typ) {
			return a.typeofArg(typ)
		}
		return catalog.String
	}
}

// extractJSONTyper types extract_json(path, json [, typeof(T)]).
func extractJSONTyper(a *call) catalog.Type {
	for i := 0; i < a.n() && i < 2; i++ {
		a.x.Args[i] = a.c.expr(a.x.Args[i], a.sc)
	}
	a.constStr(0)
	if a.has(2) {
		return a.typeofArg(2)
	}
	return catalog.String
}

// typeofArg reads a typeof(T) argument.
func (a *call) typeofArg(i int) catalog.Type {
	if t, ok := TypeofArg(a.arg(i)); ok {
		a.c.setType(a.arg(i), t)
		return t
	}
	a.c.errorf(kql.CodeTypeMismatch, a.arg(i), "write typeof(long), typeof(real), …", "argument %d of %s must be typeof(type)", i+1, a.name())
	return Unknown
}

// TypeofArg reads typeof(T) as written in extract, extract_json and parse.
func TypeofArg(e kql.Expr) (catalog.Type, bool) {
	call, ok := e.(*kql.CallExpr)
	if !ok || call.Fn.Name != "typeof" || len(call.Args) != 1 {
		return "", false
	}
	switch x := call.Args[0].(type) {
	case *kql.Ident:
		return typeName(x.Name)
	case *kql.Literal:
		if s, ok := x.Value.(string); ok {
			return typeName(s)
		}
	}
	return "", false
}
