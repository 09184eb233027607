package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSigmaPlaceholders(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("sigma:\n  placeholders:\n    Admins_Workstations: [ws-admin-*, jump01]\n    Servers: ['srv*']\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"Admins_Workstations": {"ws-admin-*", "jump01"}, "Servers": {"srv*"}}
	if diff := cmp.Diff(want, cfg.Sigma.Placeholders); diff != "" {
		t.Errorf("placeholders (-want +got):\n%s", diff)
	}
	_, err = Parse("c.yaml", []byte("sigma:\n  placeholder:\n    X: [a]\n"))
	if err == nil || !strings.Contains(err.Error(), "placeholder") {
		t.Errorf("a misspelt key was accepted: %v", err)
	}
}
