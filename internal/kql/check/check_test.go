package check_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// testCatalog has two small tables with one column of each type.
func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.New([]*catalog.Table{
		{Name: "SigninLogs", Source: "test", Columns: []catalog.Column{
			{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "AccountName", Type: catalog.String},
			{Name: "UserPrincipalName", Type: catalog.String}, {Name: "ResultType", Type: catalog.String},
			{Name: "IPAddress", Type: catalog.String}, {Name: "LocationDetails", Type: catalog.Dynamic},
			{Name: "DurationMs", Type: catalog.Long}, {Name: "IsInteractive", Type: catalog.Bool},
			{Name: "RiskScore", Type: catalog.Real}, {Name: "Elapsed", Type: catalog.Timespan},
			{Name: "LogonType", Type: catalog.Int}, {Name: "CorrelationId", Type: catalog.GUID},
		}},
		{Name: "DeviceLogonEvents", Source: "test", Columns: []catalog.Column{
			{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "DeviceName", Type: catalog.String},
			{Name: "AccountName", Type: catalog.String}, {Name: "ActionType", Type: catalog.String},
			{Name: "RemoteIP", Type: catalog.String},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func checkSrc(t testing.TB, src string, opt check.Options) (*check.Checked, error) {
	t.Helper()
	q, err := kql.Parse(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	if opt.Catalog == nil {
		opt.Catalog = testCatalog(t)
	}
	if opt.Now.IsZero() {
		opt.Now = now
	}
	return check.Check(q, opt)
}

// TestCheckErrors lists queries with the first error they must produce:
// its code, position (line:col), a part of its message and its hint.
func TestCheckErrors(t *testing.T) {
	f := func(src, code, pos, msg, hint string) {
		t.Helper()
		_, err := checkSrc(t, src, check.Options{})
		var list kql.ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("%s: want %s, got %v", src, code, err)
			return
		}
		e := list[0]
		line, col := kql.Position(src, e.Span.Start)
		got := strings.Join([]string{e.Code, itoa(line) + ":" + itoa(col)}, " ")
		if want := code + " " + pos; got != want {
			t.Errorf("%s:\n got %s (%s)\nwant %s", src, got, e.Msg, want)
		}
		if !strings.Contains(e.Msg, msg) {
			t.Errorf("%s: message %q does not contain %q", src, e.Msg, msg)
		}
		if e.Hint != hint {
			t.Errorf("%s: hint %q, want %q", src, e.Hint, hint)
		}
	}
	// Unknown names, with did-you-mean hints (a case-insensitive match first).
	f(`SigninLogs | where accountname == "x"`, kql.CodeUnknownColumn, "1:20", "column 'accountname' not found", "did you mean 'AccountName'?")
	f(`SigninLogs | where AcountName == "x"`, kql.CodeUnknownColumn, "1:20", "column 'AcountName' not found", "did you mean 'AccountName'?")
	f(`SigninLogs | project Zzz`, kql.CodeUnknownColumn, "1:22", "column 'Zzz' not found", "")
	f(`SiginLogs | take 1`, kql.CodeUnknownTable, "1:1", "table 'SiginLogs' not found", "did you mean 'SigninLogs'?")
	f(`signinlogs | take 1`, kql.CodeUnknownTable, "1:1", "table 'signinlogs' not found", "did you mean 'SigninLogs'?")
	f(`NoSuchTable`, kql.CodeUnknownTable, "1:1", "table 'NoSuchTable' not found", "run 'sleuth tables' for the tables in the store")
	f(`SigninLogs | extend x = tolowr(AccountName)`, kql.CodeUnknownFunction, "1:25", "function 'tolowr' is not defined", "did you mean 'tolower'?")
	f(`SigninLogs | where TimeGenerated > agoo(1d)`, kql.CodeUnknownFunction, "1:36", "function 'agoo' is not defined", "did you mean 'ago'?")
	// Column names are case-sensitive and so is the next stage's schema.
	f(`SigninLogs | project Name = AccountName | where AccountName == "x"`, kql.CodeUnknownColumn, "1:49", "column 'AccountName' not found", "")
	f(`SigninLogs | summarize count() by AccountName | where Count > 1`, kql.CodeUnknownColumn, "1:55", "column 'Count' not found", "did you mean 'count_'?")
	// Types.
	f(`SigninLogs | where DurationMs + AccountName > 0`, kql.CodeTypeMismatch, "1:20", "cannot apply '+' to long and string", "use strcat(a, b) to join strings")
	f(`SigninLogs | where TimeGenerated > 5`, kql.CodeTypeMismatch, "1:20", "cannot compare datetime with long", "convert one side, e.g. with tostring() or todatetime()")
	f(`SigninLogs | where AccountName`, kql.CodeTypeMismatch, "1:20", "where needs a bool predicate, found string", `compare it with a value, e.g. Col == "value" or isnotempty(Col)`)
	f(`SigninLogs | where IsInteractive and DurationMs`, kql.CodeTypeMismatch, "1:38", "'and' needs bool operands, found long", "")
	f(`SigninLogs | extend x = ago("1d")`, kql.CodeTypeMismatch, "1:29", "argument 1 of ago must be a timespan, found string", "")
	f(`SigninLogs | extend x = iff(IsInteractive, 1, "a")`, kql.CodeTypeMismatch, "1:47", "the branches of iff must share a type, found long and string", "")
	f(`SigninLogs | extend x = strlen()`, kql.CodeTypeMismatch, "1:25", "strlen takes 1 argument, found 0", "")
	f(`SigninLogs | extend x = count()`, kql.CodeTypeMismatch, "1:25", "count() is an aggregate", "use it in summarize, e.g. summarize count(…) by …")
	f(`SigninLogs | summarize AccountName`, kql.CodeTypeMismatch, "1:24", "column 'AccountName' must be aggregated in summarize", "wrap it in an aggregate such as take_any(AccountName), or add it after 'by'")
	f(`SigninLogs | where TimeGenerated > ago(1d) | summarize x = 1`, kql.CodeTypeMismatch, "1:56", "summarize needs an aggregate", "use an aggregate such as count(), sum(X) or take_any(X)")
	f(`SigninLogs | where AccountName =~ 5`, kql.CodeTypeMismatch, "1:20", "'=~' compares strings, found string and long", "use == for values that are not strings")
	f(`SigninLogs | where TimeGenerated has "x"`, kql.CodeTypeMismatch, "1:20", "'has' needs a string on its left, found datetime", "convert it with tostring() first")
	f(`SigninLogs | join (DeviceLogonEvents) on DeviceName`, kql.CodeUnknownColumn, "1:42", "column 'DeviceName' not found on the left side of the join", "")
	f(`SigninLogs | join (DeviceLogonEvents) on $left.IPAddress == $right.RemoteIp`, kql.CodeUnknownColumn, "1:42", "column 'RemoteIp' not found on the right side of the join", "did you mean 'RemoteIP'?")
	f(`SigninLogs | join (DeviceLogonEvents) on $left.DurationMs == $right.AccountName`, kql.CodeTypeMismatch, "1:42", "join key 'DurationMs' is long on the left and string on the right", "convert one side in a project or extend before the join")
	f(`SigninLogs | where CorrelationId matches regex "[a-"`, kql.CodeSyntax, "1:48", "invalid regular expression", "")
	f(`datatable (a:string) ["x", 1]`, kql.CodeTypeMismatch, "1:28", "column 'a' is string, found a long value", "")
	f(`let f = (n:long) { n }; print x = f("a")`, kql.CodeTypeMismatch, "1:37", "parameter 'n' of 'f' is long, found string", "")
	// Unsupported constructs are named.
	f(`externaldata (a:string) ["https://example.com/x.csv"]`, kql.CodeUnsupported, "1:1", "externaldata is not supported", "ingest the data with 'sleuth ingest' and query its table")
	f(`SigninLogs | evaluate autocluster()`, kql.CodeUnsupported, "1:23", "evaluate plugin 'autocluster' is not supported", "only evaluate bag_unpack(…) runs on the embedded store")
	f(`SigninLogs | extend a = 1, A = 2`, kql.CodeUnsupported, "1:14", "columns 'a' and 'A' differ only in case", "rename one of them with project-rename")
	f(`let f = () { f() }; f()`, kql.CodeLimit, "1:14", "function calls nest too deeply", "a let-bound function may not call itself")
	f(`SigninLogs | project a = 1, a = 2`, kql.CodeTypeMismatch, "1:29", "column 'a' is projected twice", "give one of them another name with Name = …")
}

func itoa(i int) string {
	s := ""
	if i == 0 {
		return "0"
	}
	for i > 0 {
		s = string(rune('0'+i%10)) + s
		i /= 10
	}
	return s
}

// TestCheckCollectsErrors reports several problems of one query, in order.
func TestCheckCollectsErrors(t *testing.T) {
	src := "SigninLogs\n| where Acount == 1\n| extend y = frob(2)\n| project Zed"
	_, err := checkSrc(t, src, check.Options{})
	var list kql.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("want an ErrorList, got %v", err)
	}
	var got []string
	for _, e := range list {
		line, col := kql.Position(src, e.Span.Start)
		got = append(got, itoa(line)+":"+itoa(col)+" "+e.Code)
	}
	want := "2:9 kql.unknown_column, 3:14 kql.unknown_function, 4:11 kql.unknown_column"
	if strings.Join(got, ", ") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, ", "), want)
	}
	if f := list[0].Format(src); !strings.Contains(f, "2:9: kql.unknown_column: column 'Acount' not found\n  | where Acount == 1\n          ^^^^^^") {
		t.Errorf("Format:\n%s", f)
	}
}

