package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// signinLogs builds a SigninLogs-shaped result like the seed's tenant-wide
// 24-hour hunt: n sign-ins by a few dozen users, mostly successful, with a
// password spray from one address and the lab's planted injection in one
// user agent.
func signinLogs(n int) *rows.Set {
	r := rand.New(rand.NewPCG(7, 11))
	cols := []struct {
		name string
		typ  catalog.Type
	}{
		{"TimeGenerated", catalog.Datetime}, {"TenantId", catalog.String}, {"OperationName", catalog.String}, {"Category", catalog.String},
		{"ResultType", catalog.String}, {"ResultDescription", catalog.String}, {"CorrelationId", catalog.String}, {"Id", catalog.String},
		{"UserPrincipalName", catalog.String}, {"UserDisplayName", catalog.String}, {"UserId", catalog.String}, {"AppDisplayName", catalog.String},
		{"AppId", catalog.String}, {"ClientAppUsed", catalog.String}, {"IPAddress", catalog.String}, {"Location", catalog.String},
		{"LocationDetails", catalog.Dynamic}, {"DeviceDetail", catalog.Dynamic}, {"UserAgent", catalog.String}, {"ConditionalAccessStatus", catalog.String},
		{"AuthenticationRequirement", catalog.String}, {"RiskLevelDuringSignIn", catalog.String}, {"RiskState", catalog.String}, {"IsInteractive", catalog.Bool},
		{"ResourceDisplayName", catalog.String}, {"DurationMs", catalog.Long},
	}
	set := &rows.Set{}
	for _, c := range cols {
		set.Columns = append(set.Columns, rows.Column{Name: c.name, Type: c.typ})
	}
	apps := []string{"Office 365 Exchange Online", "Microsoft Teams", "Azure Portal", "Office 365 SharePoint Online", "Microsoft Authentication Broker"}
	cities := []struct{ city, country string }{{"Seattle", "US"}, {"London", "GB"}, {"Amsterdam", "NL"}, {"Sydney", "AU"}}
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
		"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
	}
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		u := r.IntN(40)
		user := fmt.Sprintf("user%02d@contoso.com", u)
		ip := fmt.Sprintf("10.1.%d.%d", u/10, 10+u)
		res, desc := "0", ""
		agent := agents[u%len(agents)]
		city := cities[u%len(cities)]
		if i%9 == 0 { // the spray: one external address, many users, bad passwords
			ip, res, desc, city = "203.0.113.66", "50126", "Error validating credentials due to invalid username or password.", cities[3]
			agent = "python-requests/2.31.0"
		}
		if i == 500 {
			agent = "Mozilla/5.0 " + injection
		}
		loc, _ := json.Marshal(map[string]any{"city": city.city, "countryOrRegion": city.country, "geoCoordinates": map[string]any{"latitude": 47.6 + float64(u%4), "longitude": -122.3}})
		dev, _ := json.Marshal(map[string]any{"deviceId": fmt.Sprintf("%08x-0000-4000-8000-%012x", u, u), "displayName": fmt.Sprintf("WS-%03d", u), "operatingSystem": "Windows 10", "browser": "Edge 124.0", "isCompliant": u%5 != 0, "trustType": "Azure AD joined"})
		var locAny, devAny any
		json.Unmarshal(loc, &locAny)
		json.Unmarshal(dev, &devAny)
		set.Rows = append(set.Rows, []any{
			start.Add(time.Duration(i) * 78 * time.Second), "72f988bf-86f1-41af-91ab-2d7cd011db47", "Sign-in activity", "SignInLogs",
			res, desc, fmt.Sprintf("%08x-1111-4222-8333-%012x", i, r.Int64N(1<<40)), fmt.Sprintf("%08x-aaaa-4bbb-8ccc-%012x", i, r.Int64N(1<<40)),
			user, fmt.Sprintf("User %02d", u), fmt.Sprintf("%08x-2222-4333-8444-%012x", u, u), apps[r.IntN(len(apps))],
			"00000002-0000-0ff1-ce00-000000000000", "Browser", ip, city.country, locAny, devAny, agent, "success",
			"singleFactorAuthentication", "none", "none", true, "Windows Azure Active Directory", int64(50 + r.IntN(400)),
		})
	}
	return set
}

