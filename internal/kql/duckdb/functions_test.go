package duckdb_test

import (
	"context"
	"sort"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
)

// TestEveryFunctionLowers keeps the checker's function table and the
// compiler's lowering table equal: a function the checker accepts always
// compiles.
func TestEveryFunctionLowers(t *testing.T) {
	have := map[string]bool{}
	for _, n := range duckdb.Emitters() {
		have[n] = true
	}
	for _, n := range check.Funcs() {
		if !have[n] {
			t.Errorf("function %s is checked but has no lowering", n)
		}
		delete(have, n)
	}
	var extra []string
	for n := range have {
		extra = append(extra, n)
	}
	sort.Strings(extra)
	for _, n := range extra {
		t.Errorf("lowering %s has no function in the checker", n)
	}
}

// TestScalarFunctions evaluates each scalar function on constants and
// compares with the value Kusto documents (rendered as the goldens render
// cells: datetimes and timespans as Kusto prints them, dynamic as JSON).
func TestScalarFunctions(t *testing.T) {
	env := newTestEnv(t)
	f := func(expr, want string) {
		t.Helper()
		src := "print x = " + expr
		res, err := env.compile(src)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			return
		}
		set, err := env.store.Query(context.Background(), res.SQL, 0)
		if err != nil {
			t.Errorf("%s: %v\n%s", expr, err, res.SQL)
			return
		}
		if got := cellText(set.Rows[0][0]); got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
		if !sameType(res.Columns[0].Type, set.Columns[0].Type) {
			t.Errorf("%s: store type %s, checker type %s", expr, set.Columns[0].Type, res.Columns[0].Type)
		}
	}
	// time
	f("ago(1h)", "2024-05-01T11:00:00Z")
	f("now()", "2024-05-01T12:00:00Z")
	f("now(-1d)", "2024-04-30T12:00:00Z")
	f("datetime_add('month', 1, datetime(2024-01-31))", "2024-02-29T00:00:00Z")
	f("datetime_add('minute', -30, datetime(2024-01-01))", "2023-12-31T23:30:00Z")
	f("datetime_diff('hour', datetime(2024-01-01 10:59), datetime(2024-01-01 09:01))", "1")
	f("datetime_diff('month', datetime(2024-03-01), datetime(2023-12-31))", "3")
	f("bin(datetime(2024-05-01 10:17:23), 15m)", "2024-05-01T10:15:00Z")
	f("bin(27, 10)", "20")
	f("bin(-3, 10)", "-10")
	f("bin(2.75, 0.5)", "2.5")
	f("bin(90m, 1h)", "01:00:00")
	f("floor(datetime(2024-05-01 10:17:23), 1h)", "2024-05-01T10:00:00Z")
	f("bin_at(datetime(2024-05-01 10:17), 1h, datetime(2024-05-01 00:30))", "2024-05-01T09:30:00Z")
	f("startofday(datetime(2024-05-01 10:17))", "2024-05-01T00:00:00Z")
	f("startofday(datetime(2024-05-01 10:17), -1)", "2024-04-30T00:00:00Z")
	f("startofweek(datetime(2024-05-04))", "2024-04-28T00:00:00Z")
	f("startofmonth(datetime(2024-05-17))", "2024-05-01T00:00:00Z")
	f("startofyear(datetime(2024-05-17))", "2024-01-01T00:00:00Z")
	f("endofday(datetime(2024-05-01 10:00)) - datetime(2024-05-01 23:59:59)", "00:00:00.9999990")
	f("endofmonth(datetime(2024-02-10)) > datetime(2024-02-29 23:59:59)", "true")
	f("dayofweek(datetime(2024-05-05))", "00:00:00")
	f("dayofweek(datetime(2024-05-04))", "6.00:00:00")
	f("dayofmonth(datetime(2024-05-17))", "17")
	f("dayofyear(datetime(2024-02-01))", "32")
	f("hourofday(datetime(2024-05-01 23:59))", "23")
	f("getmonth(datetime(2024-05-01))", "5")
	f("getyear(datetime(2024-05-01))", "2024")
	f("week_of_year(datetime(2024-01-01))", "1")
	f("datetime_part('minute', datetime(2024-05-01 10:17))", "17")
	f("format_datetime(datetime(2024-05-01 09:04:05.1234567), 'yy-M-d h:mm:ss.fff tt')", "24-5-1 9:04:05.123 AM")
	f("format_datetime(datetime(2024-05-01 13:04:05), 'dd/MM/yyyy HH:mm')", "01/05/2024 13:04")
	f("format_timespan(1d + 2h + 3m + 4s, 'd.hh:mm:ss')", "1.02:03:04")
	f("todatetime('2024-05-01 10:00:00')", "2024-05-01T10:00:00Z")
	f("todatetime('2024-05-01T12:00:00+02:00')", "2024-05-01T10:00:00Z")
	f("todatetime('not a date')", "")
	f("totimespan('00:00:30')", "00:00:30")
	f("totimespan('1.00:00:00')", "1.00:00:00")
	f("totimespan('2h')", "02:00:00")
	f("totimespan('x')", "")
	f("make_datetime(2024, 5, 1, 10, 30, 0)", "2024-05-01T10:30:00Z")
	f("make_datetime(2024, 13, 1)", "")
	f("make_timespan(2, 30)", "02:30:00")
	f("unixtime_seconds_todatetime(1714564800)", "2024-05-01T12:00:00Z")
	f("unixtime_milliseconds_todatetime(1714564800500)", "2024-05-01T12:00:00.5Z")
	// conversion
	f("tostring(123)", "123")
	f("tostring(1.5)", "1.5")
	f("tostring(false)", "False")
	f("tostring(dynamic([1, \"a\"]))", `[1,"a"]`)
	f("tostring(datetime(null))", "")
	f("tostring(1d)", "1.00:00:00")
	f("toint('  12 ')", "12")
	f("toint('1e3')", "")
	f("tolong(true)", "1")
	f("tolong(dynamic(7))", "7")
	f("toreal('1e3')", "1000")
	f("todouble(2)", "2")
	f("tobool('FALSE')", "false")
	f("tobool('yes')", "")
	f("tobool(0)", "false")
	f("todynamic('[1,2]')", "[1,2]")
	f("parse_json('{\"a\": {\"b\": 2}}').a.b", "2")
	f("parse_json('')", "")
	f("toguid('A1B2C3D4-1111-2222-3333-444455556666')", "a1b2c3d4-1111-2222-3333-444455556666")
	f("gettype(dynamic({}))", "dictionary")
	f("gettype(1)", "long")
	// strings
	f("tolower('ÄBC')", "äbc")
	f("toupper('abc')", "ABC")
	f("strlen('')", "0")
	f("substring('abcdef', 4)", "ef")
	f("substring('abc', 1, 100)", "bc")
	f("strcat('a', '', 'b', 1.5, long(null))", "ab1.5")
	f("strcat_delim('-', 'a', 'b', 3)", "a-b-3")
	f("strcat_array(dynamic([1, 'x', 2]), ',')", "1,x,2")
	f("split('a.b.c', '.')", `["a","b","c"]`)
	f("split('a.b.c', '.', 1)", `["b"]`)
	f("split('a.b.c', '.', 5)", `[]`)
	f("replace_string('a.b.c', '.', '::')", "a::b::c")
	f("replace_regex('user123', @'(\\d+)', @'<\\1>')", "user<123>")
	f("replace(@'\\s', '_', 'a b c')", "a_b_c")
	f("trim(' ', '  x y  ')", "x y")
	f("trim_start(@'[0-9]+', '123abc123')", "abc123")
	f("trim_end(@'[0-9]+', '123abc123')", "123abc")
	f("extract('([a-z]+)@', 1, 'mail alice@contoso.com')", "alice")
	f("extract('(x)', 1, 'abc')", "")
	f("extract_all(@'(\\w)(\\d)', 'a1 b2')", `[["a","1"],["b","2"]]`)
	f("extract_all(@'(\\w)(\\d)', dynamic([2]), 'a1 b2')", `["1","2"]`)
	f("extract_all(@'(\\d)', 'abc')", "")
	f("extract_json('$.a', '{\"a\": \"x\"}')", "x")
	f("extract_json('$.n', '{\"n\": 5}', typeof(long))", "5")
	f("indexof('hello', 'l')", "2")
	f("indexof('hello', 'z')", "-1")
	f("indexof('hello', 'l', 3)", "3")
	f("indexof('abcabc', 'c', 0, 6, 2)", "5")
	f("countof('The cat sat', 'at')", "2")
	f("countof('aa1bb22', @'\\d+', 'regex')", "2")
	f("isempty('')", "true")
	f("isempty(long(null))", "true")
	f("isnotempty(' ')", "true")
	f("isnull('')", "false")
	f("isnull(real(null))", "true")
	f("isnotnull(0)", "true")
	f("reverse('abc')", "cba")
	f("strrep('ab', 3, '-')", "ab-ab-ab")
	f("strcmp('a', 'b')", "-1")
	f("translate('abc', 'xyz', 'aabbcc')", "xxyyzz")
	f("url_decode('a%20b')", "a b")
	f("url_encode('a b')", "a%20b")
	f("base64_encode_tostring('Kusto')", "S3VzdG8=")
	f("base64_decode_tostring('S3VzdG8=')", "Kusto")
	f("base64_decode_tostring('!!')", "")
	f("base64_decode_toarray('AQID')", "[1,2,3]")
	f("make_string(75, 117)", "Ku")
	f("hash_sha256('abc')", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
	f("hash_md5('abc')", "900150983cd24fb0d6963f7d28e17f72")
	f("hash_sha1('abc')", "a9993e364706816aba3e25717850c26c9cd0d89d")
	f("hash_sha256('')", "")
	f("tohex(255)", "ff")
	f("tohex(-1)", "ffffffffffffffff")
	f("tohex(10, 4)", "000a")
	f("isascii('abc')", "true")
	f("isascii('äbc')", "false")
	f("string_size('ä')", "2")
	f("parse_url('https://user:pw@host.example.com:8443/p/q.aspx?k=v&x=1#frag').Host", "host.example.com")
	f("parse_url('https://host.example.com/p?k=v&x=1')['Query Parameters'].x", "1")
	f("parse_url('https://host.example.com:8443/p').Port", "8443")
	f("parse_path(@'C:\\Windows\\System32\\cmd.exe').Filename", "cmd.exe")
	f("parse_path(@'C:\\Windows\\System32\\cmd.exe').Extension", "exe")
	// logic
	f("iff(1 > 2, 'a', 'b')", "b")
	f("iif(bool(null), 1, 2)", "2")
	f("case(false, 1, true, 2, 3)", "2")
	f("coalesce(long(null), 5, 6)", "5")
	f("coalesce('', 'x')", "x")
	f("not(1 > 2)", "true")
	f("max_of(1, 5, 3)", "5")
	f("min_of(datetime(2024-01-02), datetime(2024-01-01))", "2024-01-01T00:00:00Z")
	f("max_of(2, long(null))", "2")
	// math
	f("abs(-2.5)", "2.5")
	f("abs(-1h)", "01:00:00")
	f("round(2.567, 2)", "2.57")
	f("round(2.5)", "3")
	f("ceiling(2.1)", "3")
	f("sign(-3)", "-1")
	f("sqrt(16)", "4")
	f("pow(2, 10)", "1024")
	f("log(exp(2))", "2")
	f("log10(1000)", "3")
	f("log2(8)", "3")
	f("exp2(3)", "8")
	f("exp10(2)", "100")
	f("isnan(0.0 / 0.0)", "true")
	f("isinf(1.0 / 0.0)", "true")
	f("isfinite(1.0)", "true")
	f("7 % -3", "1")
	f("-7 / 2", "-3")
	f("1h / 1m", "60")
	f("datetime(2024-05-02) - datetime(2024-05-01 12:00)", "12:00:00")
	f("1d * 1.5", "1.12:00:00")
	f("10m / 4", "00:02:30")
	// dynamic
	f("array_length(dynamic([1, 2, 3]))", "3")
	f("array_length(dynamic({}))", "")
	f("pack_array(1, 'a', dynamic(null))", `[1,"a",null]`)
	f("pack_array(datetime(2024-05-01))", `["2024-05-01T00:00:00.0000000Z"]`)
	f("bag_pack('a', 1, 'b', dynamic([2]))", `{"a":1,"b":[2]}`)
	f("pack('k', 'v')", `{"k":"v"}`)
	f("bag_keys(dynamic({'b': 1, 'a': 2}))", `["a","b"]`)
	f("bag_has_key(dynamic({'a': 1}), 'a')", "true")
	f("bag_merge(dynamic({'a': 1}), dynamic({'a': 2, 'b': 3}))", `{"a":1,"b":3}`)
	f("bag_remove_keys(dynamic({'a': 1, 'b': 2}), dynamic(['a']))", `{"b":2}`)
	f("set_union(dynamic([1, 2]), dynamic([2, 3]))", "[1,2,3]")
	f("set_intersect(dynamic([1, 2, 3]), dynamic([2, 3, 4]))", "[2,3]")
	f("set_difference(dynamic([1, 2, 3]), dynamic([2]))", "[1,3]")
	f("set_has_element(dynamic(['a', 'b']), 'b')", "true")
	f("array_concat(dynamic([1]), dynamic(['a', 2]))", `[1,"a",2]`)
	f("array_slice(dynamic([1, 2, 3, 4]), 1, 2)", "[2,3]")
	f("array_slice(dynamic([1, 2, 3, 4]), -2, -1)", "[3,4]")
	f("array_index_of(dynamic(['a', 'b']), 'b')", "1")
	f("array_sort_asc(dynamic([10, 9, 1]))", "[1,9,10]")
	f("array_sort_desc(dynamic(['b', 'c', 'a']))", `["c","b","a"]`)
	f("array_reverse(dynamic([1, 2]))", "[2,1]")
	f("array_sum(dynamic([1, 2.5]))", "3.5")
	f("range(1, 7, 3)", "[1,4,7]")
	f("dynamic_to_json(dynamic({'a': [1]}))", `{"a":[1]}`)
	// network
	f("ipv4_is_private('10.1.2.3')", "true")
	f("ipv4_is_private('172.32.0.1')", "false")
	f("ipv4_is_private('not an ip')", "")
	f("ipv4_is_in_range('192.168.1.7', '192.168.1.0/24')", "true")
	f("ipv4_is_in_range('192.168.2.7', '192.168.1.0/24')", "false")
	f("ipv4_is_match('192.168.1.1/24', '192.168.1.255')", "true")
	f("ipv4_compare('10.0.0.1', '10.0.0.2')", "-1")
	f("parse_ipv4('127.0.0.1')", "2130706433")
	f("parse_ipv4('256.0.0.1')", "")
	f("format_ipv4(2130706433)", "127.0.0.1")
	// column_ifexists is resolved by the checker
	f("column_ifexists('nope', 'fallback')", "fallback")
	// hash is DuckDB's (not Kusto's xxhash): only its range is checked elsewhere.
}