// TestCheckTypes lists expressions with the type the checker infers.
func TestCheckTypes(t *testing.T) {
	f := func(expr string, want catalog.Type) {
		t.Helper()
		ch, err := checkSrc(t, "SigninLogs | project x = "+expr, check.Options{})
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			return
		}
		if got := ch.Result.Columns[0].Type; got != want {
			t.Errorf("%s: type %s, want %s", expr, got, want)
		}
	}
	f("1", catalog.Long)
	f("int(1)", catalog.Int)
	f("LogonType + LogonType", catalog.Long)
	f("DurationMs / 2", catalog.Long)
	f("DurationMs / 2.0", catalog.Real)
	f("DurationMs * RiskScore", catalog.Real)
	f("TimeGenerated - TimeGenerated", catalog.Timespan)
	f("TimeGenerated + 1d", catalog.Datetime)
	f("1d + TimeGenerated", catalog.Datetime)
	f("Elapsed * 2", catalog.Timespan)
	f("Elapsed / 1h", catalog.Real)
	f("-Elapsed", catalog.Timespan)
	f("LocationDetails.city", catalog.Dynamic)
	f("LocationDetails['geo'][0]", catalog.Dynamic)
	f("tostring(LocationDetails.city)", catalog.String)
	f("toint('5')", catalog.Int)
	f("todouble('5')", catalog.Real)
	f("todynamic('{}')", catalog.Dynamic)
	f("AccountName has 'x'", catalog.Bool)
	f("AccountName in ('a', 'b')", catalog.Bool)
	f("bin(TimeGenerated, 1h)", catalog.Datetime)
	f("bin(DurationMs, 10)", catalog.Long)
	f("bin(RiskScore, 0.5)", catalog.Real)
	f("iff(IsInteractive, 1, 2.5)", catalog.Real)
	f("case(IsInteractive, 'a', 'b')", catalog.String)
	f("coalesce(LogonType, DurationMs)", catalog.Long)
	f("strlen(AccountName)", catalog.Long)
	f("split(AccountName, '@')", catalog.Dynamic)
	f("dayofweek(TimeGenerated)", catalog.Timespan)
	f("datetime_diff('day', TimeGenerated, now())", catalog.Long)
	f("extract('(\\\\d+)', 1, AccountName, typeof(long))", catalog.Long)
	f("max_of(LogonType, DurationMs)", catalog.Long)
	f("column_ifexists('DurationMs', 0)", catalog.Long)
	f("column_ifexists('Nope', 'x')", catalog.String)
	f("CorrelationId", catalog.GUID)
}

