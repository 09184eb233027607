package kql

import "testing"

func TestParseSearch(t *testing.T) {
	f := func(in, want string) { t.Helper(); checkParse(t, in, want) }
	f(`search "mimikatz"`, `search "mimikatz"`)
	f(`search kind=case_sensitive in (SecurityEvent, Sysmon*) "x" and y > 1 | take 10`,
		`search kind=case_sensitive in (SecurityEvent, Sysmon*) "x" and y > 1 | take 10`)
	f(`search * has "x"`, `search * has "x"`)
	f(`T | search "x"`, `T | search "x"`)
	f(`T | search kind=case_insensitive a == "b"`, `T | search kind=case_insensitive a == "b"`)
	checkError(t, `search kind=exact "x"`, CodeSyntax, "1:13", "expected a kind such as default")
	checkError(t, `search in (T "x"`, CodeSyntax, "1:14", "expected ')' to close the table list")
}
