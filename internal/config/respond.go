package config

// Respond is the response policy and the settings of the response
// connectors. Secrets are best given through the environment: each
// connector names the variable that holds its secret.
//
//	respond:
//	  connectors: [mde, entra]        # enabled, in order of preference
//	  allowed_actions: [isolate_host, release_host, disable_user, revoke_sessions, block_ip]
//	  protected_assets:
//	    forbid: [dc01, "tag:domain-controller"]
//	    confirm: ["srv-*", "ceo@contoso.com"]
//	  max_actions_per_hunt: 10
//	  isolation_type: Selective
//	  mde: {tenant_id: …, client_id: …, client_secret_env: SLEUTH_MDE_CLIENT_SECRET}
type Respond struct {
	// Connectors lists the enabled connectors (lab, mde, entra, elastic,
	// webhook) in order of preference; default [lab].
	Connectors []string `yaml:"connectors,omitempty"`
	// AllowedActions, when set, is the only action types that may run:
	// isolate_host, release_host, run_av_scan, collect_investigation_package,
	// disable_user, revoke_sessions, block_ip.
	AllowedActions []string `yaml:"allowed_actions,omitempty"`
	// ProtectedAssets are hosts and users that no action may touch, or only
	// after a second confirmation.
	ProtectedAssets ProtectedAssets `yaml:"protected_assets,omitempty"`
	// MaxActionsPerHunt caps the actions one hunt may propose; default 10.
	MaxActionsPerHunt int `yaml:"max_actions_per_hunt,omitempty"`
	// IsolationType is Full (default) or Selective.
	IsolationType string `yaml:"isolation_type,omitempty"`
	// ScanType is Quick (default) or Full, for antivirus scans.
	ScanType string `yaml:"scan_type,omitempty"`
	// DryRunOutsideTerminal makes approval without a terminal and without
	// --yes a dry run that shows the calls; default true.
	DryRunOutsideTerminal *bool `yaml:"dry_run_outside_terminal,omitempty"`
	// MinConfidence drops findings below this confidence (0–1) before
	// anything is proposed; default 0.
	MinConfidence float64 `yaml:"min_confidence,omitempty"`
	// PollTimeout bounds how long sleuth waits for a connector to finish an
	// action, as a Go duration; default 10m.
	PollTimeout string `yaml:"poll_timeout,omitempty"`

	MDE     AzureApp `yaml:"mde,omitempty"`
	Entra   AzureApp `yaml:"entra,omitempty"`
	Elastic Kibana   `yaml:"elastic,omitempty"`
	Webhook Webhook  `yaml:"webhook,omitempty"`
}

// ProtectedAssets name hosts and users by exact name, glob pattern
// ("srv-*", "*-admin@contoso.com") or tag ("tag:domain-controller", matched
// against the tags the connector reports for the target).
type ProtectedAssets struct {
	// Forbid: no action may touch these.
	Forbid []string `yaml:"forbid,omitempty"`
	// Confirm: actions need a second confirmation, typing the target's name.
	Confirm []string `yaml:"confirm,omitempty"`
}

// AzureApp is how sleuth reaches a Microsoft API (Defender for Endpoint, or
// Entra ID through Microsoft Graph). With no client id it uses
// DefaultAzureCredential (an 'az login' session, managed identity, …); a
// bearer token in SLEUTH_MDE_TOKEN or SLEUTH_GRAPH_TOKEN overrides both.
type AzureApp struct {
	// URL overrides the API's base URL (also SLEUTH_MDE_URL, SLEUTH_GRAPH_URL).
	URL      string `yaml:"url,omitempty"`
	TenantID string `yaml:"tenant_id,omitempty"`
	ClientID string `yaml:"client_id,omitempty"`
	// ClientSecretEnv names the environment variable holding the client
	// secret; prefer it to ClientSecret.
	ClientSecretEnv string `yaml:"client_secret_env,omitempty"`
	ClientSecret    string `yaml:"client_secret,omitempty" secret:"true"`
}

// Kibana is how sleuth reaches Elastic Defend's response actions.
type Kibana struct {
	// URL is Kibana's base URL (also SLEUTH_KIBANA_URL).
	URL string `yaml:"url,omitempty"`
	// APIKeyEnv names the variable holding the API key (default
	// SLEUTH_KIBANA_API_KEY).
	APIKeyEnv string `yaml:"api_key_env,omitempty"`
	APIKey    string `yaml:"api_key,omitempty" secret:"true"`
	// Space is the Kibana space, when not the default one.
	Space string `yaml:"space,omitempty"`
}

// Webhook posts each approved action as signed JSON to a URL.
type Webhook struct {
	URL string `yaml:"url,omitempty"`
	// SecretEnv names the variable holding the HMAC secret (default
	// SLEUTH_WEBHOOK_SECRET).
	SecretEnv string `yaml:"secret_env,omitempty"`
	Secret    string `yaml:"secret,omitempty" secret:"true"`
}