// TestCheckSchemas lists queries with the result schema.
func TestCheckSchemas(t *testing.T) {
	f := func(src, want string) {
		t.Helper()
		ch, err := checkSrc(t, src, check.Options{})
		if err != nil {
			t.Errorf("%s: %v", src, err)
			return
		}
		if got := ch.Result.String(); got != want {
			t.Errorf("%s:\n got %s\nwant %s", src, got, want)
		}
	}
	f(`SigninLogs | summarize count(), dcount(IPAddress), max(TimeGenerated), avg(RiskScore), sum(DurationMs) by AccountName`,
		"(AccountName:string, count_:long, dcount_IPAddress:long, max_TimeGenerated:datetime, avg_RiskScore:real, sum_DurationMs:long)")
	f(`SigninLogs | summarize countif(IsInteractive), make_set(IPAddress), make_list(AccountName), make_bag(LocationDetails) by bin(TimeGenerated, 1h)`,
		"(TimeGenerated:datetime, countif_:long, set_IPAddress:dynamic, list_AccountName:dynamic, bag_LocationDetails:dynamic)")
	f(`SigninLogs | summarize count(AccountName), percentile(DurationMs, 95), percentiles(RiskScore, 50, 99.5)`,
		"(count_AccountName:long, percentile_DurationMs_95:long, percentile_RiskScore_50:real, percentile_RiskScore_99_5:real)")
	f(`SigninLogs | summarize arg_max(TimeGenerated, IPAddress, RiskScore) by AccountName`,
		"(AccountName:string, TimeGenerated:datetime, IPAddress:string, RiskScore:real)")
	f(`DeviceLogonEvents | summarize arg_max(TimeGenerated, *) by DeviceName`,
		"(DeviceName:string, TimeGenerated:datetime, AccountName:string, ActionType:string, RemoteIP:string)")
	f(`DeviceLogonEvents | summarize take_any(*) by DeviceName`,
		"(DeviceName:string, TimeGenerated:datetime, AccountName:string, ActionType:string, RemoteIP:string)")
	f(`SigninLogs | summarize x = round(avg(RiskScore), 2), sum(DurationMs) / count() by bin(TimeGenerated, 1d), tolower(AccountName)`,
		"(TimeGenerated:datetime, Column1:string, x:real, sum_DurationMs:long)")
	f(`SigninLogs | project AccountName | join (DeviceLogonEvents | project AccountName, DeviceName) on AccountName`,
		"(AccountName:string, AccountName1:string, DeviceName:string)")
	f(`SigninLogs | project AccountName, IPAddress | lookup (DeviceLogonEvents | project AccountName, DeviceName) on AccountName`,
		"(AccountName:string, IPAddress:string, DeviceName:string)")
	f(`SigninLogs | project AccountName | join kind=leftanti (DeviceLogonEvents) on AccountName`, "(AccountName:string)")
	f(`union withsource=T (SigninLogs | project AccountName, DurationMs), (DeviceLogonEvents | project DeviceName, AccountName)`,
		"(T:string, AccountName:string, DurationMs:long, DeviceName:string)")
	f(`SigninLogs | project AccountName | extend AccountName = strlen(AccountName), n = 1`, "(AccountName:long, n:long)")
	f(`SigninLogs | project-away *Name, IPAddress, LocationDetails, DurationMs, IsInteractive, RiskScore, Elapsed, LogonType`,
		"(TimeGenerated:datetime, ResultType:string, CorrelationId:guid)")
	f(`SigninLogs | project-rename Who = AccountName | project-keep Who, TimeGenerated`, "(TimeGenerated:datetime, Who:string)")
	f(`SigninLogs | project-reorder IPAddress, Account* | project-keep IPAddress, AccountName, TimeGenerated`, "(IPAddress:string, AccountName:string, TimeGenerated:datetime)")
	f(`SigninLogs | mv-expand with_itemindex=i LocationDetails to typeof(string) | project LocationDetails, i`, "(LocationDetails:string, i:long)")
	f(`SigninLogs | parse AccountName with user "@" domain | project user, domain`, "(user:string, domain:string)")
	f(`SigninLogs | parse kind=regex AccountName with "x" n:long | project n`, "(n:long)")
	f(`SigninLogs | make-series n = count() on TimeGenerated step 1h by AccountName`, "(AccountName:string, n:dynamic, TimeGenerated:dynamic)")
	f(`SigninLogs | count`, "(Count:long)")
	f(`SigninLogs | distinct AccountName, tolower(IPAddress)`, "(AccountName:string, Column1:string)")
	f(`SigninLogs | getschema`, "(ColumnName:string, ColumnOrdinal:int, DataType:string, ColumnType:string)")
	f(`print 1, x = "a"`, "(print_0:long, x:string)")
	f(`range t from ago(1d) to now() step 1h`, "(t:datetime)")
	f(`datatable (a:string, b:long) ["x", 1]`, "(a:string, b:long)")
	f(`let T = SigninLogs | where IsInteractive; let n = 5; T | take n | project AccountName`, "(AccountName:string)")
	f(`let f = (t:(AccountName:string)) { t | summarize count() by AccountName }; f(SigninLogs)`, "(AccountName:string, count_:long)")
	f(`let f = (T:(*)) { T | take 1 }; SigninLogs | invoke f() | project AccountName`, "(AccountName:string)")
	f(`SigninLogs | as S | join (S | project AccountName, n = 1) on AccountName | project AccountName, n`, "(AccountName:string, n:long)")
	f(`SigninLogs | evaluate bag_unpack(LocationDetails) | project AccountName, city`, "(AccountName:string, city:dynamic)")
	f(`SigninLogs | mv-apply ip = split(IPAddress, ".") to typeof(string) on (summarize n = count()) | project AccountName, n`, "(AccountName:string, n:long)")
	f(`search in (SigninLogs, DeviceLogonEvents) "alice" | project ["$table"], AccountName`, "($table:string, AccountName:string)")
	f(`SigninLogs | union DeviceLogonEvents | summarize count() by AccountName`, "(AccountName:string, count_:long)")
	f(`SigninLogs | render timechart`, "(TimeGenerated:datetime, AccountName:string, UserPrincipalName:string, ResultType:string, IPAddress:string, LocationDetails:dynamic, DurationMs:long, IsInteractive:bool, RiskScore:real, Elapsed:timespan, LogonType:int, CorrelationId:guid)")
}

