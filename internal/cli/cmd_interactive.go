package cli

import (
	"bufio"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
	huntreport "github.com/sleuth-hunt/sleuth/internal/report"
)

const sessionHelp = `Ask in plain language, for example:
  suspicious sign-ins in the last 24 hours
  was web01 maliciously logged into in the last few days?
Follow-ups use the last hunt:
  what else did that user do?     (also: that host, that address, finding 2)
  widen to 7 days                 (or: widen, go back 30 days)
Commands: findings, show N (a finding's details), actions, help, quit`

// interactive is sleuth with no arguments on a terminal: a session that
// hunts question after question and keeps the last hunt for follow-ups.
func (a *app) interactive(ctx context.Context) error {
	fmt.Fprintln(a.stderr, "sleuth: an agentic threat hunter. Type 'help' for examples, 'quit' to leave.")
	in := bufio.NewScanner(a.stdin)
	s := &session{}
	for {
		fmt.Fprint(a.stderr, "\nWhat would you like to hunt? > ")
		if !in.Scan() {
			fmt.Fprintln(a.stderr)
			return in.Err()
		}
		line := strings.TrimSpace(in.Text())
		switch low := strings.ToLower(line); {
		case line == "":
			continue
		case low == "quit" || low == "exit" || low == "q" || low == "bye":
			return nil
		case low == "help" || low == "?":
			fmt.Fprintln(a.stdout, sessionHelp)
			continue
		case low == "findings":
			a.listFindings(s.last)
			continue
		case low == "actions":
			a.listActions(s.last)
			continue
		case strings.HasPrefix(low, "show "):
			a.showFinding(s.last, strings.TrimSpace(line[5:]))
			continue
		}
		q, err := s.followUp(line, a.now)
		if err != nil {
			fmt.Fprintf(a.stderr, "sleuth: %v\n", err)
			continue
		}
		if q != line {
			fmt.Fprintf(a.stderr, "sleuth: hunting: %s\n", q)
		}
		opts, err := a.applyGuard(hunt.Options{Now: a.now, DefaultWindow: plan.DefaultWindow})
		if err != nil {
			report(a.stderr, err)
			continue
		}
		// Proposals wait: asking y/N here would take the analyst's next
		// question as an answer. The summary says how to review them.
		r, files, err := a.hunt(ctx, huntRequest{question: q, approve: "never", opts: opts})
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			report(a.stderr, err)
			continue
		}
		s.last, s.question = r, q
		huntreport.Terminal(a.stdout, r, huntreport.TerminalOptions{Color: isTerminal(a.stdout), Files: &files})
	}
}

// session is what a follow-up may refer to.
type session struct {
	last     *hunt.Report
	question string
}

var (
	reWiden   = regexp.MustCompile(`(?i)^\s*(?:widen|extend|expand|broaden|go back|look back)\b(?:\s+(?:the\s+)?(?:window|search|hunt))?(?:\s+(?:to|by|over))?\s*(.*)$`)
	reSpan    = regexp.MustCompile(`(?i)(\d+)\s*(hour|day|week|month)s?`)
	reFinding = regexp.MustCompile(`(?i)\bfinding\s+#?(\d+)\b`)
	reRefs    = map[string]*regexp.Regexp{
		"user": regexp.MustCompile(`(?i)\b(?:that|this|the same)\s+(?:user|account|person)\b`),
		"host": regexp.MustCompile(`(?i)\b(?:that|this|the same)\s+(?:host|machine|server|device|computer|box)\b`),
		"ip":   regexp.MustCompile(`(?i)\b(?:that|this|the same)\s+(?:ip|address|ip address)\b`),
	}
)

// followUp rewrites a question that refers to the last hunt into one that
// stands alone: "widen to 7 days" re-asks the last question over 7 days;
// "that user", "that host", "that address" and "finding N" name the
// entities of the last hunt's top (or Nth) finding.
func (s *session) followUp(line string, now time.Time) (string, error) {
	if m := reWiden.FindStringSubmatch(line); m != nil {
		if s.last == nil {
			return "", fmt.Errorf("there is no hunt to widen yet; ask a question first")
		}
		base := withoutWindow(s.question, now)
		span := "the last " + humanSpan(2*s.last.Plan.End.Sub(s.last.Plan.Start))
		if sm := reSpan.FindStringSubmatch(m[1]); sm != nil {
			span = "the last " + sm[1] + " " + strings.ToLower(sm[2]) + "s"
		}
		return strings.TrimRight(base, " ?.") + " in " + span, nil
	}
	f := (*hunt.Finding)(nil)
	if s.last != nil && len(s.last.Findings) > 0 {
		f = s.last.Findings[0]
	}
	q := line
	if m := reFinding.FindStringSubmatch(line); m != nil {
		n, _ := strconv.Atoi(m[1])
		if s.last == nil || n < 1 || n > len(s.last.Findings) {
			return "", fmt.Errorf("there is no finding %d in the last hunt", n)
		}
		f = s.last.Findings[n-1]
		q = reFinding.ReplaceAllString(q, entityPhrase(f))
	}
	for kind, re := range reRefs {
		if !re.MatchString(q) {
			continue
		}
		if f == nil {
			return "", fmt.Errorf("%q refers to the last hunt, which has no findings", re.FindString(q))
		}
		var vals []string
		switch kind {
		case "user":
			vals = f.Entities.Users
		case "host":
			vals = f.Entities.Hosts
		case "ip":
			vals = f.Entities.IPs
		}
		if len(vals) == 0 {
			return "", fmt.Errorf("the finding %q names no %s", f.Title, kind)
		}
		q = re.ReplaceAllString(q, mostTelling(f, vals))
	}
	return q, nil
}

