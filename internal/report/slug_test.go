package report

import (
	"strings"
	"testing"
	"time"
)

func TestSlug(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got := Slug(in)
		if got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
		if len(got) > slugMax || strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
			t.Errorf("Slug(%q) = %q breaks the shape", in, got)
		}
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Errorf("Slug(%q) = %q holds %q", in, got, r)
			}
		}
	}
	f("Suspicious sign-ins in the last 24 hours", "suspicious-sign-ins-in-the-last-24-hours")
	f("  Was WEB01 compromised via RDP?? ", "was-web01-compromised-via-rdp")
	f("what's running on fs01 — and who started it", "whats-running-on-fs01-and-who-started-it")
	f("Anmeldungen von Müller über Köln, Straße", "anmeldungen-von-muller-uber-koln-strasse")
	f(`lateral movement from CORP\admin / 10.0.0.5:3389`, "lateral-movement-from-corp-admin-10-0-0-5-3389")
	f("any signs of password spraying or brute force against admin accounts in the last week", "any-signs-of-password-spraying-or-brute-force")
	f(strings.Repeat("x", 60), strings.Repeat("x", 48))
	f("abc "+strings.Repeat("y", 60), "abc-"+strings.Repeat("y", 44))
	f("???", "hunt")
	f("", "hunt")
	f("日本語のログ", "hunt")
	f("<script>alert(1)</script>", "script-alert-1-script")
	f("../../etc/passwd", "etc-passwd")
}

func TestDirName(t *testing.T) {
	at := time.Date(2024, 5, 15, 16, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	if got := DirName(at, "Suspicious sign-ins in the last 24 hours"); got != "20240515T143000Z-suspicious-sign-ins-in-the-last-24-hours" {
		t.Errorf("DirName = %q", got)
	}
}