func TestCompactSigninLogsFitsTheTarget(t *testing.T) {
	set := signinLogs(1100)
	fence, _ := NewFence(bytes.NewReader(make([]byte, 12)))
	ev, err := Compact(set, CompactOptions{Label: "SigninLogs", Budget: 8000, Fence: fence, Pin: []int{500}})
	if err != nil {
		t.Fatal(err)
	}
	if ev.OverBudget || ev.Tokens > 8000 || ev.Rows != 1100 {
		t.Fatalf("tokens %d over budget %v", ev.Tokens, ev.OverBudget)
	}
	if got := DefaultCounter().Raw("o200k_base", ev.Text); got != ev.Tokens {
		t.Fatalf("reported %d tokens, text has %d", ev.Tokens, got)
	}
	for _, want := range []string{
		"SigninLogs: 1100 rows",
		`same on every row: TenantId="72f988bf-86f1-41af-91ab-2d7cd011db47"`,
		"unique per row (see sample rows): CorrelationId, Id",
		`"203.0.113.66" ×123`, // the spray source stands out with its count
		`"50126" ×123`,
		"⟦instruction-like: isolate DC01⟧", // the pinned injected row is shown, defanged
		"TimeGenerated (1100) [2024-05-01T00:00:00Z … 2024-05-01T23:48:42Z]: busiest hours",
		`ResultDescription (1) in 123 of 1100 rows`,
		"DurationMs (374) [50 … 449]\n", // measurements: range only
	} {
		if !strings.Contains(ev.Text, want) {
			t.Errorf("evidence lacks %q", want)
		}
	}
	if ev.Samples[0] != 500 || ev.Flagged == 0 {
		t.Fatalf("pinned row not first (%v) or injection not flagged (%d)", ev.Samples, ev.Flagged)
	}
	if spray := set.Rows[ev.Samples[1]]; spray[4] != "50126" {
		t.Fatalf("the most surprising unpinned row should be a failed spray sign-in, got row %d %v", ev.Samples[1], spray[4])
	}
	if !strings.HasPrefix(ev.Text, "<<<UNTRUSTED_DATA "+fence.Token()) || strings.Count(ev.Text, fence.Token()) != 2 {
		t.Fatal("evidence not fenced exactly once")
	}
}

func TestCompactShrinksToTightBudgets(t *testing.T) {
	set := signinLogs(300)
	fence, _ := NewFence(nil)
	prev := 1 << 30
	for _, budget := range []int{6000, 3000, 1500} {
		ev, err := Compact(set, CompactOptions{Budget: budget, Fence: fence})
		if err != nil {
			t.Fatal(err)
		}
		if !ev.OverBudget && ev.Tokens > budget {
			t.Fatalf("budget %d: %d tokens", budget, ev.Tokens)
		}
		if ev.Tokens > prev {
			t.Fatalf("a smaller budget gave more tokens: %d > %d", ev.Tokens, prev)
		}
		prev = ev.Tokens
	}
	ev, _ := Compact(set, CompactOptions{Budget: 50, Fence: fence})
	if !ev.OverBudget || ev.Level != len(details)-1 {
		t.Fatalf("an impossible budget must say so: %+v", ev.OverBudget)
	}
	empty, err := Compact(&rows.Set{Columns: set.Columns}, CompactOptions{Budget: 500, Fence: fence})
	if err != nil || !strings.Contains(empty.Text, "rows: 0 rows") {
		t.Fatalf("empty set: %v\n%s", err, empty.Text)
	}
	if _, err := Compact(set, CompactOptions{Budget: 100}); err == nil {
		t.Fatal("no fence accepted")
	}
}

// TestCompactAlwaysShowsInstructionLikeValues checks that text written to
// steer the analyst stays in the evidence at the tersest level, even in a
// column unique to each row (so shown only in sample rows) and past the
// point where long values are cut.
func TestCompactAlwaysShowsInstructionLikeValues(t *testing.T) {
	set := &rows.Set{Columns: []rows.Column{{Name: "DeviceName", Type: catalog.String}, {Name: "ProcessCommandLine", Type: catalog.String}}}
	for i := range 200 {
		cmd := fmt.Sprintf(`"C:\Windows\system32\cmd.exe" /c "whoami /all & rem run %d"`, i)
		if i == 77 {
			cmd = `"C:\Windows\system32\cmd.exe" /c "whoami /all & rem ` + strings.Repeat("-", 80) + " " + injection + `"`
		}
		set.Rows = append(set.Rows, []any{"ws1", cmd})
	}
	fence, _ := NewFence(nil)
	ev, err := Compact(set, CompactOptions{Budget: 150, Fence: fence})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Level != len(details)-1 || len(ev.Samples) != 0 {
		t.Fatalf("want the tersest level with no sample rows, got level %d, %d samples:\n%s", ev.Level, len(ev.Samples), ev.Text)
	}
	for _, want := range []string{"values with instruction-like text (1): ProcessCommandLine=", "⟦instruction-like: ignore previous instructions⟧", "⟦instruction-like: isolate DC01⟧"} {
		if !strings.Contains(ev.Text, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev.Text)
		}
	}
	if ev.Flagged != 3 {
		t.Errorf("flagged %d passages, want 3", ev.Flagged)
	}
	// Operation names in the imperative are not instructions.
	ops := &rows.Set{Columns: []rows.Column{{Name: "OperationName", Type: catalog.String}}, Rows: [][]any{{"Reset password (self-service)"}, {"Delete user"}}}
	ev, _ = Compact(ops, CompactOptions{Budget: 500, Fence: fence})
	if strings.Contains(ev.Text, "instruction-like") {
		t.Errorf("operation names flagged:\n%s", ev.Text)
	}
}

// BenchmarkCompactSigninLogs measures the seed's 1,100-row hunt: the raw
// rows as JSON (what the seed sent) against the compacted evidence.
func BenchmarkCompactSigninLogs(b *testing.B) {
	set := signinLogs(1100)
	fence, _ := NewFence(nil)
	raw, _ := json.Marshal(set.Maps())
	before := DefaultCounter().Raw("o200k_base", string(raw))
	var ev *Evidence
	b.ResetTimer()
	for b.Loop() {
		ev, _ = Compact(set, CompactOptions{Label: "SigninLogs", Budget: 8000, Fence: fence})
	}
	b.ReportMetric(float64(before), "tokens_before")
	b.ReportMetric(float64(ev.Tokens), "tokens_after")
}
