package catgen

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// builder turns one table's sources and overlay entry into a catalog table.
type builder struct {
	ov          *overlay
	prose       *prose
	overlayName string
	used        map[string]bool // role rule entries that took effect
}

// table builds the named table. The steps run in a fixed order: pick the
// source, drop billing columns, apply the reference (additions, then type
// corrections), add the standard columns and AdditionalFields, then
// describe and give roles. Each overlay entry must change something real:
// adding a column that exists or retyping one that does not is an error,
// so the overlay cannot rot silently when the data files change.
func (b *builder) table(name string, raws []rawTable) (*catalog.Table, error) {
	ot := b.ov.Tables[name]
	if ot == nil {
		ot = &tableOverlay{}
	}
	cols, file, err := b.base(name, raws, ot)
	if err != nil {
		return nil, err
	}
	cols = slices.DeleteFunc(cols, func(c catalog.Column) bool { return slices.Contains(b.ov.Drop, c.Name) })
	var errs []error
	for _, s := range ot.Add {
		c, err := s.column(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if indexOf(cols, c.Name) >= 0 {
			errs = append(errs, fmt.Errorf("tables.%s.add: %s is already in %s", name, c.Name, file))
			continue
		}
		cols = append(cols, c)
	}
	for col, ts := range ot.Types {
		i := indexOf(cols, col)
		typ, ok := kqlType(ts)
		switch {
		case i < 0:
			errs = append(errs, fmt.Errorf("tables.%s.types: no column %s", name, col))
		case !ok:
			errs = append(errs, fmt.Errorf("tables.%s.types.%s: unknown type %q", name, col, ts))
		case cols[i].Type == typ:
			errs = append(errs, fmt.Errorf("tables.%s.types.%s: %s already has type %s", name, col, file, typ))
		default:
			cols[i].Type = typ
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cols, std, err := b.standard(name, cols)
	if err != nil {
		return nil, err
	}
	addedAF := indexOf(cols, b.ov.AdditionalFields.Name) < 0
	if addedAF {
		c, err := b.ov.AdditionalFields.column(name)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	t := &catalog.Table{Name: name, Columns: cols, Source: b.source(file, ot, std, addedAF)}
	if err := b.describe(t, ot); err != nil {
		return nil, err
	}
	if err := b.assignRoles(t, ot); err != nil {
		return nil, err
	}
	return t, nil
}

// base returns the table's columns as its source states them, and the
// source's name.
func (b *builder) base(name string, raws []rawTable, ot *tableOverlay) ([]catalog.Column, string, error) {
	if len(ot.Columns) > 0 {
		if len(raws) > 0 {
			return nil, "", fmt.Errorf("tables.%s.columns: %s already defines the table; correct it with add and types", name, raws[0].file)
		}
		var cols []catalog.Column
		var errs []error
		for _, s := range ot.Columns {
			c, err := s.column(name)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if indexOf(cols, c.Name) >= 0 {
				errs = append(errs, fmt.Errorf("tables.%s.columns: %s listed twice", name, c.Name))
				continue
			}
			cols = append(cols, c)
		}
		return cols, b.overlayName, errors.Join(errs...)
	}
	if len(raws) == 0 {
		return nil, "", fmt.Errorf("tables.%s: no data file defines this table, so it needs columns", name)
	}
	raw := raws[0]
	if len(raws) > 1 {
		var files []string
		found := false
		for _, r := range raws {
			files = append(files, r.file)
			if r.file == ot.From {
				raw, found = r, true
			}
		}
		if !found {
			return nil, "", fmt.Errorf("tables.%s: defined by %s; say which with from", name, strings.Join(files, " and "))
		}
	}
	return dedupe(name, raw)
}

// dedupe keeps the first of repeated columns; the custom-table files list
// some twice. A repeat with another type is an error.
func dedupe(name string, raw rawTable) ([]catalog.Column, string, error) {
	var cols []catalog.Column
	for _, c := range raw.columns {
		i := indexOf(cols, c.Name)
		if i < 0 {
			cols = append(cols, c)
			continue
		}
		if cols[i].Type != c.Type {
			return nil, "", fmt.Errorf("%s: %s.%s is listed as %s and as %s", raw.file, name, c.Name, cols[i].Type, c.Type)
		}
	}
	return cols, raw.file, nil
}

// standard adds the Log Analytics standard columns a table lacks and says
// which. TimeGenerated goes first, where readers look for it; the rest last.
func (b *builder) standard(name string, cols []catalog.Column) ([]catalog.Column, []string, error) {
	var added []string
	for _, s := range b.ov.Standard {
		c, err := s.column(name)
		if err != nil {
			return nil, nil, err
		}
		if i := indexOf(cols, c.Name); i >= 0 {
			if cols[i].Type != c.Type {
				return nil, nil, fmt.Errorf("%s.%s has type %s, but the standard column is %s", name, c.Name, cols[i].Type, c.Type)
			}
			continue
		}
		if c.Name == "TimeGenerated" {
			cols = append([]catalog.Column{c}, cols...)
		} else {
			cols = append(cols, c)
		}
		added = append(added, c.Name)
	}
	return cols, added, nil
}

// source says where the table came from and what sleuth added to it.
func (b *builder) source(file string, ot *tableOverlay, std []string, addedAF bool) string {
	var parts []string
	if file != b.overlayName || ot.Reference == "" {
		parts = append(parts, file)
	}
	if ot.Reference != "" {
		parts = append(parts, b.ov.Reference+ot.Reference)
	}
	if ot.Note != "" {
		parts = append(parts, ot.Note)
	}
	if len(std) > 0 {
		parts = append(parts, "standard columns added: "+strings.Join(std, ", "))
	}
	if addedAF {
		parts = append(parts, b.ov.AdditionalFieldsNote)
	}
	return strings.Join(parts, "; ")
}

// describe sets the table's and the columns' one-line descriptions.
func (b *builder) describe(t *catalog.Table, ot *tableOverlay) error {
	t.Description = firstNonEmpty(oneLine(ot.Description), b.prose.tables[t.Name])
	if t.Description == "" {
		return fmt.Errorf("tables.%s: no description in the overlay or the data catalogs", t.Name)
	}
	for col := range ot.Describe {
		if indexOf(t.Columns, col) < 0 {
			return fmt.Errorf("tables.%s.describe: no column %s", t.Name, col)
		}
	}
	for i := range t.Columns {
		c := &t.Columns[i]
		c.Description = oneLine(firstNonEmpty(ot.Describe[c.Name], c.Description,
			b.prose.columns[t.Name][c.Name], b.ov.Descriptions[c.Name]))
	}
	return nil
}

// assignRoles applies the role rules, then the table's exceptions.
func (b *builder) assignRoles(t *catalog.Table, ot *tableOverlay) error {
	for i := range t.Columns {
		t.Columns[i].Role = roleUse(b.ov.Roles, t.Name, t.Columns[i], b.used)
	}
	for col, role := range ot.Roles {
		i := indexOf(t.Columns, col)
		if i < 0 {
			return fmt.Errorf("tables.%s.roles: no column %s", t.Name, col)
		}
		if role == "none" {
			role = ""
		}
		if t.Columns[i].Role == catalog.Role(role) {
			return fmt.Errorf("tables.%s.roles.%s: the rules already give %q", t.Name, col, role)
		}
		t.Columns[i].Role = catalog.Role(role)
	}
	return nil
}

func (s colSpec) column(table string) (catalog.Column, error) {
	typ, ok := kqlType(s.Type)
	if !ok {
		return catalog.Column{}, fmt.Errorf("tables.%s: column %s has unknown type %q", table, s.Name, s.Type)
	}
	return catalog.Column{Name: s.Name, Type: typ, Description: s.Description}, nil
}

func indexOf(cols []catalog.Column, name string) int {
	return slices.IndexFunc(cols, func(c catalog.Column) bool { return c.Name == name })
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
