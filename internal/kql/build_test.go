package kql

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// checkBuilt checks that a constructed node prints as want, and that the
// text parses and prints again unchanged.
func checkBuilt(t *testing.T, n Node, want string) {
	t.Helper()
	got := Print(n)
	if got != want {
		t.Errorf("Print =\n  %s\nwant\n  %s", got, want)
	}
	var again string
	switch n.(type) {
	case *Query:
		q, err := Parse(got)
		if err != nil {
			t.Errorf("printed query does not parse: %v\n%s", err, got)
			return
		}
		again = Print(q)
	case Expr:
		x, err := ParseExpr(got)
		if err != nil {
			t.Errorf("printed expression does not parse: %v\n%s", err, got)
			return
		}
		again = Print(x)
	default:
		return
	}
	if again != got {
		t.Errorf("printing the parsed text gives\n  %s\nnot\n  %s", again, got)
	}
}

func TestBuildersPrint(t *testing.T) {
	day := 24 * time.Hour
	q := NewQuery(
		Let("lookback", Call("ago", Timespan(7*day))),
		Statement(Pipe(Name("SigninLogs"),
			Where(And(
				Bin(OpGe, Name("TimeGenerated"), Name("lookback")),
				In(Name("UserPrincipalName"), OpInCI, Str("a@x.com"), Str(`o'brien "q" \ x`)),
				Not(Call("isempty", Name("IPAddress"))),
			)),
			Extend(Named("Hour", Call("bin", Name("TimeGenerated"), Timespan(time.Hour)))),
			Summarize([]*NamedExpr{Named("n", Call("count"))}, &NamedExpr{X: Name("UserPrincipalName")}),
			Top(10, Desc(Name("n"))),
		)),
	)
	checkBuilt(t, q, `let lookback = ago(7d); SigninLogs`+
		` | where TimeGenerated >= lookback and UserPrincipalName in~ ("a@x.com", "o'brien \"q\" \\ x") and not(isempty(IPAddress))`+
		` | extend Hour = bin(TimeGenerated, 1h) | summarize n = count() by UserPrincipalName | top 10 by n desc`)

	f := func(x Expr, want string) { t.Helper(); checkBuilt(t, x, want) }
	f(Str("line\nbreak\ttab\x00nul"), `"line\nbreak\ttab\u0000nul"`)
	f(Long(-5), `-5`)
	f(Int(7), `int(7)`)
	f(Real(2), `2.0`)
	f(Real(1e-9), `1e-09`)
	f(Real(math.Inf(-1)), `real(-inf)`)
	f(Bool(false), `false`)
	f(Datetime(time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", 3600))), `datetime(2024-01-02T02:04:05.1234567Z)`)
	f(Timespan(90*time.Minute), `90m`)
	f(Timespan(1500*time.Millisecond), `1500ms`)
	f(Timespan(-36*time.Hour), `-36h`)
	f(Null(catalog.Long), `long(null)`)
	f(Null(catalog.String), `""`)
	f(Null(catalog.Datetime), `datetime(null)`)
	f(Dyn([]string{"a", "b"}), `dynamic(["a", "b"])`)
	f(Dyn(map[string]any{"b": 1, "a": []any{1.5, nil, true, time.Duration(time.Hour)}}), `dynamic({"a": [1.5, null, true, 1h], "b": 1})`)
	f(Dyn(struct {
		N int    `json:"n"`
		S string `json:"s"`
	}{1, "x"}), `dynamic({"n": 1, "s": "x"})`)
	f(Dyn(nil), `dynamic(null)`)
	f(Dyn(json.Number("12")), `dynamic(12)`)
	f(Name("a b"), `['a b']`)
	f(Name("by"), `['by']`)
	f(Name("o'k"), `['o\'k']`)
	f(Name("TimeGenerated"), `TimeGenerated`)
	f(Member(Name("d"), "type"), `d.type`)
	f(Member(Name("d"), "a b"), `d["a b"]`)
	f(Index(Name("d"), Long(0)), `d[0]`)
	f(Call("int", Long(1)), `['int'](1)`)
	f(Call("count", Star()), `count(*)`)
	f(Between(Name("t"), Call("ago", Timespan(time.Hour)), Call("now")), `t between (ago(1h) .. now())`)
	f(And(), `true`)
	f(Or(), `false`)
	f(Or(Name("a")), `a`)
}

func TestBuildersParenthesise(t *testing.T) {
	a, b, c := Name("a"), Name("b"), Name("c")
	f := func(x Expr, want string) { t.Helper(); checkBuilt(t, x, want) }
	f(Bin(OpMul, Bin(OpAdd, a, b), c), `(a + b) * c`)
	f(Bin(OpAdd, a, Bin(OpMul, b, c)), `a + b * c`)
	f(Bin(OpSub, a, Bin(OpSub, b, c)), `a - (b - c)`)
	f(Bin(OpSub, Bin(OpSub, a, b), c), `a - b - c`)
	f(And(Or(a, b), c), `(a or b) and c`)
	f(Or(And(a, b), c), `a and b or c`)
	f(Bin(OpEq, Bin(OpLt, a, b), c), `a < b == c`)
	f(Bin(OpLt, Bin(OpEq, a, b), c), `(a == b) < c`)
	f(Bin(OpEq, a, Bin(OpEq, b, c)), `a == (b == c)`)
	f(Bin(OpHas, Bin(OpAdd, a, b), Str("x")), `(a + b) has "x"`)
	f(Bin(OpAdd, Bin(OpHas, a, Str("x")), b), `a has "x" + b`)
	f(Bin(OpSub, a, Long(-5)), `a - -5`)
	f(Bin(OpMul, Long(-2), a), `-2 * a`)
	f(In(Bin(OpEq, a, b), OpIn, c), `(a == b) in (c)`)
	f(Bin(OpAnd, In(a, OpIn, Long(1)), b), `a in (1) and b`)
	f(Bin(OpIn, a, b), `a in (b)`)
	f(Member(Bin(OpAdd, a, b), "x"), `(a + b).x`)
	f(&UnaryExpr{Op: "-", X: Bin(OpAdd, a, b)}, `-(a + b)`)
	f(&UnaryExpr{Op: "-", X: Long(-1)}, `-(-1)`)
	f(Bin(OpEq, a, Pipe(Name("T"), Count())), `a == (T | count)`)
	checkBuilt(t, NewQuery(Statement(Pipe(Name("T"), &JoinOp{Right: Pipe(Name("U"), Take(1)), On: []Expr{a}}))),
		`T | join (U | take 1) on a`)
	checkBuilt(t, NewQuery(Statement(Pipe(Pipe(Name("T"), Where(a)), Take(1)))), `T | where a | take 1`)
}

// TestBuiltTreesPrintValidKQL prints random expression trees made with the
// builders and checks that the text parses and prints the same again.
func TestBuiltTreesPrintValidKQL(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		x := randomExpr(r, 4)
		text := Print(x)
		y, err := ParseExpr(text)
		if err != nil {
			t.Fatalf("tree %d prints %q, which does not parse: %v", i, text, err)
		}
		if again := Print(y); again != text {
			t.Fatalf("tree %d prints %q, then %q", i, text, again)
		}
	}
}

var randomOps = []BinOp{OpAdd, OpSub, OpMul, OpDiv, OpMod, OpEq, OpNe, OpLt, OpLe, OpGt, OpGe,
	OpEqCI, OpNeCI, OpAnd, OpOr, OpRegex, OpHas, OpNotHas, OpContainsCs, OpNotStartsWith, OpEndsWith}

func randomExpr(r *rand.Rand, depth int) Expr {
	if depth == 0 || r.IntN(4) == 0 {
		return randomLeaf(r)
	}
	switch r.IntN(8) {
	case 0:
		return In(randomExpr(r, depth-1), []BinOp{OpIn, OpNotIn, OpInCI, OpHasAny}[r.IntN(4)], randomExpr(r, depth-1), randomLeaf(r))
	case 1:
		return Between(randomExpr(r, depth-1), randomExpr(r, depth-1), randomLeaf(r))
	case 2:
		return Call("f", randomExpr(r, depth-1))
	case 3:
		return Member(randomExpr(r, depth-1), "p")
	case 4:
		return &UnaryExpr{Op: "-", X: randomExpr(r, depth-1)}
	}
	return Bin(randomOps[r.IntN(len(randomOps))], randomExpr(r, depth-1), randomExpr(r, depth-1))
}

func randomLeaf(r *rand.Rand) Expr {
	switch r.IntN(7) {
	case 0:
		return Long(r.Int64N(200) - 100)
	case 1:
		return Real(float64(r.IntN(2000)-1000) / 8)
	case 2:
		return Str(strings.Repeat("x'\"\\", r.IntN(2)))
	case 3:
		return Timespan(time.Duration(r.Int64N(1e12) - 5e11))
	case 4:
		return Dyn([]any{r.IntN(3), "s"})
	}
	return Name([]string{"a", "b c", "by", "count"}[r.IntN(4)])
}

func TestBuilderOperators(t *testing.T) {
	q := NewQuery(Statement(Pipe(Name("DeviceProcessEvents"),
		Where(Bin(OpHas, Name("ProcessCommandLine"), Str("-enc"))),
		Project("DeviceName", "Account Name"),
		ProjectExprs(Named("n", Call("strlen", Name("DeviceName")))),
		Sort(Asc(Name("n")), Desc(Name("DeviceName"))),
		Distinct("n", "by"),
		Count(),
	)))
	checkBuilt(t, q, `DeviceProcessEvents | where ProcessCommandLine has "-enc" | project DeviceName, ['Account Name']`+
		` | project n = strlen(DeviceName) | sort by n asc, DeviceName desc | distinct n, ['by'] | count`)
	if _, err := DynOf(make(chan int)); err == nil {
		t.Error("DynOf(chan) succeeded")
	}
	defer func() {
		if recover() == nil {
			t.Error("Dyn(chan) did not panic")
		}
	}()
	Dyn(func() {})
}

func TestPrintPartsAndOddValues(t *testing.T) {
	f := func(n Node, want string) {
		t.Helper()
		if got := Print(n); got != want {
			t.Errorf("Print(%T) = %q, want %q", n, got, want)
		}
	}
	f(&OpParam{Name: "kind", Value: Name("inner")}, `kind=inner`)
	f(&OpParam{Name: "a b", Value: Long(1)}, `['a b']=1`)
	f(Named("x", Long(1)), `x = 1`)
	f(Desc(Name("a")), `a desc`)
	f(&Rename{New: Name("a"), Old: Name("b")}, `a = b`)
	f(&ReorderCol{Name: &Ident{Name: "a*"}, Order: "granny-asc"}, `a* granny-asc`)
	f(&MvItem{Col: &NamedExpr{X: Name("d")}, ToType: "long"}, `d to typeof(long)`)
	f(&ParsePart{Star: true}, `*`)
	f(&SeriesAgg{Agg: &NamedExpr{X: Call("count")}, Default: Long(0)}, `count() default=0`)
	f(&Param{Name: Name("T"), Star: true}, `T:(*)`)
	f(&ColumnDecl{Name: Name("c"), Type: "string"}, `c:string`)
	f(&LetStmt{Name: Name("x"), Value: Long(1)}, `let x = 1`)
	f(&SetStmt{Name: Name("notruncation")}, `set notruncation`)
	f(Take(5), `take 5`)
	// Values of Go types the parser never produces still print valid KQL.
	f(&Literal{Type: catalog.Dynamic, Value: []any{int32(1), uint8(2), float32(0.5), struct{}{}}}, `dynamic([1, 2, 0.5, "{}"])`)
	f(&Literal{Type: catalog.Long, Value: "five"}, `"five"`)
	f(&Literal{Type: catalog.Real, Value: 3}, `3.0`)
	f(&Literal{Type: catalog.GUID, Value: "not-a-guid"}, `"not-a-guid"`)
	f(&Literal{Type: catalog.Dynamic, Value: []any{json.Number("0x10"), math.NaN()}}, `dynamic(["0x10", real(nan)])`)
	f(nil, ``)
}
