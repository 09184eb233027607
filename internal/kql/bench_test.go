package kql

import "testing"

// benchQueries are typical hunting queries: a filter and aggregate, a join
// of two pipelines with lets, and a parse and mv-expand.
var benchQueries = map[string]string{
	"simple": `SigninLogs
| where TimeGenerated > ago(1d) and ResultType != "0"
| summarize Failures = count() by UserPrincipalName, IPAddress, bin(TimeGenerated, 1h)
| where Failures > 10
| top 10 by Failures desc`,
	"join": `let lookback = 7d;
let threshold = 5;
let suspicious = SecurityEvent
| where TimeGenerated > ago(lookback) and EventID == 4625
| summarize FailedLogons = count(), Accounts = make_set(TargetUserName, 100) by IpAddress, Computer
| where FailedLogons > threshold;
SecurityEvent
| where TimeGenerated > ago(lookback) and EventID == 4624 and LogonType in (3, 10)
| join kind=inner (suspicious) on IpAddress, Computer
| extend AccountCustomEntity = TargetUserName, HostCustomEntity = Computer, IPCustomEntity = IpAddress
| project TimeGenerated, Computer, TargetUserName, IpAddress, FailedLogons, Accounts
| sort by TimeGenerated desc`,
	"parse": `Syslog
| where Facility =~ "cron" and ProcessName =~ "crontab"
| parse SyslogMessage with * "(" user ") " Action " (" *
| where Action contains "EDIT" or Action contains "REPLACE"
| extend d = parse_json(tostring(dynamic({"a": [1, 2, 3]})))
| mv-expand item = d.a to typeof(long)
| summarize ListOfActions = make_set(Action) by bin(TimeGenerated, 10m), Computer, user
| order by Computer asc nulls last`,
}

func BenchmarkParse(b *testing.B) {
	for name, src := range benchQueries {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := Parse(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPrint(b *testing.B) {
	for name, src := range benchQueries {
		q, err := Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Print(q)
			}
		})
	}
}

// BenchmarkParseCorpus parses every Sentinel hunting query once per
// iteration, when the shared data is present.
func BenchmarkParseCorpus(b *testing.B) {
	queries := loadHuntingQueries(b, sharedData(b, "kql/sentinel-hunting-queries"))
	b.ReportAllocs()
	for b.Loop() {
		for _, hq := range queries {
			Parse(hq.query)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(queries)), "ns/query")
}
