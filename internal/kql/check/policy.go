package check

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Policy is the guard's query policy: which tables and columns a query may
// read, which request options it may set, and how many rows it may return.
// KQL queries are read-only by construction (control commands do not parse),
// so the policy only narrows what may be read.
type Policy struct {
	// AllowedTables lists the tables a query may read; empty allows every
	// catalog table.
	AllowedTables []string
	// DeniedColumns lists columns a query may not read, as "Column" (in any
	// table) or "Table.Column". Denied columns are invisible: a query that
	// names one fails with kql.policy, and a query that returns a whole
	// table returns it without them.
	DeniedColumns []string
	// AllowedOptions lists the "set" request options a query may use; any
	// other set statement fails with kql.policy.
	AllowedOptions []string
	// MaxRows is the row cap, applied as a final take; 0 for none.
	MaxRows int
}

func (p *Policy) restrict(cat *catalog.Catalog) *catalog.Catalog {
	if len(p.AllowedTables) == 0 {
		return cat
	}
	return cat.Restrict(p.AllowedTables)
}

// deniedColumn reports whether the policy hides table.col.
func (p *Policy) deniedColumn(table, col string) bool {
	if p == nil {
		return false
	}
	for _, d := range p.DeniedColumns {
		if d == col || d == table+"."+col {
			return true
		}
	}
	return false
}

// deniedName reports whether name is a denied column of some table, so an
// unresolved name can be reported as a policy refusal rather than a typo.
func (p *Policy) deniedName(name string) bool {
	if p == nil {
		return false
	}
	for _, d := range p.DeniedColumns {
		if d == name || strings.HasSuffix(d, "."+name) {
			return true
		}
	}
	return false
}

func (p *Policy) allowsOption(name string) bool {
	for _, o := range p.AllowedOptions {
		if o == name {
			return true
		}
	}
	return false
}
