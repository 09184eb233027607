package kql

import (
	"strings"
	"testing"
)

func names(n Node) string {
	var out []string
	Walk(n, func(c Node) bool {
		switch c := c.(type) {
		case *Ident:
			out = append(out, c.Name)
		case *Literal:
			out = append(out, literalText(c))
		}
		return true
	})
	return strings.Join(out, " ")
}

func TestWalkOrder(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		q, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(q); got != want {
			t.Errorf("Walk(%q) visits %q, want %q", in, got, want)
		}
	}
	f(`let x = 1; T | where a > x | project b = c`, `x 1 T a x b c`)
	f(`T | join kind=inner (U | where d) on $left.a == $right.b`, `T inner U d $left a $right b`)
	f(`T | parse m with * "x" y:long`, `T m "x" y`)
	f(`T | make-series c = count() default=0 on t from 1 to 2 step 3 by k`, `T c count 0 t 1 2 3 k`)
	f(`let f = (a:string, U:(c:long)) { U | where c == a }; f("x")`, `f a U c U c a f "x"`)
	f(`T | mv-apply x to typeof(long) on (summarize s = sum(x))`, `T x s sum x`)
	f(`T | render timechart with (ycolumns=a, b)`, `T timechart a b`)
	f(`datatable(a:long) [1, 2] | evaluate bag_unpack(d) : (e:string)`, `a 1 2 bag_unpack d e`)
}

func TestWalkPrunesAndInspectCloses(t *testing.T) {
	q, err := Parse(`T | where f(a, b) | project c`)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	Walk(q, func(n Node) bool {
		if c, ok := n.(*CallExpr); ok {
			seen = append(seen, "call "+c.Fn.Name)
			return false // do not enter the call
		}
		if id, ok := n.(*Ident); ok {
			seen = append(seen, id.Name)
		}
		return true
	})
	if got := strings.Join(seen, " "); got != "T call f c" {
		t.Errorf("pruned walk = %q", got)
	}
	depth, maxDepth, nils := 0, 0, 0
	Inspect(q, func(n Node) bool {
		if n == nil {
			depth--
			nils++
			return true
		}
		depth++
		maxDepth = max(maxDepth, depth)
		return true
	})
	if depth != 0 || nils == 0 || maxDepth < 5 {
		t.Errorf("Inspect: depth %d after the walk, %d closing calls, max depth %d", depth, nils, maxDepth)
	}
	count := 0
	for range All(q) {
		count++
		if count == 3 {
			break
		}
	}
	if count != 3 {
		t.Errorf("All did not stop at break: %d", count)
	}
}

func TestChildrenOfEveryNodeType(t *testing.T) {
	// One query touching every node type; each must report its children and
	// keep them inside its span.
	src := `let f = (a:string, T:(c:long), U:(*), n:long = 5) { T | where c > n };
set query_now = datetime(2024-01-01);
union withsource=S A, (B | take 1)
| where a in ("x") and b between (1 .. 2) and -c > 1 and d.e[0] == f(*)
| project x = 1, (y, z) = g()
| project-away p*
| project-keep q
| project-rename r = s
| project-reorder t asc
| extend u = (1)
| summarize hint.strategy=shuffle count() by v
| count
| distinct w
| take 1
| top 1 by x desc nulls last
| sort by x
| join (C) on x
| lookup D on x
| union E
| mv-expand m to typeof(long) limit 1
| mv-apply m2 on (take 1)
| parse x with "a" b:long *
| serialize
| evaluate bag_unpack(x) : (k:string)
| make-series count() default=0 on t from 1 to 2 step 1 by x
| search "x"
| as Y
| render timechart with (title="t")
| getschema
| invoke h()
| sample 1;
print 1;
range i from 1 to 2 step 1;
search in (T) "x";
datatable(a:long) [1];
externaldata(a:string) ["u"] with (format="csv")`
	q, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if msg := checkSpans(q, len(src)); msg != "" {
		t.Error(msg)
	}
	if msg := roundTrip(q); msg != "" {
		t.Error(msg)
	}
	types := map[string]bool{}
	Walk(q, func(n Node) bool {
		types[strings.TrimPrefix(strings.TrimPrefix(typeName(n), "*kql."), "kql.")] = true
		return true
	})
	for _, want := range strings.Fields(`Query LetStmt SetStmt ExprStmt Ident Literal BinaryExpr UnaryExpr InExpr
		BetweenExpr CallExpr StarExpr MemberExpr IndexExpr ParenExpr PipeExpr FuncExpr Param ColumnDecl
		DatatableExpr ExternalDataExpr UnionExpr PrintExpr RangeExpr SearchExpr OpParam NamedExpr SortKey
		WhereOp ProjectOp ProjectAwayOp ProjectKeepOp ProjectRenameOp Rename ProjectReorderOp ReorderCol
		ExtendOp SummarizeOp CountOp DistinctOp TakeOp TopOp SortOp JoinOp LookupOp UnionOp MvExpandOp
		MvItem MvApplyOp ParseOp ParsePart SerializeOp EvaluateOp MakeSeriesOp SeriesAgg SearchOp AsOp
		RenderOp GetSchemaOp InvokeOp SampleOp`) {
		if !types[want] {
			t.Errorf("the walk never reached a %s", want)
		}
	}
}

func TestUnparenAndNilSafety(t *testing.T) {
	x, _ := ParseExpr(`((a))`)
	if id, ok := Unparen(x).(*Ident); !ok || id.Name != "a" {
		t.Errorf("Unparen = %#v", Unparen(x))
	}
	var nilIdent *Ident
	Walk(nilIdent, func(Node) bool { t.Error("visited a nil node"); return true })
	if Children(nilIdent) != nil || Children(nil) != nil {
		t.Error("children of nil")
	}
	if got := Print(&BinaryExpr{Op: OpAnd, L: Name("a")}); got != "a and " {
		t.Errorf("Print of a half-built node = %q", got)
	}
}
