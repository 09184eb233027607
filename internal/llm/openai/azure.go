package openai

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"

	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// AzureOptions locates an Azure OpenAI resource. Requests name the
// deployment as their model; openai-go's azure options turn that into
// /openai/deployments/{deployment}/chat/completions?api-version=….
type AzureOptions struct {
	Endpoint   string
	APIVersion string
	// APIKey authenticates with the resource key; when empty, Credential
	// (or, when that is nil too, azidentity's default credential chain)
	// supplies an Entra ID token.
	APIKey     string
	Credential azcore.TokenCredential
	Mode       Mode
	HTTPClient *http.Client
}

// NewAzure returns the provider for an Azure OpenAI resource.
func NewAzure(o AzureOptions) (*Provider, error) {
	u, err := url.Parse(o.Endpoint)
	if err != nil || u.Host == "" {
		return nil, &llm.Error{Code: llm.CodeConfig, Provider: llm.ProviderAzure, Msg: fmt.Sprintf("azure endpoint %q is not a URL", o.Endpoint),
			Hint: "set AZURE_OPENAI_ENDPOINT to https://RESOURCE.openai.azure.com"}
	}
	opts := []option.RequestOption{azure.WithEndpoint(o.Endpoint, o.APIVersion), option.WithMaxRetries(0)}
	if o.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	}
	if u.Scheme == "http" {
		// Only loopback endpoints (tests, a local proxy) may skip TLS; the
		// SDK enforces the loopback part.
		opts = append(opts, azure.WithUnsafeAllowHTTP())
	}
	switch {
	case o.APIKey != "":
		opts = append(opts, azure.WithAPIKey(o.APIKey))
	default:
		cred := o.Credential
		if cred == nil {
			c, err := azidentity.NewDefaultAzureCredential(nil)
			if err != nil {
				return nil, &llm.Error{Code: llm.CodeAuth, Provider: llm.ProviderAzure, Msg: "no Entra ID credential: " + llm.Redact(err.Error()),
					Hint: "set AZURE_OPENAI_API_KEY, or sign in with 'az login' / a managed identity"}
			}
			cred = c
		}
		opts = append(opts, azure.WithTokenCredential(cred))
	}
	return &Provider{name: llm.ProviderAzure, client: openai.NewClient(opts...), mode: o.Mode, secrets: []string{o.APIKey}}, nil
}
