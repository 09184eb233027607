package respond

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Scopes of the Microsoft APIs.
const (
	ScopeMDE   = "https://api.securitycenter.microsoft.com/.default"
	ScopeGraph = "https://graph.microsoft.com/.default"
)

// Authorizer puts credentials on a request. It returns the credential it
// used so the client can scrub it from any error text; credentials are
// never printed, logged or audited.
type Authorizer interface {
	Authorize(ctx context.Context, req *http.Request) (secret string, err error)
}

type bearer string

func (b bearer) Authorize(_ context.Context, req *http.Request) (string, error) {
	req.Header.Set("Authorization", "Bearer "+string(b))
	return string(b), nil
}

// BearerToken authorizes with a fixed bearer token, as given in
// SLEUTH_MDE_TOKEN or SLEUTH_GRAPH_TOKEN.
func BearerToken(token string) Authorizer { return bearer(token) }

type apiKey string

func (k apiKey) Authorize(_ context.Context, req *http.Request) (string, error) {
	req.Header.Set("Authorization", "ApiKey "+string(k))
	return string(k), nil
}

// APIKey authorizes with an Elastic API key.
func APIKey(key string) Authorizer { return apiKey(key) }

// azureAuth gets tokens from an Azure credential and keeps the current one
// until shortly before it expires.
type azureAuth struct {
	cred  azcore.TokenCredential
	scope string

	mu  sync.Mutex
	tok azcore.AccessToken
}

// AzureCredential authorizes with tokens for scope from cred.
func AzureCredential(cred azcore.TokenCredential, scope string) Authorizer {
	return &azureAuth{cred: cred, scope: scope}
}

func (a *azureAuth) Authorize(ctx context.Context, req *http.Request) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok.Token == "" || time.Until(a.tok.ExpiresOn) < 2*time.Minute {
		tok, err := a.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{a.scope}})
		if err != nil {
			return "", &Error{Code: "connector.unauthorized", Msg: "cannot get a token for " + a.scope, Err: err,
				Hint: "run 'az login', or configure a client id and client_secret_env, or set a bearer token in the environment"}
		}
		a.tok = tok
	}
	req.Header.Set("Authorization", "Bearer "+a.tok.Token)
	return a.tok.Token, nil
}

// NewAzureCredential returns a client-secret credential when clientID and
// secret are set, else DefaultAzureCredential (environment, workload or
// managed identity, an 'az login' session, …).
func NewAzureCredential(tenantID, clientID, secret string) (azcore.TokenCredential, error) {
	if clientID != "" && secret != "" {
		if tenantID == "" {
			return nil, errorf("respond.config", "set tenant_id next to client_id in the respond: section", "a client secret needs a tenant id")
		}
		return azidentity.NewClientSecretCredential(tenantID, clientID, secret, nil)
	}
	return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{TenantID: tenantID})
}
