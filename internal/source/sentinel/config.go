package sentinel

import (
	"encoding/json"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/source/azauth"
)

// FromConfig reads a sentinel entry of the config file. getenv resolves
// the variables that hold secrets and endpoint overrides.
func FromConfig(name string, c config.Source, getenv func(string) string) (Config, error) {
	if err := c.Validate(name); err != nil {
		return Config{}, err
	}
	cfg := Config{
		Name:                 name,
		WorkspaceID:          c.WorkspaceID,
		AdditionalWorkspaces: c.AdditionalWorkspaces,
		URL:                  c.URL,
		Auth:                 azauth.FromConfig(c, getenv),
		Strict:               c.Strict,
		MaxRows:              c.MaxRows,
		RatePerMinute:        c.RatePerMinute,
		MaxRetries:           c.MaxRetries,
	}
	if u := getenv("SLEUTH_LA_URL"); u != "" {
		cfg.URL = u
	}
	if c.Timeout != "" {
		cfg.Timeout, _ = time.ParseDuration(c.Timeout) // Validate checked it
	}
	return cfg, nil
}

// detailMessages lists the innermost message of each detail of a Log
// Analytics error object, where the specific reasons of a PartialError are.
func detailMessages(raw []byte) []string {
	var e struct {
		Details []inner `json:"details"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return nil
	}
	var out []string
	for _, d := range e.Details {
		if m := d.innermost(); m != "" {
			out = append(out, m)
		}
	}
	return out
}

type inner struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	InnerError *inner `json:"innererror"`
}

func (i *inner) innermost() string {
	if i.InnerError != nil {
		if m := i.InnerError.innermost(); m != "" {
			return m
		}
	}
	if i.Message != "" {
		return i.Message
	}
	return i.Code
}