// TestAggregates runs each aggregate over the test tables.
func TestAggregates(t *testing.T) {
	env := newTestEnv(t)
	f := func(agg, want string) {
		t.Helper()
		res, err := env.compile("Logons | summarize x = " + agg)
		if err != nil {
			t.Errorf("%s: %v", agg, err)
			return
		}
		set, err := env.store.Query(context.Background(), res.SQL, 0)
		if err != nil {
			t.Errorf("%s: %v\n%s", agg, err, res.SQL)
			return
		}
		if got := cellText(set.Rows[0][0]); got != want {
			t.Errorf("%s = %q, want %q", agg, got, want)
		}
		if !sameType(res.Columns[0].Type, set.Columns[0].Type) {
			t.Errorf("%s: store type %s, checker type %s", agg, set.Columns[0].Type, res.Columns[0].Type)
		}
	}
	f("count()", "8")
	f("count(LogonType)", "7")
	f("countif(Score > 1)", "4")
	f("dcount(Account)", "7")
	f("dcountif(Computer, IsAdmin)", "2")
	f("count_distinct(Result)", "2")
	f("sum(Bytes)", "106348")
	f("sum(Score)", "10.5")
	f("sum(Duration)", "1.02:39:45")
	f("sumif(Bytes, Result == 'failure')", "142")
	f("avg(Bytes)", "15192.57142857143")
	f("avgif(Score, IsAdmin)", "-1.5")
	f("min(TimeGenerated)", "2024-04-28T08:00:00Z")
	f("max(Account)", "dave")
	f("minif(Score, Result == 'failure')", "1.5")
	f("maxif(Bytes, Result == 'success')", "99999")
	f("stdev(Bytes)", "37440.06817059829")
	f("stdevp(Score)", "1.9132993194255534")
	f("variance(LogonType)", "8")
	f("variancep(Bytes)", "1.2015074611020405e+09")
	f("stdevif(Score, Result == 'failure')", "1.3919410907075054")
	f("varianceif(Score, Result == 'failure')", "1.9375")
	f("make_set(Result)", `["failure","success"]`)
	f("make_set(Details.tags)", `["admin","mfa","trusted"]`)
	f("make_set_if(Account, IsAdmin)", `["ALICE","carol"]`)
	f("make_set(LogonType, 2)", "[2,3]")
	f("make_list_if(LogonType, Result == 'failure')", "[3,3,3,2]")
	f("make_list_with_nulls(IsAdmin)", "[false,false,true,null,false,true,false,false]")
	f("make_bag(bag_pack(Account, LogonType))", `{"":5,"ALICE":10,"Alice":3,"alice":2,"bob":3,"carol":null,"dave":2}`)
	f("make_bag_if(bag_pack('k', Account), Account == 'dave')", `{"k":"dave"}`)
	f("take_anyif(Account, Account startswith 'c')", "carol")
	f("percentile(LogonType, 100)", "10")
	f("percentiles(Score, 0)", "-1.5")
	f("take_any(Computer) != ''", "true")
	f("tostring(make_set(Result))", `["failure","success"]`)
}
