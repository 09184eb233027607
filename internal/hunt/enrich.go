package hunt

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// enrichFindings and timelineRows bound enrichment: the findings an
// analyst reads first, and what fits on a page for each.
const (
	enrichFindings = 10
	timelineRows   = 40
)

// summaryColumns are shown, when a table has them, in a timeline line, in
// this order: what happened, who, where, and with what.
var summaryColumns = []string{
	"ActionType", "EventID", "Activity", "OperationNameValue", "OperationName", "ResultType", "ResultDescription",
	"AccountName", "UserPrincipalName", "TargetUserName", "Caller", "DeviceName", "Computer",
	"FileName", "ProcessCommandLine", "FolderPath", "RegistryKey", "RegistryValueName", "RegistryValueData",
	"RemoteIP", "RemotePort", "RemoteUrl", "IPAddress", "IpAddress", "CallerIpAddress", "LogonType",
	"AppDisplayName", "SyslogMessage", "ResourceGroup", "FlowType_s", "SrcIP_s", "DestIP_s", "DestPort_d",
}

const maxSummaryColumns = 7

// stepEnrich builds a timeline around each of the most severe findings:
// every event within EnrichSpan of its signals that involves its hosts,
// users or addresses.
func (e *Engine) stepEnrich(ctx context.Context, cat *catalog.Catalog) error {
	for i, f := range e.state.Report.Findings {
		if i >= enrichFindings {
			break
		}
		tl, err := e.timeline(ctx, cat, f)
		if err != nil {
			return err
		}
		f.Timeline = tl
	}
	return nil
}

type interval struct{ start, end time.Time }

func (e *Engine) timeline(ctx context.Context, cat *catalog.Catalog, f *Finding) ([]TimelineEntry, error) {
	ivs := e.intervals(f)
	var times []kql.Expr
	for _, iv := range ivs {
		times = append(times, kql.Between(kql.Name("TimeGenerated"), kql.Datetime(iv.start), kql.Datetime(iv.end)))
	}
	var parts []kql.Expr
	for _, tn := range plan.HuntTables() {
		t, ok := cat.Table(tn)
		if !ok || e.state.Profile.Tables[tn].Rows == 0 {
			continue
		}
		filt := entityFilter(t, pivotEntities(f))
		if filt == nil {
			continue
		}
		parts = append(parts, &kql.ParenExpr{X: kql.Pipe(kql.Name(tn),
			kql.Where(kql.Or(times...)), kql.Where(filt),
			kql.ProjectExprs(kql.Named("TimeGenerated", kql.Name("TimeGenerated")), kql.Named("SourceTable", kql.Str(tn)), kql.Named("Summary", summaryExpr(t))))})
	}
	if len(parts) == 0 {
		return nil, nil
	}
	q := kql.NewQuery(kql.Statement(kql.Pipe(&kql.UnionExpr{Tables: parts},
		kql.Sort(kql.Asc(kql.Name("TimeGenerated"))), kql.Take(timelineRows))))
	opt := source.Options{Start: ivs[0].start, End: ivs[len(ivs)-1].end.Add(time.Second)}
	set, err := e.query(ctx, "enrich", fmt.Sprintf("events within %s of finding %s", e.Options.EnrichSpan, f.ID), q, opt)
	if err != nil {
		return nil, err
	}
	var out []TimelineEntry
	for _, r := range set.Rows {
		te := TimelineEntry{}
		te.Time, _ = r[0].(time.Time)
		te.Table, _ = r[1].(string)
		te.Summary, _ = r[2].(string)
		te.Related = related(f, te)
		out = append(out, te)
	}
	return out, nil
}

// pivotLimit caps each kind of entity a timeline pivots on. A finding can
// touch hundreds of scanner addresses or thousands of files a ransomware
// renamed; a pivot on all of them makes a query of megabytes that the
// report repeats and a hunter cannot read.
const pivotLimit = 10

// pivotEntities is the finding's entities for a timeline: every entity of a
// kind when there are few, else the ones its signals were about first, then
// the rest in order up to pivotLimit. Process and file names, which are
// fleet-wide, are kept beyond a few only when a signal was about them.
func pivotEntities(f *Finding) entity.Set {
	subjects := f.Subjects()
	pick := func(vals []string, fillUp bool) []string {
		if len(vals) <= pivotLimit && (fillUp || len(vals) <= 3) {
			return vals
		}
		var out, rest []string
		for _, v := range vals {
			if subjects[strings.ToLower(v)] {
				out = append(out, v)
			} else {
				rest = append(rest, v)
			}
		}
		if fillUp {
			out = append(out, rest...)
		}
		return out[:min(len(out), pivotLimit)]
	}
	e := f.Entities
	return entity.Set{Hosts: pick(e.Hosts, true), Users: pick(e.Users, true), IPs: pick(e.IPs, true),
		Processes: pick(e.Processes, false), Files: pick(e.Files, false)}
}

