// Package config loads sleuth's config file: a YAML document decoded
// strictly into one typed struct, so a misspelt key is an error with its line
// rather than a silently ignored setting.
//
// Secrets never live in this struct's printed form: fields that hold them are
// tagged secret and are redacted by Redacted. Prefer environment variables
// for secrets; the config may name the variable instead of the value.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/goccy/go-yaml"
)

// Config is the whole config file. Each feature owns one section.
type Config struct {
	// Analyst identifies the person approving actions in the audit log; the
	// OS user name when empty.
	Analyst string `yaml:"analyst,omitempty"`
	// Guard is the query policy for hunts and analyst queries.
	Guard Guard `yaml:"guard,omitempty"`
	// LLM chooses the optional language model and its cost guardrails.
	LLM LLM `yaml:"llm,omitempty"`
	// Respond is the response policy and the connectors' settings.
	Respond Respond `yaml:"respond,omitempty"`
	// Sigma configures rule compilation (placeholders for |expand).
	Sigma Sigma `yaml:"sigma,omitempty"`
	// Sources are the named places hunts can run besides the embedded
	// store: Sentinel workspaces, Defender XDR, ADX databases, Elasticsearch.
	Sources map[string]Source `yaml:"sources,omitempty"`
}

// Guard limits what any query may touch.
type Guard struct {
	// AllowedTables, when set, is the only tables queries may read.
	AllowedTables []string `yaml:"allowed_tables,omitempty"`
	// DeniedColumns lists Table.Column names that queries may not read.
	DeniedColumns []string `yaml:"denied_columns,omitempty"`
	// MaxWindow is the longest time window a hunt may cover, as a Go or KQL
	// duration ("720h", "30d"); default 30 days.
	MaxWindow string `yaml:"max_window,omitempty"`
	// MaxRows caps the rows any one query returns; default 10,000.
	MaxRows int `yaml:"max_rows,omitempty"`
}

// Error is a config problem with the file and, where known, the line.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string     { return e.Path + ": " + e.Msg }
func (e *Error) ErrorCode() string { return "config.invalid" }
func (e *Error) ErrorHint() string {
	return "fix the config file, or point --config (SLEUTH_CONFIG) at another"
}

// Load reads the config at path. A missing file is not an error: it gives
// the defaults, and exists reports false.
func Load(path string) (cfg *Config, exists bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, false, nil
	}
	if err != nil {
		return nil, false, &Error{Path: path, Msg: err.Error()}
	}
	cfg, err = Parse(path, b)
	return cfg, true, err
}

// Parse decodes a config document strictly.
func Parse(path string, b []byte) (*Config, error) {
	cfg := &Config{}
	if len(bytes.TrimSpace(b)) == 0 {
		return cfg, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(b), yaml.DisallowUnknownField())
	if err := dec.Decode(cfg); err != nil {
		return nil, &Error{Path: path, Msg: fmt.Sprint(yaml.FormatError(err, false, true))}
	}
	return cfg, nil
}
