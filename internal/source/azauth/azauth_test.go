package azauth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

func TestMethodNeverShowsSecrets(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Token: "eyJ0-secret", TokenEnv: "SLEUTH_AZURE_TOKEN"}, "bearer token from SLEUTH_AZURE_TOKEN"},
		{Config{TenantID: "t", ClientID: "app-1", ClientSecret: "s3cr3t"}, "client secret of app app-1"},
		{Config{}, "default Azure credential (az login, managed identity, environment)"},
	}
	for _, c := range cases {
		got := c.cfg.Method()
		if got != c.want || strings.Contains(got, "s3cr3t") || strings.Contains(got, "eyJ0") {
			t.Errorf("%+v: got %q, want %q", c.cfg, got, c.want)
		}
	}
}

func TestStaticToken(t *testing.T) {
	cred, err := Config{Token: "tok"}.Credential(azcore.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://api.loganalytics.io/.default"}})
	if err != nil || tok.Token != "tok" {
		t.Fatalf("%v %v", tok, err)
	}
	if err := Token(context.Background(), "prod", cred, "x/.default"); err != nil {
		t.Fatal(err)
	}
	if _, err := (Config{ClientID: "a", ClientSecret: "b"}).Credential(azcore.ClientOptions{}); err == nil {
		t.Error("a client secret without a tenant is an error")
	}
}

func TestFromConfig(t *testing.T) {
	env := map[string]string{"MY_TOKEN": "t1", "SLEUTH_AZURE_TOKEN": "t2", "SECRET": "s"}
	get := func(k string) string { return env[k] }
	a := FromConfig(config.Source{TokenEnv: "MY_TOKEN", ClientSecretEnv: "SECRET", ClientID: "c"}, get)
	if a.Token != "t1" || a.TokenEnv != "MY_TOKEN" || a.ClientSecret != "s" {
		t.Errorf("%+v", a)
	}
	b := FromConfig(config.Source{}, get)
	if b.Token != "t2" || b.TokenEnv != "SLEUTH_AZURE_TOKEN" {
		t.Errorf("%+v", b)
	}
}

func TestAuthErrorKeepsFirstLine(t *testing.T) {
	e := AuthError(context.Background(), "prod", errors.New("DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\tEnvironmentCredential: missing"))
	if e.Code != source.CodeAuth || strings.Contains(e.Msg, "Attempted") || !strings.Contains(e.Hint, "az login") {
		t.Errorf("%+v", e)
	}
}