// mostTelling picks the entity "that user" or "that host" means: one a
// signal of the finding was about, else the first that is not a machine
// account (HOST$), which a brute force lists before the account it broke.
func mostTelling(f *hunt.Finding, vals []string) string {
	subjects := f.Subjects()
	for _, v := range vals {
		if subjects[strings.ToLower(v)] {
			return v
		}
	}
	for _, v := range vals {
		if !strings.HasSuffix(v, "$") {
			return v
		}
	}
	return vals[0]
}

// withoutWindow drops the time phrase of a question, so a new one can follow.
func withoutWindow(q string, now time.Time) string {
	w, ok := plan.ParseWindow(q, now)
	if !ok || w.Phrase == "" {
		return q
	}
	i := strings.Index(strings.ToLower(q), w.Phrase)
	if i < 0 {
		return q
	}
	out := strings.TrimSpace(q[:i] + q[i+len(w.Phrase):])
	for _, tail := range []string{" in the", " in", " over the", " during the", " for the"} {
		out = strings.TrimSuffix(out, tail)
	}
	return out
}

func entityPhrase(f *hunt.Finding) string {
	var parts []string
	parts = append(parts, first(f.Entities.Hosts)...)
	parts = append(parts, first(f.Entities.Users)...)
	parts = append(parts, first(f.Entities.IPs)...)
	return strings.Join(parts, " and ")
}

func first(xs []string) []string {
	if len(xs) > 0 {
		return xs[:1]
	}
	return nil
}

func humanSpan(d time.Duration) string {
	days := int((d + 12*time.Hour) / (24 * time.Hour))
	if days >= 1 {
		return fmt.Sprintf("%d days", days)
	}
	return fmt.Sprintf("%d hours", int(d.Hours()+0.5))
}

func (a *app) listFindings(r *hunt.Report) {
	if r == nil || len(r.Findings) == 0 {
		fmt.Fprintln(a.stdout, "no findings yet")
		return
	}
	for i, f := range r.Findings {
		fmt.Fprintf(a.stdout, "%2d. %-8s %3.0f%%  %s\n", i+1, f.Severity, f.Confidence*100, f.Title)
	}
}

func (a *app) showFinding(r *hunt.Report, arg string) {
	n, err := strconv.Atoi(strings.TrimPrefix(arg, "#"))
	if r == nil || err != nil || n < 1 || n > len(r.Findings) {
		fmt.Fprintln(a.stderr, "sleuth: say 'show N' with N from 'findings'")
		return
	}
	f := r.Findings[n-1]
	fmt.Fprintf(a.stdout, "%s  %s (%.0f%%)  %s\n%s\n\nHosts: %s\nUsers: %s\nAddresses: %s\n", f.ID, f.Severity, f.Confidence*100, f.Title,
		f.Description, strings.Join(f.Entities.Hosts, ", "), strings.Join(f.Entities.Users, ", "), strings.Join(f.Entities.IPs, ", "))
	for _, t := range f.Timeline {
		fmt.Fprintf(a.stdout, "  %s %-22s %s\n", formatDatetime(t.Time), t.Table, clip(oneLine(t.Summary), 100))
	}
	fmt.Fprintln(a.stdout, "\nRecommendations:")
	for _, rec := range f.Recommendations {
		fmt.Fprintln(a.stdout, "  - "+rec)
	}
	fmt.Fprintln(a.stdout, "\nKQL:\n"+f.HuntingQuery)
}

func (a *app) listActions(r *hunt.Report) {
	if r == nil || len(r.Actions) == 0 {
		fmt.Fprintln(a.stdout, "no actions proposed; 'sleuth respond list' shows all")
		return
	}
	for _, x := range r.Actions {
		fmt.Fprintf(a.stdout, "%s  %-18s %-30s %s\n", x.ID, x.Type, x.Target, x.Status)
	}
}
