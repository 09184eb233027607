package kql

import "testing"

func TestParseStatements(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`T`, `T`)
	f(`T;`, `T`)
	f(`// a comment
T // trailing
| take 1 // done`, `T | take 1`)
	f(`let x = 5; T | where a > x`, `let x = 5; T | where a > x`)
	f(`let x = 5;;; T`, `let x = 5; T`)
	f(`let ['my x'] = "a"; T`, `let ['my x'] = "a"; T`)
	f(`let T2 = T | where a; T2 | count`, `let T2 = T | where a; T2 | count`)
	f(`let lookback = ago(7d); let users = dynamic(["a", "b"]);`, `let lookback = ago(7d); let users = dynamic(["a", "b"]);`)
	f(`let f = (x:string) { x };`, `let f = (x:string) { x };`)
	f(`let f = (x:string, n:long = 5) { T | where a == x | take n }; f("y", 3)`,
		`let f = (x:string, n:long = 5) { T | where a == x | take n }; f("y", 3)`)
	f(`let f = () { let y = 1; T | where a == y; }; f()`, `let f = () { let y = 1; T | where a == y }; f()`)
	f(`let f = (T:(Col:string, N:long), k:string) { T | where Col == k }; f(U, "x")`,
		`let f = (T:(Col:string, N:long), k:string) { T | where Col == k }; f(U, "x")`)
	f(`let f = (T:(*)) { T | count }; f(U)`, `let f = (T:(*)) { T | count }; f(U)`)
	f(`let v = view () { T }; v`, `let v = () { T }; v`)
	f(`set query_now = datetime(2024-01-01); T`, `set query_now = datetime(2024-01-01T00:00:00Z); T`)
	f(`set notruncation; T`, `set notruncation; T`)
	f(`set hint.x = true; T`, `set hint.x = true; T`)
	f(`T; U`, `T; U`)
	f(`let set = 1; print set`, `let ['set'] = 1; print ['set']`)
}

func TestPretty(t *testing.T) {
	q, err := Parse(`let x = 1; T | where a > x | join (U | where b) on c | project a`)
	if err != nil {
		t.Fatal(err)
	}
	want := "let x = 1;\nT\n| where a > x\n| join (U | where b) on c\n| project a"
	if got := Pretty(q); got != want {
		t.Errorf("Pretty =\n%s\nwant\n%s", got, want)
	}
	q2, err := Parse(Pretty(q))
	if err != nil || dump(q) != dump(q2) {
		t.Errorf("Pretty output does not parse back to the same tree: %v", err)
	}
	if got := q.String(); got != Print(q) {
		t.Errorf("String() = %q, want Print's %q", got, Print(q))
	}
}

func TestParseEmptyAndStatementErrors(t *testing.T) {
	f := func(in, pos, msg string) { t.Helper(); checkError(t, in, CodeSyntax, pos, msg) }
	f(``, "1:1", "expected a query, found end of query")
	f(`// only a comment`, "1:18", "expected a query")
	f(`let = 5; T`, "1:5", "expected a name after let")
	f(`let x 5; T`, "1:7", "expected '=' after the let name")
	f(`let x = ; T`, "1:9", "expected an expression, found ';'")
	f(`let f = (x:strin) { x }; T`, "1:12", "expected a type name")
	f(`let f = (x:string { x }; T`, "1:19", "expected ',' or ')'")
	f(`let f = (x:string) { x; T`, "1:26", "expected ';' or '}', found end of query")
	f(`T | take 1 U`, "1:12", "expected end of take, found 'U'")
	f(`T)`, "1:2", "expected ';' or end of query, found ')'")
	checkError(t, `declare query_parameters(x:string); T`, CodeUnsupported, "1:1", "the declare statement is not supported")
	e := checkError(t, `let f = (x:strin) { x }; T`, CodeSyntax, "1:12", "found 'strin'")
	if e != nil && e.Hint != "did you mean 'string'?" {
		t.Errorf("hint = %q", e.Hint)
	}
}