// intervals are the finding's signal spans widened by EnrichSpan and merged.
func (e *Engine) intervals(f *Finding) []interval {
	var ivs []interval
	for _, ev := range f.Evidence {
		ivs = append(ivs, interval{ev.FirstSeen.Add(-e.Options.EnrichSpan), ev.LastSeen.Add(e.Options.EnrichSpan)})
	}
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].start.Before(ivs[j].start) })
	var out []interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.start.After(out[n-1].end) {
			if iv.end.After(out[n-1].end) {
				out[n-1].end = iv.end
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

func related(f *Finding, te TimelineEntry) bool {
	for _, ev := range f.Evidence {
		if ev.Table == te.Table && !te.Time.Before(ev.FirstSeen) && !te.Time.After(ev.LastSeen) {
			return true
		}
	}
	return false
}

// summaryExpr renders a row as "Col=value Col=value …" from the table's
// most telling columns.
func summaryExpr(t *catalog.Table) kql.Expr {
	var args []kql.Expr
	n := 0
	for _, name := range summaryColumns {
		c, ok := t.Column(name)
		if !ok || n == maxSummaryColumns {
			continue
		}
		sep := " "
		if n == 0 {
			sep = ""
		}
		args = append(args, kql.Str(sep+c.Name+"="), kql.Call("tostring", kql.Name(c.Name)))
		n++
	}
	if len(args) == 0 {
		return kql.Str(t.Name)
	}
	return kql.Call("strcat", args...)
}

// stepSummarise sets the threat level and writes the executive summary.
func (e *Engine) stepSummarise(_ context.Context, _ *catalog.Catalog) error {
	r := e.state.Report
	// Lists are [] rather than null in report.json, for tools that iterate.
	r.Findings, r.Observations = nonNil(r.Findings), nonNil(r.Observations)
	r.Queries, r.Actions, r.IterationLog = nonNil(r.Queries), nonNil(r.Actions), nonNil(r.IterationLog)
	r.NotLookedAt, r.Coverage = nonNil(r.NotLookedAt), nonNil(r.Coverage)
	r.ThreatLevel = "none"
	counts := map[string]int{}
	for _, f := range r.Findings {
		counts[f.Severity]++
		if SeverityRank(f.Severity) > SeverityRank(r.ThreatLevel) || r.ThreatLevel == "none" {
			r.ThreatLevel = f.Severity
		}
	}
	if r.ThreatLevel == SevInformational {
		r.ThreatLevel = "low"
	}
	r.Summary = summary(r, counts)
	return nil
}

func summary(r *Report, counts map[string]int) string {
	p := r.Plan
	s := fmt.Sprintf("sleuth hunted %s from %s to %s (%s).", list(p.Tables, 6), stamp(p.Start), stamp(p.End), p.Planner)
	if len(r.Findings) == 0 {
		s += " It found nothing at or above the confidence floor"
		if len(r.Observations) > 0 {
			s += fmt.Sprintf("; %d weaker group(s) of signals are listed as observations", len(r.Observations))
		}
		return s + "."
	}
	var parts []string
	for _, sev := range []string{SevCritical, SevHigh, SevMedium, SevLow, SevInformational} {
		if n := counts[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	top := r.Findings[0]
	s += fmt.Sprintf(" It found %d finding(s): %s. The most urgent is %q (%s, confidence %.0f%%)", len(r.Findings), joinAnd(parts), top.Title, top.Severity, top.Confidence*100)
	if len(top.Entities.Hosts)+len(top.Entities.Users) > 0 {
		var who []string
		who = append(who, top.Entities.Hosts...)
		who = append(who, top.Entities.Users...)
		s += ", involving " + list(who, 4)
	}
	s += "."
	if len(top.Recommendations) > 0 {
		s += " First step: " + top.Recommendations[0]
	}
	return s
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return fmt.Sprintf("%s and %s", joinComma(xs[:len(xs)-1]), xs[len(xs)-1])
}

func joinComma(xs []string) string { return strings.Join(xs, ", ") }

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
