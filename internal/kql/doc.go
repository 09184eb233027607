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
// (The compiler's description of how sleuth evaluates KQL, and where the
// embedded store differs from Kusto, belongs here.)
package kql
