package catgen

import (
	"fmt"
	"path"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// roleFor returns the role the rules give column c of table t: the first
// rule whose table filter, name pattern and type all match wins.
func roleFor(rules []roleRule, t string, c catalog.Column) catalog.Role {
	return roleUse(rules, t, c, nil)
}

// roleUse is roleFor that also records, in used, which rule patterns and
// exceptions took effect ("roles[i] name", "roles[i] except …").
func roleUse(rules []roleRule, t string, c catalog.Column, used map[string]bool) catalog.Role {
	for i, r := range rules {
		if r.applies(t, c, func(what string) {
			if used != nil {
				used[fmt.Sprintf("roles[%d] (%s) %s", i, r.Role, what)] = true
			}
		}) {
			return catalog.Role(r.Role)
		}
	}
	return catalog.RoleNone
}

func (r roleRule) applies(table string, c catalog.Column, use func(string)) bool {
	if c.Type != r.columnType() {
		return false
	}
	name := firstMatch(r.Names, c.Name)
	if name == "" {
		return false
	}
	if len(r.Tables) > 0 && !anyMatch(r.Tables, table) {
		return false
	}
	for _, e := range r.Except {
		et, ec, hasCol := strings.Cut(e, ".")
		if match(et, table) && (!hasCol || match(ec, c.Name)) {
			use("except " + e)
			return false
		}
	}
	use("name " + name)
	return true
}

// unused lists the rule names and exceptions that never took effect: dead
// entries mislead readers of the overlay, so the generator refuses them.
func unused(rules []roleRule, used map[string]bool) []string {
	var out []string
	for i, r := range rules {
		for _, n := range r.Names {
			if k := fmt.Sprintf("roles[%d] (%s) name %s", i, r.Role, n); !used[k] {
				out = append(out, k)
			}
		}
		for _, e := range r.Except {
			if k := fmt.Sprintf("roles[%d] (%s) except %s", i, r.Role, e); !used[k] {
				out = append(out, k)
			}
		}
	}
	return out
}

// columnType is the type a rule's columns must have: datetime for time,
// string for the entity roles unless the rule says otherwise. Numbers and
// dynamic bags never name an entity by themselves.
func (r roleRule) columnType() catalog.Type {
	if r.Type != "" {
		return catalog.Type(r.Type)
	}
	if r.Role == string(catalog.RoleTime) {
		return catalog.Datetime
	}
	return catalog.String
}

func (r roleRule) check(i int) error {
	if !validRole(r.Role) {
		return fmt.Errorf("roles[%d]: unknown role %q", i, r.Role)
	}
	if r.Type != "" && !catalog.Type(r.Type).Valid() {
		return fmt.Errorf("roles[%d]: unknown type %q", i, r.Type)
	}
	if len(r.Names) == 0 {
		return fmt.Errorf("roles[%d] (%s): no names", i, r.Role)
	}
	for _, p := range append(append(append([]string{}, r.Names...), r.Tables...), r.Except...) {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("roles[%d] (%s): bad pattern %q", i, r.Role, p)
		}
	}
	return nil
}

func validRole(s string) bool {
	for _, r := range catalog.Roles {
		if string(r) == s {
			return true
		}
	}
	return false
}

func anyMatch(patterns []string, s string) bool { return firstMatch(patterns, s) != "" }

// firstMatch returns the first pattern that matches s, or "".
func firstMatch(patterns []string, s string) string {
	for _, p := range patterns {
		if match(p, s) {
			return p
		}
	}
	return ""
}

// match is path.Match on names, which hold no slashes; a bad pattern never
// matches (check has rejected it already).
func match(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return ok && err == nil
}
