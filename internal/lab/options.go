package lab

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/suggest"
)

// Options configure Generate. The zero value of a field means its default.
type Options struct {
	Seed  uint64    // the lab's seed; every name, time and value follows from it
	Days  int       // length of the window, ending at End (default 7)
	Hosts int       // number of hosts, servers included (default 100, at least 12)
	Users int       // number of people, admin and service accounts excluded (default 150, at least 6)
	End   time.Time // end of the window (required)
	// Scale multiplies the volume of background telemetry (default 1);
	// the organisation and the scenarios stay the same.
	Scale float64
	// Scenarios names the scenario and decoy kinds to weave in; nil or
	// ["all"] means all of them, ["none"] means background only.
	Scenarios []string
	// Catalog is the catalog rows are built against (default catalog.Default()).
	Catalog *catalog.Catalog
	// Progress, when set, is called after each generated hour.
	Progress func(done, total int)

	kinds []*Kind
}

// Defaults.
const (
	DefaultDays  = 7
	DefaultHosts = 100
	DefaultUsers = 150
	MinHosts     = 12
	MinUsers     = 6
)

// Error is a lab failure with a stable code (lab.options, lab.truth).
type Error struct {
	Code string
	Msg  string
	Hint string
}

func (e *Error) Error() string     { return e.Msg }
func (e *Error) ErrorCode() string { return e.Code }
func (e *Error) ErrorHint() string { return e.Hint }

func optErr(hint, format string, args ...any) error {
	return &Error{Code: "lab.options", Msg: fmt.Sprintf(format, args...), Hint: hint}
}

func (o *Options) normalise() error {
	if o.Days == 0 {
		o.Days = DefaultDays
	}
	if o.Hosts == 0 {
		o.Hosts = DefaultHosts
	}
	if o.Users == 0 {
		o.Users = DefaultUsers
	}
	if o.Scale == 0 {
		o.Scale = 1
	}
	if o.Catalog == nil {
		o.Catalog = catalog.Default()
	}
	switch {
	case o.Days < 1 || o.Days > 90:
		return optErr("use between 1 and 90 days", "days must be between 1 and 90, got %d", o.Days)
	case o.Hosts < MinHosts || o.Hosts > 5000:
		return optErr(fmt.Sprintf("the lab needs at least %d hosts (its servers and a few workstations)", MinHosts), "hosts must be between %d and 5000, got %d", MinHosts, o.Hosts)
	case o.Users < MinUsers || o.Users > 20000:
		return optErr(fmt.Sprintf("the lab needs at least %d people for its roles", MinUsers), "users must be between %d and 20000, got %d", MinUsers, o.Users)
	case o.Scale < 0.01 || o.Scale > 100:
		return optErr("scale multiplies the background volume; 1 is about a million events a week", "scale must be between 0.01 and 100, got %g", o.Scale)
	case o.End.IsZero():
		return optErr("give the end of the window", "no end time")
	}
	kinds, err := selectKinds(o.Scenarios)
	if err != nil {
		return err
	}
	o.kinds = kinds
	return nil
}

// selectKinds resolves scenario names; "all" selects every kind.
func selectKinds(names []string) ([]*Kind, error) {
	if len(names) == 0 {
		return Kinds(), nil
	}
	seen := map[string]bool{}
	var out []*Kind
	for _, n := range names {
		n = strings.TrimSpace(strings.ToLower(n))
		switch n {
		case "", "none":
			continue
		case "all":
			return Kinds(), nil
		}
		k := kindByName(n)
		if k == nil {
			return nil, optErr(suggestKind(n), "unknown scenario %q", n)
		}
		if !seen[k.Name] {
			seen[k.Name] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return kindIndex(out[i]) < kindIndex(out[j]) })
	return out, nil
}

func suggestKind(n string) string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name)
	}
	if near := suggest.Closest(n, names, 1); len(near) > 0 {
		return fmt.Sprintf("did you mean %q? 'sleuth lab scenarios' lists them", near[0])
	}
	return "'sleuth lab scenarios' lists the scenario kinds"
}

// Summary describes a generated lab.
type Summary struct {
	Seed      uint64        `json:"seed"`
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	Org       string        `json:"org"`
	Domain    string        `json:"domain"`
	Hosts     int           `json:"hosts"`
	Users     int           `json:"users"`
	Rows      int64         `json:"rows"`
	Tables    []TableCount  `json:"tables"`
	Instances []Truth       `json:"instances"`
	Problems  []string      `json:"problems,omitempty"`
	Elapsed   time.Duration `json:"-"`
}

// TableCount is the number of rows written to a table.
type TableCount struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// Validate applies the defaults to o and checks it, as Generate does, so a
// caller can report bad options before opening anything.
func Validate(o *Options) error { return o.normalise() }
