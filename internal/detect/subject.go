package detect

import (
	"net/netip"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
)

// subject is how a table's rows are grouped into signals: by the row's
// main entity. It is derived from the catalog's roles, never from table
// names: endpoint tables (a host and what ran or was written there) group
// by host; identity tables (users but no hosts) by user; network and flow
// tables (more address columns than host columns) by source address;
// anything else by its first role of host, user, address.
type subject struct {
	role catalog.Role
	cols []string // candidate columns, the likeliest first
}

func subjectOf(t *catalog.Table) subject {
	n := map[catalog.Role]int{}
	for _, c := range t.Columns {
		n[c.Role]++
	}
	var role catalog.Role
	switch {
	case n[catalog.RoleHost] > 0 && (n[catalog.RoleProcess] > 0 || n[catalog.RoleFile] > 0):
		role = catalog.RoleHost
	case n[catalog.RoleUser] > 0 && n[catalog.RoleHost] == 0:
		role = catalog.RoleUser
	case n[catalog.RoleIP] > n[catalog.RoleHost]:
		role = catalog.RoleIP
	case n[catalog.RoleHost] > 0:
		role = catalog.RoleHost
	case n[catalog.RoleUser] > 0:
		role = catalog.RoleUser
	case n[catalog.RoleIP] > 0:
		role = catalog.RoleIP
	default:
		return subject{}
	}
	return subject{role: role, cols: rankColumns(t.ColumnsWithRole(role))}
}

// rankColumns orders a role's columns: the acting side first (source,
// client, caller), the far side last (remote, destination, target), the
// rest in table order.
func rankColumns(cols []catalog.Column) []string {
	var first, mid, last []string
	for _, c := range cols {
		l := strings.ToLower(c.Name)
		switch {
		case hasAnyPrefix(l, "src", "source", "client", "caller"):
			first = append(first, c.Name)
		case hasAnyPrefix(l, "remote", "dest", "destination", "target", "initiatingprocessparent", "peer", "next"):
			last = append(last, c.Name)
		default:
			mid = append(mid, c.Name)
		}
	}
	return append(append(first, mid...), last...)
}

func hasAnyPrefix(s string, ps ...string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// value is the subject of a row: the first candidate column holding a real
// entity, and that column.
func (s subject) value(get func(col string) any) (val, col string) {
	for _, c := range s.cols {
		v, ok := get(c).(string)
		if !ok {
			continue
		}
		v = cleanEntity(s.role, v)
		if !entity.Placeholder(s.role, v) {
			return v, c
		}
	}
	return "", ""
}

// cleanEntity undoes packing some tables do in entity columns: Traffic
// Analytics writes a public address as ip|flows|…|bytes.
func cleanEntity(r catalog.Role, v string) string {
	if r != catalog.RoleIP {
		return v
	}
	if i := strings.IndexByte(v, '|'); i > 0 {
		if _, err := netip.ParseAddr(v[:i]); err == nil {
			return v[:i]
		}
	}
	return v
}
