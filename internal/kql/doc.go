// Package kql is the syntax half of sleuth's intermediate language: a
// hand-written lexer and recursive-descent parser for the Kusto Query
// Language, the syntax tree (every node carries a byte-offset Span), a
// printer whose output parses back to the same tree, tree walking, and
// builders for code that constructs queries.
//
// The package knows nothing about tables, columns or types; names are
// resolved and checked by kql/check, and kql/duckdb compiles checked trees
// to SQL. Semantic differences from Azure Data Explorer are described under
// Semantics below.
//
// # Entry points
//
//   - Parse(src) parses a whole query; ParseExpr(src) one expression.
//   - Print(n) prints any node as one line of KQL; Pretty(n) puts each
//     statement and each top-level pipe operator on its own line.
//   - Walk, Inspect, All and Children traverse trees in source order.
//   - Name, Str, Long, Int, Real, Bool, Datetime, Timespan, Null, Dyn, Call,
//     Bin, And, Or, Not, In, Between, Member, Index, Named, Pipe, Where,
//     Project, Extend, Summarize, Sort, Top, Take, Count, Distinct, Let,
//     NewQuery and Statement build trees. Values enter queries only as typed
//     literals; the printer quotes and escapes them, so there is no string
//     splicing anywhere.
//
// # Statements
//
// Statements are separated by ';' (extra and trailing ';' are allowed):
//
//	let Name = Expr                        scalar or tabular value
//	let f = (a:string, n:long = 5) { … }  function; tabular parameters
//	                                       T:(Col:type, …) and T:(*)
//	set option [= value]
//	Expr                                   the tabular expression to run
//
// Comments run from // to the end of the line and are not kept.
//
// # Tabular expressions
//
// A pipeline starts with a table or let name, a parenthesised query, a call
// (table("T"), materialize(…), a user function), datatable, externaldata
// (parsed so that the checker can refuse it clearly), or one of
//
//	union [kind= withsource= isfuzzy=] T1, T2*, (query)
//	print [Name =] Expr, …
//	range Name from Expr to Expr step Expr
//	search [kind=case_sensitive|case_insensitive] [in (T1, T2*)] Predicate
//
// and continues with '|' operators:
//
//	where (filter), project, project-away, project-keep, project-rename,
//	project-reorder (asc, desc, granny-asc, granny-desc), extend,
//	summarize [hint.…=…] [Aggs] [by Keys], count, distinct (Cols or *),
//	take (limit), top N by Key, sort (order) by Key [asc|desc]
//	[nulls first|last], join [kind=…] [hint.…=…] Right on Keys, lookup,
//	union, mv-expand (mvexpand) [bagexpansion= with_itemindex= kind=]
//	Col [to typeof(T)] [limit N], mv-apply (mvapply) Items [limit N]
//	on (operators), parse and parse-where [kind=simple|regex|relaxed
//	[flags=…]] X with Pattern, serialize, evaluate plugin(args)
//	[: (Schema)], make-series Aggs [default=V] on Axis
//	(from A to B step S | in range(A, B, S)) [by Keys], search, as,
//	render Chart [with (…)], getschema, invoke f(args), sample N.
//
// Join kinds are innerunique (the default), inner, leftouter, rightouter,
// fullouter, leftanti, rightanti, leftsemi, rightsemi, and the aliases anti,
// leftantisemi and rightantisemi. Names in project-away, project-keep,
// project-reorder and union may contain * wildcards.
//
// # Scalar expressions
//
// Operators, from the loosest binding to the tightest, as in Kusto's own
// parser:
//
//	or
//	and
//	== != <> in !in in~ !in~ has_any has_all between !between  (no chaining)
//	< <= > >=                                                  (no chaining)
//	+ -
//	* / %
//	=~ !~ has !has has_cs !has_cs hasprefix … hassuffix … contains …
//	    startswith … endswith … (each with _cs and ! forms), matches regex
//	unary - and +
//	x.name  x["key"]  x[0]  f(args)
//
// String operators therefore bind tighter than arithmetic: a + b has "x"
// is a + (b has "x"). The lists of in and has_any are parenthesised and may
// hold values, a dynamic array, a let name or a tabular subquery; between
// takes (lo .. hi). not is a function, not(x). Calls take *, as in count(*)
// and arg_max(T, *), and named arguments, as in f(x, name = value).
//
// Kusto's legacy x.['name'] and x.[0] mean x['name'] and x[0] and parse to
// the same IndexExpr. Names are identifiers, quoted ['a b'] or ["a b"], or
// $left and $right.
// Words that are keywords elsewhere (count, kind, type, title, …) are names
// wherever an expression is expected.
//
// Literals:
//
//	"…" and '…' with \" \' \\ \n \t \r \a \b \f \v \xHH \uHHHH \UHHHHHHHH \ooo
//	@"…" and @'…' verbatim (a doubled quote is one quote), ```…``` multi-line,
//	h"…" obfuscated (kept obfuscated when printed); adjacent strings concatenate
//	42, 0x2A (long); 1.5, 1., 1e5, 2.5e-3 (real); true, false, True, FALSE
//	1d 2h 30m 10s 100ms 10microsecond 1tick 1.5h (and Kusto's longer unit
//	spellings such as 2days or 5min); time(1.02:03:04), timespan(15 seconds),
//	timespan(2) (days)
//	datetime(2024-01-02), datetime(2024-01-02 03:04:05.1234567),
//	datetime(2024-01-02T03:04:05Z), offsets such as +02:00, RFC 822 and
//	RFC 850 forms, and M/d/yyyy; always UTC, truncated to Kusto's 100ns tick
//	int(5) long(…) real(…) double(…) real(nan) real(±inf) decimal(…) bool(…)
//	guid(…), and the typed nulls long(null), datetime(null), dynamic(null), …
//	dynamic([1, "a", {"k": -2.5}, datetime(…), 1d, null])
//
// A sign before a number or timespan belongs to the literal: -5 and -1d are
// literals, as Long(-5) builds them.
//
// # Printing
//
// The printer works from node values, never from source text: literals
// print canonically (double-quoted strings, datetime(2024-01-02T03:04:05Z),
// timespans in the largest exact unit such as 90m, dynamic values with
// sorted keys), aliases print in their main spelling (where, take, sort,
// mv-expand), names print quoted where the parser would read them as
// keywords, and parentheses are added where precedence needs them. Printing
// a parsed query and parsing the text again gives the same tree apart from
// spans, Literal.Raw and Ident.Quoted.
//
// # Errors and limits
//
// Parse returns an ErrorList. Syntax errors have code kql.syntax, the span
// of the offending token, a message saying what was expected and what was
// found, and a did-you-mean hint for misspelt operators and keywords
// (summarise, bye, projct, contain, AND). After an error the parser skips to
// the next '|' or ';' and goes on, reporting up to ten errors. Queries over
// MaxQueryBytes (1 MiB) or nesting deeper than MaxDepth (256) fail with
// kql.limit. Operators and statements that are KQL but not supported fail
// with kql.unsupported. No input makes the parser panic; a bug would
// surface as kql.internal.
//
// # Differences from Azure Data Explorer's syntax
//
//   - Not parsed (kql.unsupported): find, top-nested, top-hitters, fork,
//     facet, partition, scan, reduce, sample-distinct, parse-kv,
//     project-smart, the graph operators, macro-expand, and the declare,
//     alias, restrict and pattern statements. Also not parsed: the like
//     operators, search's Col:"value" form, client parameters {name},
//     count as Name, and join … where.
//   - Accepted but not kept in the tree, so not printed: hints on sort, top,
//     take, distinct and datatable; the view keyword of let v = view () {…};
//     comments.
//   - make-series … in range(a, b, s) is kept as from a to b step s.
//   - render's legacy form render chart kind=stacked is kept as
//     render chart with (kind=stacked).
//   - sleuth is more lenient than Kusto in a few places that are harmless:
//     in lists and call arguments may be any tabular expression, and
//     between bounds any expression.
//   - datetime(…) accepts the ISO 8601, RFC 822, RFC 850 and M/d/yyyy
//     forms listed above; times without a date (datetime(8:00 AM)) are
//     refused because they depend on the current day.
//
// # Semantics
//
// kql/check resolves names and types against the catalog; kql/duckdb
// compiles checked queries to DuckDB SQL (one common table expression per
// operator, plus the SQL macros of duckdb.Prelude). They follow Kusto's
// documented semantics; where the embedded store cannot, this says so.
//
// Names. Table, column, let and function names are case-sensitive. A name
// in an expression is looked up as an earlier item of the same extend or
// project, then a column, then a let binding. Two columns whose names differ
// only in case (a and A) cannot coexist in DuckDB, which matches names
// without regard to case even when quoted; such a query fails with
// kql.unsupported.
//
// Types. Integer literals are long; int arithmetic widens to long; / and %
// on integers truncate toward zero (7 / 2 is 3, -7 / 2 is -3); a real
// operand makes the result real. datetime - datetime is a timespan,
// datetime ± timespan a datetime, timespan / timespan a real and timespan
// * number a timespan. A string literal compared with a datetime, timespan
// or number is read as one (TimeGenerated > "2024-05-01"); a string column
// compared with a number literal compares as text (ResultType == 0 is
// ResultType == "0"), with another number as a number; bools compare with
// numbers as 0 and 1. Conversions (toint, todatetime, …) never fail: what
// does not convert is null, and tolong("1.5") is null as in Kusto.
//
// Strings are never null. A missing string is stored as "", so == "" and
// isempty() match it and isnull() is false for every string; strings that
// an outer join, union or failed extraction leaves empty read as "", and
// tostring() of any null is "". isempty(x) is true for "" and for null.
//
// Comparisons. == and != are case-sensitive, =~ and !~ compare lower()ed
// strings. As in Kusto, == is false and != true when one side is null
// (rows where a column is null pass where Col != 5); when both sides are
// null sleuth's != is false where Kusto's is null. <, <=, > and >= are null
// when a side is null. in, !in, in~ and !in~ take values, dynamic arrays
// (spread into their elements) and tabular subqueries (their first column).
//
// String operators. contains, startswith and endswith ignore case (lower()
// of both sides, so non-ASCII letters fold too); their _cs forms do not.
// has matches whole terms: a term is a maximal run of Unicode letters and
// digits, so every other character, underscore included, separates terms
// ("notes_whoami.txt" has "whoami"; "FOOBAR" does not have "oba", though
// it contains it). A term is matched in full, not as a prefix: has "admin"
// does not match "administrator"; hasprefix and hassuffix match the start
// or end of a term. Terms with separators inside (has "foo-bar") match that
// sequence with term boundaries at its ends. Kusto indexes only terms of
// three or more characters and scans for shorter ones; sleuth always scans,
// with the same results. has "" matches everything. The match is a regular
// expression with term boundaries, compiled once per query; a single term
// is first looked for as a substring. has_any and has_all are has over
// each item. matches regex, extract, extract_all, replace_regex and parse
// kind=regex use RE2, as Kusto does.
//
// Dynamic values are JSON. d.a, d["a b"] and d[0] read properties and
// elements (d[-1] counts from the end); a missing property or an index out
// of range is null, never an error. tostring() of a dynamic string is the
// string itself, of a bag or array its compact JSON; dynamic literals'
// property bags keep their keys sorted. Reading a property of a string
// column parses it as JSON first (Kusto requires a dynamic column).
//
// Time. Datetimes are UTC with microsecond precision (Kusto keeps 100ns
// ticks, so endofday() is 23:59:59.999999 rather than 23:59:59.9999999).
// ago() and now() are constants of the query's reference time: --now, the
// checker's Options.Now, or "set query_now = datetime(…);". bin() floors
// datetimes counting from 0001-01-01 as Kusto's ticks do (so bin(T, 7d)
// starts weeks on Mondays) and timespans and numbers counting from zero;
// startofweek() starts weeks on Sunday; dayofweek() is a timespan of days
// since Sunday.
//
// summarize names unnamed results as Kusto does: count() is count_,
// count(X) count_X, countif(…) countif_, dcount(X) dcount_X, sum(X) sum_X,
// avg, min, max, stdev, variance and the *if forms likewise, make_set(X)
// set_X, make_list(X) list_X, make_bag(X) bag_X, percentile(X, 95)
// percentile_X_95, percentiles(X, 50, 99.5) percentile_X_50 and
// percentile_X_99_5, take_any(X) X, and arg_max(T, A, B) the columns T, A,
// B (with * every input column but the group keys). An aggregate inside an
// expression names it: round(avg(X), 2) is avg_X. A group key keeps its
// column's name through tostring, toint, tolong, toreal, tobool, todatetime,
// totimespan, bin, floor, round and similar functions (bin(T, 1h) is T);
// other expressions are Column1, Column2, …. Clashing names get a numeric
// suffix (TimeGenerated1). summarize without by returns one row even for an
// empty input.
//
// Aggregates. dcount() is exact (Kusto's is a HyperLogLog estimate whose
// error on large inputs is about 1%). percentile() and percentiles() take
// the nearest rank (Kusto's T-Digest estimate agrees on small groups and
// within its error on large ones). make_set ignores nulls, adds the elements
// of dynamic arrays one by one and returns the set sorted (Kusto leaves the
// order undefined); make_list keeps the input's order when a sort
// established one. make_bag takes, for a key in several bags, any one of
// the values. stdev and variance are the sample statistics; stdevp and
// variancep the population ones. sum of ints and longs is a long.
//
// join defaults to innerunique: one row per join key is kept from the left
// side (which one is arbitrary, as in Kusto) before an inner join. All
// kinds are supported: inner, innerunique, leftouter, rightouter,
// fullouter, leftsemi, rightsemi, leftanti, rightanti. Keys compare with
// ==, so they are case-sensitive, and a null key matches a null key, as in
// Kusto. Right columns whose names are taken get a suffix (Computer1).
// lookup is leftouter by default (or inner) and leaves out the right side's
// key columns.
//
// union matches columns by name in order of first appearance, filling what
// a leg lacks with nulls (strings with ""); a name with different types in
// different legs becomes one column per type (c_long, c_string). withsource
// names a bare table by its name and anything else union_argN.
// isfuzzy=true skips tables that are not in the store, with a notice.
//
// mv-expand turns each element of an array (each property of a bag, as a
// single-property bag, or as a [key, value] array with kind=array) into a
// row: a null makes one row with a null, an empty array none. Several
// expressions expand side by side, shorter ones padded with nulls.
// to typeof(T) converts elements (JSON numbers to numbers, any element to
// its text for string; others are null); limit caps the rows per input
// row; with_itemindex adds the element's index. mv-apply runs its
// sub-query over each row's expanded items only; an input row with no items
// contributes nothing, even when the sub-query summarizes (Kusto would
// summarize the empty set).
//
// parse (kind=simple, the default) matches the whole value: the pattern is
// anchored at both ends, columns capture lazily and typed columns are
// converted; if one typed capture does not convert, the row gets no values
// at all. kind=relaxed converts each column on its own; kind=regex leaves
// the pattern unanchored, uses its literals as regular expressions and
// honours flags=imsU. A value that does not match gets "" for strings and
// null otherwise; parse-where drops it.
//
// Order. sort and order default to desc with nulls last; asc puts nulls
// first; nulls first/last override. top N by X sorts the same way. take is
// LIMIT (after a sort, of the sorted rows). serialize and the window
// functions row_number, prev, next and row_cumsum run over the order the
// last sort established; without one, over the store's order. The result
// keeps a sort's order while the sorted columns are still there.
//
// Other operators. count returns a column Count. distinct names expressions
// as summarize names keys. search looks for terms in every string and
// dynamic column ("x" is has, "x*" hasprefix, "*x" hassuffix, "*x*"
// contains), over one input or several tables with a $table column.
// make-series aggregates per step of the axis (from inclusive, to
// exclusive; without from/to, the data's range) and fills missing steps
// with the default (0); datetime axes print as ISO 8601 strings. evaluate
// bag_unpack(d [, prefix]) turns properties into columns: those later
// operators name are read directly; when the query returns the unpacked
// columns themselves, every key of the data becomes a column (in key
// order) through a PIVOT. Unpacked values stay dynamic where Kusto would
// infer a type. getschema reports .NET type names. as names the pipeline so
// far. render is accepted and ignored, with a notice; set options other
// than query_now are ignored, with a notice.
//
// Not supported (kql.unsupported, naming the construct): externaldata,
// evaluate plugins other than bag_unpack, assigning several columns at
// once ((a, b) = f(…)), pack_all() and other whole-row operations after
// bag_unpack, joins and unions of bag_unpack output, and parse-where
// kind=relaxed. Functions that are not listed (series_*, parse_xml, geo_*)
// are kql.unknown_function. hash() is DuckDB's hash, not Kusto's xxHash64;
// new_guid() and rand() are random.
//
// Guard. check.Policy limits a query to allowed tables, hides denied
// columns (a query that names one fails with kql.policy), refuses set
// options it does not allow, and caps the rows returned (a final take).
// KQL has no statements that write; control commands do not parse.
//
// A query the checker accepts always compiles, and DuckDB accepts the SQL;
// if it did not, that would be a sleuth bug, reported as kql.internal.
package kql
