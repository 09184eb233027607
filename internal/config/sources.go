package config

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Source types.
const (
	SourceSentinel = "sentinel"
	SourceDefender = "defender"
	SourceADX      = "adx"
	SourceElastic  = "elastic"
)

// Source is one named entry of the `sources:` section: where hunts can run
// besides the embedded store. Secrets are best given through the
// environment (SLEUTH_AZURE_TOKEN, SLEUTH_ES_API_KEY, or the variable a
// *_env field names); the plain secret fields exist for throw-away labs.
//
//	sources:
//	  prod: {type: sentinel, workspace_id: 00000000-0000-0000-0000-000000000000}
//	  xdr:  {type: defender, tenant_id: …, client_id: …, client_secret_env: XDR_SECRET}
//	  adx1: {type: adx, cluster: https://help.kusto.windows.net, database: Security}
//	  es:   {type: elastic, url: https://es:9200, indices: {SigninLogs: "logs-azure.signinlogs-*"}}
type Source struct {
	// Type is sentinel, defender, adx or elastic.
	Type string `yaml:"type"`
	// URL overrides the service endpoint (Log Analytics, Microsoft Graph,
	// the ADX cluster); for elastic it is the cluster URL. The environment
	// variables SLEUTH_LA_URL, SLEUTH_GRAPH_URL, SLEUTH_ADX_URL and
	// SLEUTH_ES_URL override it in turn.
	URL string `yaml:"url,omitempty"`

	// WorkspaceID is the Log Analytics workspace (sentinel).
	WorkspaceID string `yaml:"workspace_id,omitempty"`
	// AdditionalWorkspaces are queried together with WorkspaceID (sentinel).
	AdditionalWorkspaces []string `yaml:"additional_workspaces,omitempty"`
	// Cluster is the ADX cluster URL, such as https://mycluster.westeurope.kusto.windows.net (adx).
	Cluster string `yaml:"cluster,omitempty"`
	// Database is the ADX database (adx).
	Database string `yaml:"database,omitempty"`
	// Indices maps catalog tables to index patterns (elastic).
	Indices map[string]string `yaml:"indices,omitempty"`
	// Fields maps, per table, catalog columns to Elasticsearch field names
	// where they differ, such as {SigninLogs: {TimeGenerated: "@timestamp"}} (elastic).
	Fields map[string]map[string]string `yaml:"fields,omitempty"`

	// TenantID, ClientID and the client secret select an Entra ID app
	// (sentinel, defender, adx). Without a client id sleuth uses the Azure
	// default credential chain (environment, workload identity, managed
	// identity, an 'az login' session).
	TenantID        string `yaml:"tenant_id,omitempty"`
	ClientID        string `yaml:"client_id,omitempty"`
	ClientSecretEnv string `yaml:"client_secret_env,omitempty"`
	ClientSecret    string `yaml:"client_secret,omitempty" secret:"true"`
	// TokenEnv names a variable holding a ready bearer token (default
	// SLEUTH_AZURE_TOKEN); when it is set it wins over the credentials above.
	TokenEnv string `yaml:"token_env,omitempty"`

	// APIKeyEnv names the variable holding an Elasticsearch API key
	// (default SLEUTH_ES_API_KEY).
	APIKeyEnv string `yaml:"api_key_env,omitempty"`
	APIKey    string `yaml:"api_key,omitempty" secret:"true"`
	// Username and PasswordEnv give basic authentication to Elasticsearch.
	Username    string `yaml:"username,omitempty"`
	PasswordEnv string `yaml:"password_env,omitempty"`
	// CACert is a PEM file of the certificate authority that signed the
	// cluster's certificate (elastic).
	CACert string `yaml:"ca_cert,omitempty"`

	// Strict turns partial results (a workspace that did not answer, a
	// result cut by the service's limits) into errors instead of warnings.
	Strict bool `yaml:"strict,omitempty"`
	// MaxRows caps the rows one query may return; default and ceiling are
	// the service's own limits.
	MaxRows int `yaml:"max_rows,omitempty"`
	// Timeout bounds one query, as a Go duration ("90s"); default 10m.
	Timeout string `yaml:"timeout,omitempty"`
	// RatePerMinute caps the calls sleuth makes; default the service's
	// documented quota (45 for defender, 400 for sentinel), none for adx
	// and elastic.
	RatePerMinute float64 `yaml:"rate_per_minute,omitempty"`
	// MaxRetries is how often a throttled or unavailable call is retried
	// (after the Retry-After the service asks for); default 3, -1 for none.
	MaxRetries int `yaml:"max_retries,omitempty"`
}

// SourceTypes lists the valid Source.Type values.
var SourceTypes = []string{SourceSentinel, SourceDefender, SourceADX, SourceElastic}

// Validate checks the fields the source's type needs. name is the source's
// key in the config, for messages.
func (s Source) Validate(name string) error {
	bad := func(format string, args ...any) error {
		return &Error{Path: "sources." + name, Msg: fmt.Sprintf(format, args...)}
	}
	if name == "" || name == "embedded" {
		return bad("the name %q is reserved; choose another", name)
	}
	switch s.Type {
	case SourceSentinel:
		if s.WorkspaceID == "" {
			return bad("type sentinel needs workspace_id (the workspace's ID from its Overview page)")
		}
	case SourceDefender:
	case SourceADX:
		if s.Cluster == "" && s.URL == "" {
			return bad("type adx needs cluster (such as https://mycluster.westeurope.kusto.windows.net)")
		}
		if s.Database == "" {
			return bad("type adx needs database")
		}
	case SourceElastic:
		if s.URL == "" {
			return bad("type elastic needs url (such as https://localhost:9200)")
		}
		if len(s.Indices) == 0 {
			return bad("type elastic needs indices, mapping tables to index patterns, such as {SigninLogs: \"logs-azure.signinlogs-*\"}")
		}
	case "":
		return bad("missing type; use one of %s", strings.Join(SourceTypes, ", "))
	default:
		return bad("unknown type %q; use one of %s", s.Type, strings.Join(SourceTypes, ", "))
	}
	for _, u := range []string{s.URL, s.Cluster} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || p.Scheme == "" || p.Host == "" {
			return bad("%q is not an absolute URL", u)
		}
	}
	if s.Timeout != "" {
		if d, err := time.ParseDuration(s.Timeout); err != nil || d <= 0 {
			return bad("timeout %q is not a positive Go duration such as 90s or 10m", s.Timeout)
		}
	}
	if s.MaxRows < 0 || s.RatePerMinute < 0 {
		return bad("max_rows and rate_per_minute cannot be negative")
	}
	return nil
}

// SourceNames returns the configured source names, sorted.
func (c *Config) SourceNames() []string {
	names := make([]string, 0, len(c.Sources))
	for n := range c.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
