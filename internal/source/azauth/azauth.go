// Package azauth gives the Azure sources (Sentinel, Defender XDR, Azure
// Data Explorer) their credential and HTTP client options: a ready bearer
// token from the environment, an Entra ID app's client secret, or the Azure
// default credential chain (environment, workload identity, managed
// identity, an 'az login' session), in that order of preference.
//
// Tokens are never logged or printed; Method describes the credential
// without its secret.
package azauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// Config selects the credential.
type Config struct {
	// Token is a ready bearer token (SLEUTH_AZURE_TOKEN); it wins over the rest.
	Token string
	// TokenEnv names the variable Token came from, for Method.
	TokenEnv string
	// TenantID, ClientID and ClientSecret select an Entra ID app.
	TenantID     string
	ClientID     string
	ClientSecret string
}

// Method describes the credential Credential will build, without secrets.
func (c Config) Method() string {
	switch {
	case c.Token != "":
		env := c.TokenEnv
		if env == "" {
			env = "the environment"
		}
		return "bearer token from " + env
	case c.ClientID != "" && c.ClientSecret != "":
		return "client secret of app " + c.ClientID
	}
	return "default Azure credential (az login, managed identity, environment)"
}

// Credential builds the token credential the config selects.
func (c Config) Credential(opts azcore.ClientOptions) (azcore.TokenCredential, error) {
	switch {
	case c.Token != "":
		return staticToken(c.Token), nil
	case c.ClientID != "" && c.ClientSecret != "":
		if c.TenantID == "" {
			return nil, errors.New("a client secret needs tenant_id as well")
		}
		return azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, c.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts})
	}
	// A client id without a secret is left to the chain's own variables
	// (AZURE_CLIENT_ID selects a user-assigned managed identity).
	return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: opts, TenantID: c.TenantID})
}

// staticToken is a bearer token handed to sleuth ready-made. Its expiry is
// unknown; the service says when it has expired (401).
type staticToken string

func (t staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// ClientOptions are the azcore options every Azure source uses: its HTTP
// client (tests pass a TLS test server's), and retries that honour the
// service's Retry-After up to maxDelay.
func ClientOptions(client *http.Client, maxRetries int, maxDelay time.Duration) azcore.ClientOptions {
	var o azcore.ClientOptions
	if client != nil {
		o.Transport = client
	}
	o.Retry = policy.RetryOptions{MaxRetries: int32(maxRetries), MaxRetryDelay: maxDelay}
	if maxRetries < 0 {
		o.Retry.MaxRetries = -1
	}
	// The SDK's logging policy would record request headers; sleuth keeps
	// tokens out of every log by not enabling it.
	o.Logging.IncludeBody = false
	return o
}

// Token fetches a token for scope, to check a credential (sleuth sources
// test) before any query.
func Token(ctx context.Context, name string, cred azcore.TokenCredential, scope string) error {
	_, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return AuthError(ctx, name, err)
	}
	return nil
}

// AuthError turns a credential failure into source.auth (or
// source.timeout when the context ran out), with a hint that names the
// usual fixes.
func AuthError(ctx context.Context, name string, err error) *source.Error {
	if ctx.Err() != nil {
		return source.TransportError(ctx, name, err)
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i] // the SDK appends pages of troubleshooting text
	}
	return &source.Error{Code: source.CodeAuth, Source: name, Msg: "cannot get an Entra ID token: " + msg,
		Hint: "run 'az login' (with --tenant for another tenant), set SLEUTH_AZURE_TOKEN, or give tenant_id, client_id and client_secret_env in the source's config"}
}

// ResponseError maps an azcore.ResponseError (a non-2xx answer) to a
// source error, keeping the service's error code and message.
func ResponseError(ctx context.Context, name string, err error) *source.Error {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		detail := re.ErrorCode
		var header http.Header
		if re.RawResponse != nil {
			header = re.RawResponse.Header
			if m := serviceMessage(re.RawResponse); m != "" {
				detail = m
			}
		}
		e := source.HTTPError(name, re.StatusCode, header, detail)
		if strings.HasPrefix(re.ErrorCode, "InvalidAuthenticationToken") {
			// Log Analytics answers 403, not 401, for a bad or expired token.
			e.Code = source.CodeAuth
			e.Hint = "the token is invalid, expired or for another audience; get a new one (az login) or check SLEUTH_AZURE_TOKEN"
		}
		return e
	}
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) {
		return AuthError(ctx, name, err)
	}
	return source.TransportError(ctx, name, err)
}

func serviceMessage(resp *http.Response) string {
	body, err := runtime.Payload(resp)
	if err != nil {
		return ""
	}
	return source.ServiceMessage(body)
}

// FromConfig resolves the credential settings of an Azure source: a token
// from token_env (default SLEUTH_AZURE_TOKEN), else the client secret from
// client_secret_env or the config, else the default credential chain.
func FromConfig(c config.Source, getenv func(string) string) Config {
	a := Config{TenantID: c.TenantID, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
	a.TokenEnv = c.TokenEnv
	if a.TokenEnv == "" {
		a.TokenEnv = "SLEUTH_AZURE_TOKEN"
	}
	a.Token = getenv(a.TokenEnv)
	if c.ClientSecretEnv != "" {
		if v := getenv(c.ClientSecretEnv); v != "" {
			a.ClientSecret = v
		}
	}
	return a
}
