// Package esql compiles checked KQL queries to ES|QL, Elasticsearch's
// piped query language, for the subset ES|QL can express. Anything else
// fails with esql.unsupported and a message naming the construct ("join is
// not supported by ES|QL"), never with a query that means something else.
//
// # Mapping
//
//	KQL                          ES|QL
//	T (a catalog table)          FROM <index pattern from the config>
//	                             | RENAME <field> AS <column> (fields named differently)
//	                             | KEEP <the table's columns>
//	where P                      WHERE P
//	extend A = X                 EVAL A = X
//	project A, B = X             EVAL B = X | KEEP A, B
//	project-away / -keep         DROP / KEEP (wildcards as in KQL)
//	project-rename B = A         RENAME A AS B
//	project-reorder A, B         KEEP A, B, *
//	summarize aggs by keys       STATS aggs BY keys | KEEP keys, aggs (KQL's column order)
//	count                        STATS Count = COUNT(*)
//	distinct A, B                STATS BY A, B
//	sort by A [asc|desc]         SORT A DESC NULLS LAST (KQL's defaults made explicit)
//	take N / limit N             LIMIT N
//	top N by A                   SORT … | LIMIT N
//	render, as                   ignored (render with a notice)
//
// Every query ends with LIMIT: without one ES|QL returns only 1,000 rows,
// and it never returns more than 10,000 (esql.query.result_truncation_max_size).
//
// Aggregates: count() → COUNT(*), countif(P) → COUNT(*) WHERE P, dcount →
// COUNT_DISTINCT (approximate in both), dcountif, sum/avg/min/max and their
// …if forms → the aggregate WHERE P, make_set → VALUES, percentile →
// PERCENTILE, stdevp → STD_DEV; scalar functions over aggregates
// (round(avg(X), 2)) stay inside STATS. bin(T, span) → DATE_TRUNC(span, T),
// bin(N, size) → FLOOR(N / size) * size.
//
// Functions: tolower/toupper → TO_LOWER/TO_UPPER, strlen → LENGTH,
// substring (0-based) → SUBSTRING (1-based), strcat → CONCAT, indexof →
// LOCATE − 1, replace_string → REPLACE with the needle regex-quoted,
// tostring/toint/tolong/toreal/tobool/todatetime → TO_*, iff/case → CASE,
// coalesce, abs, round, sqrt, pow, log, log10, exp, ceiling, max_of →
// GREATEST, min_of → LEAST, hourofday/dayofmonth/getmonth/getyear →
// DATE_EXTRACT, startofday/startofmonth/startofyear → DATE_TRUNC,
// ipv4_is_private/ipv4_is_in_range → CIDR_MATCH(TO_IP(…)). ago() and now()
// become datetime constants at the checker's reference time, so the query
// means the same wherever and whenever it runs.
//
// # Semantics that need care
//
// Kusto strings are never null; a missing Elasticsearch field is null.
// ES|QL's comparisons are null for a null operand, which WHERE treats as
// false, so every string predicate is written to answer for a missing
// field what KQL answers for "": x != "a" becomes (x IS NULL OR x != "a"),
// x == "" becomes (x IS NULL OR x == ""), and negation is pushed down to
// the comparisons (De Morgan) so that not(x contains "a") is true for a
// missing x. String functions read a missing string as "" (COALESCE).
//
// == is case-sensitive in both. =~, in~, contains, startswith and endswith
// compare TO_LOWER of the field with the lower-cased constant, through LIKE
// with the constant's *, ? and \ escaped; the _cs forms use LIKE,
// STARTS_WITH and ENDS_WITH directly. String columns stored as another
// Elasticsearch type (ip, version) are converted with TO_STRING first, as
// the string functions take only keyword and text.
//
// has, has_cs, hasprefix and hassuffix are an approximation: RLIKE with a
// Lucene regular expression that finds the constant between characters
// that are not ASCII letters or digits. Kusto's terms are runs of Unicode
// letters and digits, so has differs on non-ASCII text. has_any and has_all
// are OR and AND of has.
//
// matches regex accepts only the part of RE2's syntax that means the same
// in Lucene's: no \d, \w, \s, \b, no (?…) groups, anchors only at the ends.
// RE2 searches while RLIKE matches the whole string, so an unanchored
// pattern is wrapped in .*(…).*.
//
// bin on datetimes: DATE_TRUNC aligns fixed spans to the Unix epoch and KQL
// to 0001-01-01; they agree for every span dividing a day and for 7 days
// (both week starts are Mondays), and other spans are refused. startofweek
// is refused: KQL's weeks start on Sunday.
//
// make_set becomes VALUES, a multi-valued field rather than a JSON array.
// A multi-valued group key puts a row in every group of its values, where
// KQL would group by the array. Object fields have no ES|QL column: a
// dynamic column that is an object in the mapping is kept as its leaves
// (Col.*), and Col.a reads the leaf Col.a.
//
// Not expressible, and refused: join, lookup, union, mv-expand, mv-apply,
// parse, evaluate, make-series, search, sample, getschema, arg_max,
// arg_min, take_any, make_list, stdev and variance (ES|QL has only the
// population deviation), timespan arithmetic other than datetime ± a
// constant, and conditional aggregates inside expressions.
package esql
