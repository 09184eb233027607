package config

// Sigma configures how Sigma rules compile.
type Sigma struct {
	// Placeholders gives the values of |expand placeholders, by name
	// without the percent signs, e.g. Admins_Workstations: [ws-admin-*].
	// Values are Sigma strings: * and ? are wildcards.
	Placeholders map[string][]string `yaml:"placeholders,omitempty"`
}
