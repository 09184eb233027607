package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

// severities from most to least severe: the order a report reads in.
var severities = []string{hunt.SevCritical, hunt.SevHigh, hunt.SevMedium, hunt.SevLow, hunt.SevInformational}

// severityRank orders severities; an unknown one ranks below informational
// so that a typo never promotes a finding.
func severityRank(s string) int {
	if !slices.Contains(severities, s) {
		return -1
	}
	return hunt.SeverityRank(s)
}

// byImportance returns the findings most severe first, then most confident,
// then earliest; the report's own slice is left alone.
func byImportance(fs []*hunt.Finding) []*hunt.Finding {
	out := make([]*hunt.Finding, 0, len(fs))
	for _, f := range fs {
		if f != nil {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b *hunt.Finding) int {
		return cmp.Or(
			cmp.Compare(severityRank(b.Severity), severityRank(a.Severity)),
			cmp.Compare(b.Confidence, a.Confidence),
			a.FirstSeen.Compare(b.FirstSeen),
			cmp.Compare(a.ID, b.ID))
	})
	return out
}

// severityCounts says how many findings there are of each severity, most
// severe first: "1 critical, 2 high".
func severityCounts(fs []*hunt.Finding) string {
	n := map[string]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range severities {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
			delete(n, s)
		}
	}
	for _, s := range sortedKeys(n) {
		parts = append(parts, fmt.Sprintf("%d %s", n[s], sanitize(s)))
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// stamp prints a time for people: UTC to the second, "—" when unknown.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// iso prints a time as Kusto writes datetimes.
func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.9999999Z") }

// span prints a duration the way an analyst says it: 24h, 7d, 90m, 1.2s.
func span(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	return d.Round(time.Second).String()
}

// percent prints a confidence in [0,1] as a whole percentage.
func percent(c float64) string {
	if c != c { // NaN: say so rather than print a number
		return "?%"
	}
	return fmt.Sprintf("%.0f%%", min(max(c, 0), 1)*100)
}

// thousands prints n with comma separators: 12,345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// usd prints a cost: cents for real money, more digits for fractions of one.
func usd(v float64) string {
	if v >= 0.01 || v == 0 {
		return fmt.Sprintf("$%.2f", v)
	}
	return fmt.Sprintf("$%.4f", v)
}

// mdUSD is a cost in Markdown: GitHub reads $…$ as math.
func mdUSD(v float64) string { return `\` + usd(v) }

// window is the span of time the hunt covered: the plan's window, widened
// by any later round.
func window(r *hunt.Report) (start, end time.Time) {
	start, end = r.Plan.Start, r.Plan.End
	for _, it := range r.IterationLog {
		if !it.Start.IsZero() && (start.IsZero() || it.Start.Before(start)) {
			start = it.Start
		}
		if it.End.After(end) {
			end = it.End
		}
	}
	return start, end
}

// widened reports whether a later round read beyond the plan's window.
func widened(r *hunt.Report) bool {
	s, e := window(r)
	return !s.Equal(r.Plan.Start) || !e.Equal(r.Plan.End)
}
