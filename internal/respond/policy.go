package respond

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/config"
)

// Policy decides what may run at all. It is built from the config's
// respond: section by PolicyFromConfig.
type Policy struct {
	// Connectors are the enabled connectors in order of preference.
	Connectors []string
	// Allowed is the set of action types that may run; nil allows all.
	Allowed map[Type]bool
	// Forbid and Confirm are protected assets: names, globs or "tag:x".
	Forbid, Confirm []string
	// MaxActions caps the executable actions one hunt proposes.
	MaxActions int
	// IsolationType is Full or Selective; ScanType is Quick or Full.
	IsolationType, ScanType string
	// DryRunOutsideTerminal makes approval without a terminal and without
	// an explicit yes a dry run.
	DryRunOutsideTerminal bool
	// MinConfidence drops findings below it.
	MinConfidence float64
	// PollTimeout bounds the wait for a connector to finish an action.
	PollTimeout time.Duration
}

// Defaults of the policy.
const (
	DefaultMaxActions  = 10
	DefaultPollTimeout = 10 * time.Minute
)

// DefaultPolicy is the policy with nothing configured: the lab connector,
// every action type, no protected assets.
func DefaultPolicy() Policy {
	p, _ := PolicyFromConfig(config.Respond{})
	return p
}

// Connector names.
const (
	ConnectorLab     = "lab"
	ConnectorMDE     = "mde"
	ConnectorEntra   = "entra"
	ConnectorElastic = "elastic"
	ConnectorWebhook = "webhook"
)

// ConnectorNames lists the connectors sleuth knows.
var ConnectorNames = []string{ConnectorLab, ConnectorMDE, ConnectorEntra, ConnectorElastic, ConnectorWebhook}

// PolicyFromConfig checks the respond: section and builds the policy.
func PolicyFromConfig(c config.Respond) (Policy, error) {
	p := Policy{
		Connectors:            []string{ConnectorLab},
		Forbid:                c.ProtectedAssets.Forbid,
		Confirm:               c.ProtectedAssets.Confirm,
		MaxActions:            c.MaxActionsPerHunt,
		IsolationType:         "Full",
		ScanType:              "Quick",
		DryRunOutsideTerminal: c.DryRunOutsideTerminal == nil || *c.DryRunOutsideTerminal,
		MinConfidence:         c.MinConfidence,
		PollTimeout:           DefaultPollTimeout,
	}
	if len(c.Connectors) > 0 {
		p.Connectors = nil
		for _, n := range c.Connectors {
			n = strings.ToLower(strings.TrimSpace(n))
			if !known(n) {
				return p, errorf("respond.config", "use any of "+strings.Join(ConnectorNames, ", "), "respond.connectors: unknown connector %q", n)
			}
			p.Connectors = append(p.Connectors, n)
		}
	}
	if len(c.AllowedActions) > 0 {
		p.Allowed = map[Type]bool{}
		for _, s := range c.AllowedActions {
			t, ok := ParseType(s)
			if !ok {
				return p, errorf("respond.config", "use any of "+typeList(), "respond.allowed_actions: unknown action %q", s)
			}
			p.Allowed[t] = true
		}
	}
	if p.MaxActions <= 0 {
		p.MaxActions = DefaultMaxActions
	}
	var err error
	if p.IsolationType, err = oneOf("respond.isolation_type", c.IsolationType, "Full", "Full", "Selective"); err != nil {
		return p, err
	}
	if p.ScanType, err = oneOf("respond.scan_type", c.ScanType, "Quick", "Quick", "Full"); err != nil {
		return p, err
	}
	if c.PollTimeout != "" {
		d, err := time.ParseDuration(c.PollTimeout)
		if err != nil || d <= 0 {
			return p, errorf("respond.config", "use a Go duration such as 10m", "respond.poll_timeout: bad duration %q", c.PollTimeout)
		}
		p.PollTimeout = d
	}
	if p.MinConfidence < 0 || p.MinConfidence > 1 {
		return p, errorf("respond.config", "use a number from 0 to 1", "respond.min_confidence: %v is out of range", p.MinConfidence)
	}
	return p, nil
}

func known(name string) bool {
	for _, n := range ConnectorNames {
		if n == name {
			return true
		}
	}
	return false
}

func typeList() string {
	s := make([]string, len(Types))
	for i, t := range Types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func oneOf(key, v, def string, options ...string) (string, error) {
	if v == "" {
		return def, nil
	}
	for _, o := range options {
		if strings.EqualFold(v, o) {
			return o, nil
		}
	}
	return "", errorf("respond.config", "use "+strings.Join(options, " or "), "%s: %q is not allowed", key, v)
}

// Allows reports whether the policy lets actions of type t run, and why not.
func (p Policy) Allows(t Type) (bool, string) {
	if p.Allowed != nil && !p.Allowed[t] {
		return false, fmt.Sprintf("policy: %s is not in respond.allowed_actions", t)
	}
	return true, ""
}

// Protection levels of a target.
const (
	Unprotected = ""
	NeedConfirm = "confirm"
	Forbidden   = "forbid"
)

// Protection says whether target (with the tags a connector reported for
// it) is a protected asset, and which pattern made it so. Forbid wins over
// confirm.
func (p Policy) Protection(target string, tags []string) (level, pattern string) {
	if pat, ok := matchAny(p.Forbid, target, tags); ok {
		return Forbidden, pat
	}
	if pat, ok := matchAny(p.Confirm, target, tags); ok {
		return NeedConfirm, pat
	}
	return Unprotected, ""
}

func matchAny(patterns []string, target string, tags []string) (string, bool) {
	for _, pat := range patterns {
		if matchAsset(pat, target, tags) {
			return pat, true
		}
	}
	return "", false
}

// matchAsset matches one protected-asset pattern. Names and globs compare
// case-insensitively with the whole target and, for host names, with the
// first DNS label, so "dc01" protects "DC01.contoso.com".
func matchAsset(pattern, target string, tags []string) bool {
	pat := strings.ToLower(strings.TrimSpace(pattern))
	if tag, ok := strings.CutPrefix(pat, "tag:"); ok {
		for _, t := range tags {
			if strings.EqualFold(strings.TrimSpace(t), tag) {
				return true
			}
		}
		return false
	}
	target = strings.ToLower(target)
	candidates := []string{target}
	if short, _, ok := strings.Cut(target, "."); ok && !strings.Contains(target, "@") {
		candidates = append(candidates, short)
	}
	for _, c := range candidates {
		if ok, err := path.Match(pat, c); (err == nil && ok) || pat == c {
			return true
		}
	}
	return false
}

// connectorFor is the first enabled connector that can run t, or "".
func (p Policy) connectorFor(t Type) string {
	for _, n := range p.Connectors {
		if connectorSupports(n, t) {
			return n
		}
	}
	return ""
}

// connectorSupports is the static capability table of the connectors, so
// proposals can name a connector without building it.
func connectorSupports(name string, t Type) bool {
	switch name {
	case ConnectorLab, ConnectorWebhook:
		return t != BlockIP
	case ConnectorMDE:
		return t == IsolateHost || t == ReleaseHost || t == RunAVScan || t == CollectPackage
	case ConnectorEntra:
		return t == DisableUser || t == RevokeSessions
	case ConnectorElastic:
		return t == IsolateHost || t == ReleaseHost
	}
	return false
}
