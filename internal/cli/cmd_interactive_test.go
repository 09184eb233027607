package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/hunt/plan"
)

func TestFollowUp(t *testing.T) {
	now := time.Date(2024, 5, 15, 12, 0, 0, 0, time.UTC)
	last := &hunt.Report{
		Plan: plan.Plan{Start: now.Add(-24 * time.Hour), End: now},
		Findings: []*hunt.Finding{
			{Title: "spray", Entities: entity.Set{Users: []string{"alice@x.com"}, IPs: []string{"203.0.113.9"}}},
			{Title: "rdp", Entities: entity.Set{Hosts: []string{"web01"}, Users: []string{"administrator"}}},
		},
	}
	s := &session{last: last, question: "suspicious sign-ins in the last 24 hours"}
	f := func(in, want string) {
		t.Helper()
		got, err := s.followUp(in, now)
		if err != nil || got != want {
			t.Errorf("followUp(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	f("what else did that user do?", "what else did alice@x.com do?")
	f("any other sign-ins from that address", "any other sign-ins from 203.0.113.9")
	f("what happened on finding 2", "what happened on web01 and administrator")
	f("widen to 7 days", "suspicious sign-ins in the last 7 days")
	f("widen", "suspicious sign-ins in the last 2 days")
	f("go back 2 weeks", "suspicious sign-ins in the last 2 weeks")
	f("is dc01 ok?", "is dc01 ok?")

	for _, bad := range []string{"what did that host do?", "show finding 9"} {
		if _, err := s.followUp(bad, now); err == nil || !strings.Contains(err.Error(), "no") {
			t.Errorf("followUp(%q) should explain what it cannot resolve, got %v", bad, err)
		}
	}
	// "that user" is the account a signal was about, not a machine account
	// listed first.
	brute := &session{last: &hunt.Report{Findings: []*hunt.Finding{{Title: "rdp brute force",
		Entities: entity.Set{Users: []string{"WEB01$", "admin", "administrator", "guest"}},
		Evidence: []hunt.Evidence{{Subject: "IpAddress=203.0.113.9, TargetUserName=administrator"}}}}}}
	if got, err := brute.followUp("what else did that user do?", now); err != nil || got != "what else did administrator do?" {
		t.Errorf("that user after a brute force = %q, %v", got, err)
	}
	brute.last.Findings[0].Evidence = nil
	if got, _ := brute.followUp("what else did that user do?", now); got != "what else did admin do?" {
		t.Errorf("that user with no subject = %q; want the first account that is not a machine's", got)
	}

	empty := &session{}
	if _, err := empty.followUp("widen to 7 days", now); err == nil {
		t.Error("widening with no hunt should fail")
	}
}
