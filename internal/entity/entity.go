// Package entity names the things hunts are about — hosts, users, IP
// addresses, processes and files — and extracts them from rows through the
// catalog's column roles, so no code needs to know which table calls a host
// DeviceName and which calls it Computer.
package entity

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// Set is the entities of a signal, finding or plan, as spelt in the data.
type Set struct {
	Hosts     []string `json:"hosts"`
	Users     []string `json:"users"`
	IPs       []string `json:"ips"`
	Processes []string `json:"processes,omitempty"`
	Files     []string `json:"files,omitempty"`
}

// Empty reports whether the set names nothing.
func (s Set) Empty() bool {
	return len(s.Hosts)+len(s.Users)+len(s.IPs)+len(s.Processes)+len(s.Files) == 0
}

// Of returns the list for a role.
func (s *Set) Of(r catalog.Role) *[]string {
	switch r {
	case catalog.RoleHost:
		return &s.Hosts
	case catalog.RoleUser:
		return &s.Users
	case catalog.RoleIP:
		return &s.IPs
	case catalog.RoleProcess:
		return &s.Processes
	case catalog.RoleFile:
		return &s.Files
	}
	return nil
}

// Add records v under role r unless it is a placeholder value or already
// present (compared by Key).
func (s *Set) Add(r catalog.Role, v string) {
	v = strings.TrimSpace(v)
	list := s.Of(r)
	if list == nil || Placeholder(r, v) {
		return
	}
	k := Key(r, v)
	for _, x := range *list {
		if Key(r, x) == k {
			return
		}
	}
	*list = append(*list, v)
}

// Merge adds every entity of o to s.
func (s *Set) Merge(o Set) {
	for _, r := range Roles {
		for _, v := range *o.Of(r) {
			s.Add(r, v)
		}
	}
}

// Shares reports whether s and o name one entity of the same role, in any
// of its spellings (Key).
func (s Set) Shares(o Set) bool {
	for _, r := range Roles {
		keys := map[string]bool{}
		for _, v := range *o.Of(r) {
			keys[Key(r, v)] = true
		}
		for _, v := range *s.Of(r) {
			if keys[Key(r, v)] {
				return true
			}
		}
	}
	return false
}

// Sort orders every list, for stable output.
func (s *Set) Sort() {
	for _, r := range Roles {
		sort.Strings(*s.Of(r))
	}
}

// Roles are the entity roles a Set holds, in display order.
var Roles = []catalog.Role{catalog.RoleHost, catalog.RoleUser, catalog.RoleIP, catalog.RoleProcess, catalog.RoleFile}

// Key is the form two spellings of one entity share: lower case; a host's
// first DNS label; a user's name without DOMAIN\ or @domain; a process's
// or file's base name for processes.
func Key(r catalog.Role, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	switch r {
	case catalog.RoleHost:
		if _, err := netip.ParseAddr(v); err != nil {
			if i := strings.IndexByte(v, '.'); i > 0 {
				v = v[:i]
			}
		}
	case catalog.RoleUser:
		if i := strings.LastIndexByte(v, '\\'); i >= 0 {
			v = v[i+1:]
		}
		if i := strings.IndexByte(v, '@'); i > 0 {
			v = v[:i]
		}
	case catalog.RoleProcess:
		if i := strings.LastIndexAny(v, `\/`); i >= 0 {
			v = v[i+1:]
		}
	}
	return v
}

// Placeholder reports values that name no real entity: empty strings,
// dashes, loopback and unspecified addresses, and Windows' built-in
// service identities, which link unrelated activity if treated as actors.
func Placeholder(r catalog.Role, v string) bool {
	l := strings.ToLower(strings.TrimSpace(v))
	switch l {
	case "", "-", "--", "null", "n/a", "na", "none", "unknown", "(null)", "{}", "[]":
		return true
	}
	switch r {
	case catalog.RoleIP:
		a, err := netip.ParseAddr(strings.Trim(l, "[]"))
		return err != nil || a.IsLoopback() || a.IsUnspecified() || a.IsLinkLocalUnicast() || a.IsMulticast()
	case catalog.RoleUser:
		k := Key(r, l)
		switch k {
		case "system", "local service", "localservice", "network service", "networkservice", "anonymous logon",
			"anonymous", "dwm-1", "dwm-2", "dwm-3", "umfd-0", "umfd-1", "umfd-2", "font driver host", "window manager":
			return true
		}
	}
	return false
}

// FromRow extracts the entities of one row of a catalog table (or of any
// result whose columns keep catalog names), reading the role columns.
func FromRow(t *catalog.Table, cols []rows.Column, row []any) Set {
	var s Set
	for i, c := range cols {
		col, ok := t.Column(c.Name)
		if !ok || col.Role == catalog.RoleNone || i >= len(row) {
			continue
		}
		v, ok := row[i].(string)
		if !ok {
			continue
		}
		s.Add(col.Role, v)
	}
	return s
}
