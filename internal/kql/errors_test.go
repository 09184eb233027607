package kql

import (
	"errors"
	"strings"
	"testing"
)

func TestLimits(t *testing.T) {
	big := "print " + strings.Repeat("1+", MaxQueryBytes/2)
	_, err := Parse(big)
	var list ErrorList
	if !errors.As(err, &list) || list[0].Code != CodeLimit || !strings.Contains(list[0].Msg, "more than the limit") {
		t.Errorf("huge query: got %v, want kql.limit", err)
	}
	f := func(in, what string) {
		t.Helper()
		_, err := Parse(in)
		var list ErrorList
		if !errors.As(err, &list) || list[len(list)-1].Code != CodeLimit || !strings.Contains(list[len(list)-1].Msg, "nests deeper") {
			t.Errorf("%s: got %v, want kql.limit", what, err)
		}
	}
	f("print "+strings.Repeat("(", 300)+"1"+strings.Repeat(")", 300), "parentheses")
	f("print "+strings.Repeat("not(", 300)+"1"+strings.Repeat(")", 300), "calls")
	f("print dynamic("+strings.Repeat("[", 300)+strings.Repeat("]", 300)+")", "dynamic arrays")
	f(strings.Repeat("union (", 300)+"T"+strings.Repeat(")", 300), "union sources")
	f("T | mv-apply x on ("+strings.Repeat("mv-apply x on (", 300)+"take 1"+strings.Repeat(")", 301), "mv-apply")
	// Long flat chains are not deep.
	if _, err := Parse("T | where " + strings.Repeat("a or ", 5000) + "a"); err != nil {
		t.Errorf("a long or chain: %v", err)
	}
	if _, err := Parse("print " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100)); err != nil {
		t.Errorf("100 nested parentheses: %v", err)
	}
}

func TestErrorCountIsCapped(t *testing.T) {
	_, err := Parse("T" + strings.Repeat(" | wher x", 50))
	list, ok := err.(ErrorList)
	if !ok || len(list) != maxErrors {
		t.Fatalf("got %d errors, want %d", len(list), maxErrors)
	}
	for _, e := range list {
		if e.Code != CodeSyntax || e.Hint != "did you mean 'where'?" {
			t.Errorf("error %v", e)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	src := "SigninLogs\n| summarize count() bye UserPrincipalName"
	_, err := Parse(src)
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v", err)
	}
	want := "2:21: kql.syntax: expected 'by' or end of summarize, found 'bye' (hint: did you mean 'by'?)\n" +
		"  | summarize count() bye UserPrincipalName\n" +
		"                      ^^^"
	if got := list[0].Format(src); got != want {
		t.Errorf("Format =\n%s\nwant\n%s", got, want)
	}
	if list.ErrorCode() != CodeSyntax || list.ErrorHint() != "did you mean 'by'?" {
		t.Errorf("ErrorCode/ErrorHint = %q %q", list.ErrorCode(), list.ErrorHint())
	}
}

func TestParseExprAPI(t *testing.T) {
	x, err := ParseExpr(`Account has "admin" and EventID == 4624`)
	if err != nil {
		t.Fatal(err)
	}
	if got := Print(x); got != `Account has "admin" and EventID == 4624` {
		t.Errorf("Print = %q", got)
	}
	if _, ok := x.(*BinaryExpr); !ok {
		t.Errorf("ParseExpr = %T, want *BinaryExpr", x)
	}
	x, err = ParseExpr(`T | where a`)
	if _, ok := x.(*PipeExpr); err != nil || !ok {
		t.Errorf("ParseExpr of a pipeline = %T, %v", x, err)
	}
	checkExprError := func(in, msg string) {
		t.Helper()
		_, err := ParseExpr(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseExpr(%q) = %v, want an error containing %q", in, err, msg)
		}
	}
	checkExprError(`a b`, "expected end of expression, found 'b'")
	checkExprError(``, "expected an expression, found end of query")
	checkExprError(`let x = 1`, "expected end of expression")
}
