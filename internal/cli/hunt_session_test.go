package cli

import (
	"slices"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

func TestActedOn(t *testing.T) {
	many := []string{"a@x", "b@x", "c@x", "d@x", "e@x", "f@x", "g@x"}
	scanners := []string{"1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5", "6.6.6.6"}
	ev := func(subject string, e entity.Set) hunt.Evidence { return hunt.Evidence{Subject: subject, Entities: e} }
	tests := []struct {
		name     string
		role     catalog.Role
		all      []string
		evidence []hunt.Evidence
		want     []string
	}{
		{"a few accounts are all offered", catalog.RoleUser, []string{"a@x", "b@x"},
			[]hunt.Evidence{ev("10.0.0.1", entity.Set{})}, []string{"a@x", "b@x"}},
		{"a spray offers only the account a signal was about", catalog.RoleUser, many,
			[]hunt.Evidence{ev("IPAddress=10.0.0.1", entity.Set{Users: many}), ev("C@X", entity.Set{Users: []string{"c@x"}})}, []string{"c@x"}},
		{"a correlation subject names the account", catalog.RoleUser, many,
			[]hunt.Evidence{ev("IPAddress=10.0.0.1, UserPrincipalName=f@x", entity.Set{Users: many})}, []string{"f@x"}},
		{"a spray that compromised nobody offers no account", catalog.RoleUser, many,
			[]hunt.Evidence{ev("IPAddress=10.0.0.1", entity.Set{Users: many})}, nil},
		{"the account that ran a dump, not the names a brute force tried", catalog.RoleUser, many,
			[]hunt.Evidence{ev("IpAddress=203.0.113.9, Computer=web01", entity.Set{Users: many}), ev("web01", entity.Set{Users: []string{"b@x"}})}, []string{"b@x"}},
		{"the host broken into, not the attacker's workstation name", catalog.RoleHost, []string{"APP01.corp.example", "WIN-7CE0ZS3LF1E"},
			[]hunt.Evidence{ev("IpAddress=203.0.113.9, Computer=APP01.corp.example", entity.Set{Hosts: []string{"APP01.corp.example", "WIN-7CE0ZS3LF1E"}})}, []string{"APP01.corp.example"}},
		{"scanners behind a flow finding are not a block list", catalog.RoleIP, scanners,
			[]hunt.Evidence{ev("10.0.0.4", entity.Set{IPs: scanners})}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &hunt.Finding{Evidence: tt.evidence}
			if got := actedOn(f, tt.role, tt.all); !slices.Equal(got, tt.want) {
				t.Errorf("actedOn = %v, want %v", got, tt.want)
			}
		})
	}
}
