package cli

import (
	"slices"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
)

func TestActedOn(t *testing.T) {
	many := []string{"a@x", "b@x", "c@x", "d@x", "e@x", "f@x", "g@x"}
	tests := []struct {
		name     string
		users    []string
		subjects []string
		want     []string
	}{
		{"a few accounts are all offered", []string{"a@x", "b@x"}, []string{"10.0.0.1"}, []string{"a@x", "b@x"}},
		{"a few hosts: the one a signal was about", []string{"APP01.corp.example", "WIN-7CE0ZS3LF1E"}, []string{"IpAddress=203.0.113.9, Computer=APP01.corp.example"}, []string{"APP01.corp.example"}},
		{"a spray offers only the account a signal was about", many, []string{"IPAddress=10.0.0.1", "C@X"}, []string{"c@x"}},
		{"a correlation subject names the account", many, []string{"IPAddress=10.0.0.1, UserPrincipalName=f@x"}, []string{"f@x"}},
		{"a spray that compromised nobody offers no account", many, []string{"IPAddress=10.0.0.1"}, nil},
		{"scanners behind a flow finding are not a block list", []string{"1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5", "6.6.6.6"}, []string{"10.0.0.4"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &hunt.Finding{Entities: entity.Set{Users: tt.users}}
			for _, s := range tt.subjects {
				f.Evidence = append(f.Evidence, hunt.Evidence{Subject: s})
			}
			if got := actedOn(f, tt.users); !slices.Equal(got, tt.want) {
				t.Errorf("actedOn = %v, want %v", got, tt.want)
			}
		})
	}
}
