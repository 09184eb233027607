package sigma

import (
	"fmt"
	"strings"
	"testing"
)

// printCond renders a parsed condition canonically, fully parenthesised.
func printCond(n condNode) string {
	switch x := n.(type) {
	case *condAnd:
		return "(" + joinCond(x.xs, " and ") + ")"
	case *condOr:
		return "(" + joinCond(x.xs, " or ") + ")"
	case *condNot:
		return "not " + printCond(x.x)
	case *condRef:
		return x.name
	case *condOf:
		q, what := "1", x.pattern
		if x.all {
			q = "all"
		}
		if what == "" {
			what = "them"
		}
		return q + " of " + what
	}
	return fmt.Sprintf("%T", n)
}

func joinCond(xs []condNode, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = printCond(x)
	}
	return strings.Join(parts, sep)
}

func TestParseCondition(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		n, err := parseCondition(in)
		if err != nil {
			t.Fatalf("parseCondition(%q): %v", in, err)
		}
		if got := printCond(n); got != want {
			t.Errorf("parseCondition(%q) = %s, want %s", in, got, want)
		}
		// The canonical form parses to the same tree.
		again, err := parseCondition(want)
		if err != nil || printCond(again) != want {
			t.Errorf("round trip of %q: %v %v", want, err, again)
		}
	}
	f("selection", "selection")
	f("selection and not filter", "(selection and not filter)")
	f("a or b and c", "(a or (b and c))") // and binds tighter than or
	f("a and b or c", "((a and b) or c)")
	f("not a and b", "(not a and b)") // not binds tighter than and
	f("not (a and b)", "not (a and b)")
	f("not not a", "not not a")
	f("(a or b) and c", "((a or b) and c)")
	f("1 of selection_*", "1 of selection_*")
	f("all of selection*", "all of selection*")
	f("1 of them", "1 of them")
	f("all of them", "all of them")
	f("1 of sel* and not 1 of filter*", "(1 of sel* and not 1 of filter*)")
	f("not 1 of filter_*", "not 1 of filter_*")
	f("selection AND NOT filter", "(selection and not filter)")
	f("  sel1\n  and sel2  ", "(sel1 and sel2)")
	f("(((a)))", "a")
	f("any of sel*", "1 of sel*")
	f("a and b and c", "(a and b and c)")
	f("sel-1 or sel.2", "(sel-1 or sel.2)")
}

func TestParseConditionErrors(t *testing.T) {
	f := func(in string, wantOff int, wantMsg, wantHint string) {
		t.Helper()
		_, err := parseCondition(in)
		ce, ok := err.(*condError)
		if !ok {
			t.Fatalf("parseCondition(%q) = %v, want a condition error", in, err)
		}
		if ce.off != wantOff || !strings.Contains(ce.msg, wantMsg) || !strings.Contains(ce.hint, wantHint) {
			t.Errorf("parseCondition(%q) = %d %q (hint %q), want %d %q (hint %q)", in, ce.off, ce.msg, ce.hint, wantOff, wantMsg, wantHint)
		}
	}
	f("", 0, "expected a search identifier, not, '(' or '1 of', found the end of the condition", "")
	f("selection and", 13, "found the end of the condition", "")
	f("(a or b", 7, "expected ')'", "")
	f("a b", 2, `expected and, or or the end of the condition, found "b"`, "")
	f("selection | count() > 5", 10, "aggregations after | are Sigma 1 syntax", "correlation")
	f("2 of sel*", 0, `"2" of is not Sigma`, "'1 of'")
	f("1 of", 4, "pattern or 'them' after 'of'", "")
	f("a and or b", 6, `expected a search identifier, found "or"`, "")
	f("a)", 1, `found ")"`, "")
	f(strings.Repeat("(", 100)+"a"+strings.Repeat(")", 100), 64, "nests more than 64 levels", "")
	f(strings.Repeat("not ", 100)+"a", 256, "nests more than 64 levels", "")
}

func TestMatchSearches(t *testing.T) {
	order := []string{"selection_img", "selection_cli", "_helper", "filter_main", "filter_optional_x"}
	f := func(n *condOf, want string) {
		t.Helper()
		if got := strings.Join(matchSearches(n, order), ","); got != want {
			t.Errorf("matchSearches(%+v) = %s, want %s", n, got, want)
		}
	}
	f(&condOf{}, "selection_img,selection_cli,filter_main,filter_optional_x") // them skips _helper
	f(&condOf{pattern: "selection_*"}, "selection_img,selection_cli")
	f(&condOf{pattern: "filter_optional_*"}, "filter_optional_x")
	f(&condOf{pattern: "_*"}, "_helper") // a pattern may name underscore identifiers
	f(&condOf{pattern: "nothing*"}, "")
}

func TestConditionOffsetPos(t *testing.T) {
	c := Condition{Text: "selection and not filtr", Pos: Pos{Line: 12, Col: 16}}
	if got := c.offsetPos(18); got != (Pos{Line: 12, Col: 34}) {
		t.Errorf("plain scalar: %v, want 12:34", got)
	}
	c.Quoted = true
	if got := c.offsetPos(18); got != (Pos{Line: 12, Col: 35}) {
		t.Errorf("quoted scalar: %v, want 12:35 (the quote shifts columns)", got)
	}
	m := Condition{Text: "a and\n  b and c", Pos: Pos{Line: 20, Col: 5}}
	if got := m.offsetPos(8); got != (Pos{Line: 21, Col: 3}) {
		t.Errorf("second line: %v, want 21:3", got)
	}
}
