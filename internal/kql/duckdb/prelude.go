package duckdb

import "strings"

// Prelude returns the SQL macros the compiled queries call, as statements
// to run on every new connection (store.Options.InitSQL). They are DuckDB
// macros, expanded into the query when it is bound, so they cost nothing at
// run time; temporary, so they work on read-only stores.
func Prelude() []string {
	out := make([]string, len(macros))
	for i, m := range macros {
		out[i] = "CREATE OR REPLACE TEMP MACRO " + strings.TrimSpace(m)
	}
	return out
}

// macros, in dependency order.
var macros = []string{
	// tostring() of reals, bools, datetimes and timespans, as Kusto prints them.
	`kql_real_str(x) AS (CASE WHEN x IS NULL THEN ''
		WHEN isnan(x) THEN 'NaN' WHEN isinf(x) AND x > 0 THEN '∞' WHEN isinf(x) THEN '-∞'
		WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
		ELSE CAST(x AS VARCHAR) END)`,
	`kql_bool_str(b) AS (CASE WHEN b THEN 'True' WHEN NOT b THEN 'False' ELSE '' END)`,
	`kql_datetime_json(t) AS (strftime(t, '%Y-%m-%dT%H:%M:%S.%f') || '0Z')`,
	`kql_datetime_str(t) AS (coalesce(kql_datetime_json(t), ''))`,
	`kql_timespan_str(i) AS (CASE WHEN i IS NULL THEN '' ELSE
		(CASE WHEN epoch_us(i) < 0 THEN '-' ELSE '' END) ||
		(CASE WHEN abs(epoch_us(i)) >= 86400000000 THEN CAST(abs(epoch_us(i)) // 86400000000 AS VARCHAR) || '.' ELSE '' END) ||
		lpad(CAST(abs(epoch_us(i)) // 3600000000 % 24 AS VARCHAR), 2, '0') || ':' ||
		lpad(CAST(abs(epoch_us(i)) // 60000000 % 60 AS VARCHAR), 2, '0') || ':' ||
		lpad(CAST(abs(epoch_us(i)) // 1000000 % 60 AS VARCHAR), 2, '0') ||
		(CASE WHEN abs(epoch_us(i)) % 1000000 <> 0 THEN '.' || lpad(CAST(abs(epoch_us(i)) % 1000000 AS VARCHAR), 6, '0') || '0' ELSE '' END)
		END)`,

	// Conversions from text, which never fail: what does not convert is null.
	`kql_todatetime(s) AS (coalesce(CAST(TRY_CAST(s AS TIMESTAMPTZ) AS TIMESTAMP),
		try_strptime(trim(s), ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y', '%a, %d %b %Y %H:%M:%S GMT', '%d %b %Y %H:%M:%S'])))`,
	`kql_clock_us(g) AS (to_microseconds(CAST((CASE WHEN g.neg = '-' THEN -1 ELSE 1 END) * (
		(coalesce(TRY_CAST(nullif(g.d, '') AS BIGINT), 0) * 86400 + CAST(g.h AS BIGINT) * 3600 + CAST(g.m AS BIGINT) * 60
		 + coalesce(TRY_CAST(nullif(g.s, '') AS BIGINT), 0)) * 1000000
		+ coalesce(TRY_CAST(left(rpad(g.f, 6, '0'), 6) AS BIGINT), 0)) AS BIGINT)))`,
	`kql_unit_us(v, u) AS (to_microseconds(CAST(v * CASE u
		WHEN 'd' THEN 86400000000 WHEN 'day' THEN 86400000000 WHEN 'days' THEN 86400000000
		WHEN 'h' THEN 3600000000 WHEN 'hr' THEN 3600000000 WHEN 'hrs' THEN 3600000000 WHEN 'hour' THEN 3600000000 WHEN 'hours' THEN 3600000000
		WHEN 'm' THEN 60000000 WHEN 'min' THEN 60000000 WHEN 'minute' THEN 60000000 WHEN 'minutes' THEN 60000000
		WHEN 's' THEN 1000000 WHEN 'sec' THEN 1000000 WHEN 'second' THEN 1000000 WHEN 'seconds' THEN 1000000
		WHEN 'ms' THEN 1000 WHEN 'milli' THEN 1000 WHEN 'millis' THEN 1000 WHEN 'millisecond' THEN 1000 WHEN 'milliseconds' THEN 1000
		WHEN 'microsecond' THEN 1 WHEN 'microseconds' THEN 1 WHEN 'tick' THEN 0.1 WHEN 'ticks' THEN 0.1 END AS BIGINT)))`,
	`kql_totimespan(s) AS (CASE
		WHEN regexp_full_match(trim(s), '-?(\d+\.)?\d+:\d+(:\d+(\.\d+)?)?')
		THEN kql_clock_us(regexp_extract(trim(s), '^(-)?(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(?:\.(\d+))?)?$', ['neg', 'd', 'h', 'm', 's', 'f']))
		WHEN regexp_full_match(lower(trim(s)), '-?\d+(\.\d+)?[a-z]+')
		THEN kql_unit_us(CAST(regexp_extract(trim(s), '^(-?\d+(?:\.\d+)?)', 1) AS DOUBLE), regexp_extract(lower(trim(s)), '([a-z]+)$', 1))
		END)`,
	`kql_tobool(s) AS (CASE WHEN lower(trim(s)) = 'true' THEN TRUE WHEN lower(trim(s)) = 'false' THEN FALSE
		WHEN regexp_full_match(trim(s), '[-+]?\d+') THEN TRY_CAST(trim(s) AS HUGEINT) <> 0 END)`,
	`kql_int_text(s) AS (CASE WHEN regexp_full_match(trim(s), '[-+]?\d+') THEN trim(s) END)`,
	`kql_toguid(s) AS (CASE WHEN regexp_full_match(trim(s), '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}') THEN lower(trim(s)) ELSE '' END)`,
	`kql_parse_json(s) AS (CASE WHEN s IS NULL OR s = '' THEN NULL WHEN json_valid(s) THEN json(s) ELSE to_json(s) END)`,
	`kql_gettype(j) AS (CASE json_type(j) WHEN 'ARRAY' THEN 'array' WHEN 'OBJECT' THEN 'dictionary' WHEN 'VARCHAR' THEN 'string'
		WHEN 'BIGINT' THEN 'long' WHEN 'UBIGINT' THEN 'long' WHEN 'DOUBLE' THEN 'real' WHEN 'BOOLEAN' THEN 'bool' ELSE 'null' END)`,

	// Strings.
	`kql_split(s, d) AS (CASE WHEN d = '' THEN [s] WHEN s = '' THEN [''] ELSE string_split(s, d) END)`,
	`kql_indexof(h, s, st, occ) AS (CASE WHEN h IS NULL OR s IS NULL OR occ < 1 THEN -1
		WHEN occ = 1 THEN CASE WHEN instr(h, s) = 0 THEN -1 ELSE instr(h, s) - 1 + st END
		ELSE coalesce(list_filter(range(length(h)), i -> substring(h, i + 1, length(s)) = s)[occ] + st, -1) END)`,
	`kql_countof(s, sub) AS (CASE WHEN sub = '' THEN 0 ELSE CAST(len(list_filter(range(length(s)), i -> substring(s, i + 1, length(sub)) = sub)) AS BIGINT) END)`,
	`kql_tohex(n) AS (CASE WHEN n < 0 THEN lower(to_hex(CAST(n AS HUGEINT) + 18446744073709551616)) ELSE lower(to_hex(n)) END)`,
	`kql_query_params(q) AS (CAST('{' || array_to_string(list_transform(list_filter(string_split(q, '&'), p -> p <> ''),
		p -> CAST(to_json(url_decode(split_part(p, '=', 1))) AS VARCHAR) || ':' || CAST(to_json(url_decode(substring(p, length(split_part(p, '=', 1)) + 2))) AS VARCHAR)), ',') || '}' AS JSON))`,
	`kql_parse_url_parts(g) AS (CASE WHEN g.host = '' AND g.scheme = '' THEN NULL ELSE json_object(
		'Scheme', g.scheme, 'Host', g.host, 'Port', g.port, 'Path', g.path, 'Username', g.user, 'Password', g.pass,
		'Query Parameters', kql_query_params(g.query), 'Fragment', g.frag) END)`,
	`kql_parse_url(s) AS (kql_parse_url_parts(regexp_extract(s,
		'^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?//(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?#]*)(?::(\d+))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$',
		['scheme', 'user', 'pass', 'host', 'port', 'path', 'query', 'frag'])))`,
	`kql_parse_path_parts(s, g) AS (json_object('Scheme', '', 'RootPath', g.root, 'DirectoryPath', g.dir,
		'DirectoryName', regexp_extract(g.dir, '([^\\/]*)$', 1), 'Filename', g.file,
		'Extension', regexp_extract(g.file, '\.([^.]*)$', 1), 'AlternateDataStreamName', ''))`,
	`kql_parse_path(s) AS (kql_parse_path_parts(s, regexp_extract(s, '^(([A-Za-z]:|\\\\[^\\/]+|/)?.*?)[\\/]?([^\\/]*)$', ['dir', 'root', 'file'])))`,

	// Term matching (has, hasprefix, hassuffix) against a term known only at
	// run time; constant terms get a constant pattern from the compiler.
	`kql_term_re(t, lb, rb) AS (
		(CASE WHEN lb AND regexp_matches(t, '^[\pL\pN]') THEN '(?:^|[^\pL\pN])' ELSE '' END) || regexp_escape(t) ||
		(CASE WHEN rb AND regexp_matches(t, '[\pL\pN]$') THEN '(?:$|[^\pL\pN])' ELSE '' END))`,
	`kql_has(s, t) AS (t = '' OR (contains(s, t) AND regexp_matches(s, kql_term_re(t, TRUE, TRUE))))`,
	`kql_hasprefix(s, t) AS (t = '' OR (contains(s, t) AND regexp_matches(s, kql_term_re(t, TRUE, FALSE))))`,
	`kql_hassuffix(s, t) AS (t = '' OR (contains(s, t) AND regexp_matches(s, kql_term_re(t, FALSE, TRUE))))`,

	// bin() by microseconds: datetimes from 0001-01-01, as Kusto counts ticks.
	`kql_floor_to(v, us) AS (v - (((v % us) + us) % us))`,
	`kql_bin_datetime(t, us) AS (make_timestamp(((epoch_us(t) + 62135596800000000) // us) * us - 62135596800000000))`,
	`kql_bin_at_us(t, us, origin) AS (make_timestamp(kql_floor_to(epoch_us(t) - epoch_us(origin), us) + epoch_us(origin)))`,

	// Dynamic values.
	`kql_array_length(j) AS (CASE WHEN json_type(j) = 'ARRAY' THEN CAST(json_array_length(j) AS BIGINT) END)`,
	// The elements of an array (none for anything else). j is used once: a
	// macro argument used several times is copied, and a chain of extends
	// that each read the previous one's column would grow exponentially.
	`kql_json_list(j) AS (coalesce(TRY_CAST(json_extract(j, '$[*]') AS JSON[]), CAST([] AS JSON[])))`,
	// make_set's flattening: an array's elements, or the value itself.
	`kql_json_elems(j) AS (CASE WHEN json_type(j) = 'ARRAY' THEN CAST(j AS JSON[]) WHEN j IS NULL OR json_type(j) = 'NULL' THEN CAST([] AS JSON[]) ELSE [j] END)`,
	`kql_json_key(k) AS ('$."' || replace(replace(k, '\', '\\'), '"', '\"') || '"')`,
	`kql_mv_list(j) AS (CASE WHEN j IS NULL OR json_type(j) = 'NULL' THEN [CAST(NULL AS JSON)]
		WHEN json_type(j) = 'ARRAY' THEN CAST(j AS JSON[])
		WHEN json_type(j) = 'OBJECT' THEN list_transform(json_keys(j), k -> json_object(k, json_extract(j, kql_json_key(k))))
		ELSE [j] END)`,
	`kql_mv_list_array(j) AS (CASE WHEN j IS NULL OR json_type(j) = 'NULL' THEN [CAST(NULL AS JSON)]
		WHEN json_type(j) = 'ARRAY' THEN CAST(j AS JSON[])
		WHEN json_type(j) = 'OBJECT' THEN list_transform(json_keys(j), k -> json_array(k, json_extract(j, kql_json_key(k))))
		ELSE [j] END)`,
	`kql_array_sort_asc(j) AS (CASE WHEN json_type(j) = 'ARRAY' THEN (SELECT to_json(list(v ORDER BY TRY_CAST(v AS DOUBLE) NULLS LAST, CAST(v AS VARCHAR)))
		FROM unnest(CAST(j AS JSON[])) AS t(v)) END)`,
	`kql_array_sort_desc(j) AS (CASE WHEN json_type(j) = 'ARRAY' THEN (SELECT to_json(list(v ORDER BY TRY_CAST(v AS DOUBLE) DESC NULLS LAST, CAST(v AS VARCHAR) DESC))
		FROM unnest(CAST(j AS JSON[])) AS t(v)) END)`,
	// make_bag: the properties of every bag, one value per key (which one
	// is arbitrary, as in Kusto); null values are kept.
	`kql_merge_bags(l) AS (coalesce((SELECT json_group_object(k, v) FROM (SELECT e.key AS k, any_value(e.value) AS v
		FROM (SELECT unnest(l) AS b) AS t, json_each(t.b) AS e GROUP BY e.key ORDER BY e.key)), CAST('{}' AS JSON)))`,
	`kql_bag_remove_keys(j, keys) AS (CASE WHEN json_type(j) = 'OBJECT' THEN (SELECT coalesce(json_group_object(k, json_extract(j, kql_json_key(k))), CAST('{}' AS JSON))
		FROM unnest(json_keys(j)) AS t(k) WHERE NOT coalesce(list_contains(keys, k), FALSE)) END)`,

	// IPv4 addresses as numbers.
	`kql_ipv4_int(a) AS (CASE WHEN regexp_full_match(a, '(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}')
		THEN CAST(split_part(a, '.', 1) AS BIGINT) * 16777216 + CAST(split_part(a, '.', 2) AS BIGINT) * 65536
		   + CAST(split_part(a, '.', 3) AS BIGINT) * 256 + CAST(split_part(a, '.', 4) AS BIGINT) END)`,
	`kql_parse_ipv4(s) AS (kql_ipv4_int(split_part(trim(s), '/', 1)))`,
	`kql_ipv4_prefix(s) AS (CASE WHEN contains(s, '/') THEN TRY_CAST(split_part(s, '/', 2) AS BIGINT) ELSE 32 END)`,
	`kql_ipv4_masked(v, p) AS (v // (CAST(1 AS BIGINT) << (32 - least(greatest(p, 0), 32))))`,
	`kql_ipv4_is_private(ip) AS (kql_parse_ipv4(ip) BETWEEN 167772160 AND 184549375
		OR kql_parse_ipv4(ip) BETWEEN 2886729728 AND 2887778303 OR kql_parse_ipv4(ip) BETWEEN 3232235520 AND 3232301055)`,
	`kql_ipv4_is_in_range(ip, r) AS (kql_ipv4_masked(kql_parse_ipv4(ip), kql_ipv4_prefix(r)) = kql_ipv4_masked(kql_parse_ipv4(r), kql_ipv4_prefix(r)))`,
	`kql_ipv4_is_match(a, b, p) AS (kql_ipv4_masked(kql_parse_ipv4(a), least(p, kql_ipv4_prefix(a), kql_ipv4_prefix(b)))
		= kql_ipv4_masked(kql_parse_ipv4(b), least(p, kql_ipv4_prefix(a), kql_ipv4_prefix(b))))`,
	`kql_ipv4_compare(a, b, p) AS (CAST(sign(kql_ipv4_masked(kql_parse_ipv4(a), least(p, kql_ipv4_prefix(a), kql_ipv4_prefix(b)))
		- kql_ipv4_masked(kql_parse_ipv4(b), least(p, kql_ipv4_prefix(a), kql_ipv4_prefix(b)))) AS INTEGER))`,
	`kql_format_ipv4(n) AS (CASE WHEN n BETWEEN 0 AND 4294967295 THEN
		CAST(n // 16777216 % 256 AS VARCHAR) || '.' || CAST(n // 65536 % 256 AS VARCHAR) || '.' || CAST(n // 256 % 256 AS VARCHAR) || '.' || CAST(n % 256 AS VARCHAR) END)`,
	`kql_format_ipv4_mask(n, p) AS (kql_format_ipv4(kql_ipv4_masked(n, p) * (CAST(1 AS BIGINT) << (32 - least(greatest(p, 0), 32)))) || '/' || CAST(p AS VARCHAR))`,
}