// TestCheckRewrites shows what the checker substitutes: let-bound values
// and user functions become the bound expressions.
func TestCheckRewrites(t *testing.T) {
	ch, err := checkSrc(t, "let n = 5; let f = (s:string) { strlen(s) > n }; SigninLogs | where f(AccountName)", check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kql.Print(ch.Body), "SigninLogs | where strlen(AccountName) > 5"; got != want {
		t.Errorf("rewritten body:\n%s\nwant\n%s", got, want)
	}
	if notices := ch.Notices; len(notices) != 0 {
		t.Errorf("unexpected notices %v", notices)
	}
	ch, err = checkSrc(t, "SigninLogs | render barchart", check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Notices) != 1 || !strings.Contains(ch.Notices[0].Msg, "render is ignored") {
		t.Errorf("notices %v", ch.Notices)
	}
	// set query_now changes the reference time.
	ch, err = checkSrc(t, "set query_now = datetime(2020-01-02); print x = 1", check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Now.Equal(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("now %v", ch.Now)
	}
}

// TestCheckDoesNotChangeInput checks on a copy of the tree.
func TestCheckDoesNotChangeInput(t *testing.T) {
	src := "let n = 5; SigninLogs | where DurationMs > n"
	q, err := kql.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	before := kql.Print(q)
	if _, err := check.Check(q, check.Options{Catalog: testCatalog(t), Now: now}); err != nil {
		t.Fatal(err)
	}
	if after := kql.Print(q); after != before {
		t.Errorf("the input changed:\n%s\nto\n%s", before, after)
	}
}

// TestPolicy is the guard: allowed tables, denied columns, set options and
// the row cap.
func TestPolicy(t *testing.T) {
	pol := &check.Policy{AllowedTables: []string{"SigninLogs"}, DeniedColumns: []string{"IPAddress", "SigninLogs.LocationDetails"}, MaxRows: 100}
	f := func(src, code, msg string) {
		t.Helper()
		_, err := checkSrc(t, src, check.Options{Policy: pol})
		if code == "" {
			if err != nil {
				t.Errorf("%s: %v", src, err)
			}
			return
		}
		var list kql.ErrorList
		if !errors.As(err, &list) || list[0].Code != code || !strings.Contains(list[0].Msg, msg) {
			t.Errorf("%s: got %v, want %s %q", src, err, code, msg)
		}
	}
	f(`SigninLogs | take 5`, "", "")
	f(`DeviceLogonEvents | take 5`, kql.CodePolicy, "the query policy does not allow table 'DeviceLogonEvents'")
	f(`SigninLogs | join (DeviceLogonEvents) on AccountName`, kql.CodePolicy, "does not allow table 'DeviceLogonEvents'")
	f(`SigninLogs | project IPAddress`, kql.CodePolicy, "the query policy does not allow column 'IPAddress'")
	f(`SigninLogs | where LocationDetails.city == "x"`, kql.CodePolicy, "does not allow column 'LocationDetails'")
	f(`set notruncation; SigninLogs | take 1`, kql.CodePolicy, "does not allow 'set notruncation'")
	ch, err := checkSrc(t, `SigninLogs`, check.Options{Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	if ch.RowCap != 100 {
		t.Errorf("row cap %d", ch.RowCap)
	}
	for _, c := range ch.Result.Columns {
		if c.Name == "IPAddress" || c.Name == "LocationDetails" {
			t.Errorf("denied column %s is in the result", c.Name)
		}
	}
}

// TestFunctionTable keeps every function's arity and aliases honest: each
// alias resolves, and each function rejects too many arguments.
func TestFunctionTable(t *testing.T) {
	for _, name := range check.Aliases() {
		if _, ok := check.Lookup(name); !ok {
			t.Errorf("alias %s does not resolve", name)
		}
	}
	if len(check.Funcs()) < 150 {
		t.Errorf("only %d functions", len(check.Funcs()))
	}
}
