// Package catgen builds sleuth's table catalog from Microsoft's published
// schemas and the project's hand-kept overlay. The generator in ../gen runs
// it to write ../tables.json; the catalog's tests run it to prove the
// committed file has not drifted from its sources.
//
// The sources, in order of authority for a table's columns and types:
// the Azure Monitor table reference (the Log Analytics flavour, transcribed
// into the overlay as columns, additions and type corrections), then the
// schema files (Defender_Schema.json, Sentinel_Schema.json, selected
// sentinel-custom-tables/*.json). Descriptions come from the overlay, then
// the DataCatalog files, then the overlay's common descriptions by name.
package catgen

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Options says where the inputs are.
type Options struct {
	// Schemas is the schemas folder (…/shared/data/schemas).
	Schemas string
	// Overlay is the overlay file (internal/catalog/gen/overlay.yaml).
	Overlay string
}

// Generate reads the sources and the overlay and returns the catalog's
// tables sorted by name, validated by catalog.New.
func Generate(opts Options) ([]*catalog.Table, error) {
	ov, err := loadOverlay(opts.Overlay)
	if err != nil {
		return nil, err
	}
	raw, err := readSources(opts.Schemas, ov)
	if err != nil {
		return nil, err
	}
	var catPaths []string
	for _, c := range ov.Catalogs {
		catPaths = append(catPaths, filepath.Join(opts.Schemas, c))
	}
	pr, err := readCatalogs(catPaths)
	if err != nil {
		return nil, err
	}
	b := &builder{ov: ov, prose: pr, overlayName: filepath.Base(opts.Overlay), used: map[string]bool{}}
	var tables []*catalog.Table
	var errs []error
	for _, name := range tableNames(raw, ov) {
		t, err := b.table(name, raw[name])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		tables = append(tables, t)
	}
	if len(errs) == 0 {
		for _, u := range unused(ov.Roles, b.used) {
			errs = append(errs, fmt.Errorf("%s never takes effect; remove it", u))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", opts.Overlay, errors.Join(errs...))
	}
	if _, err := catalog.New(tables); err != nil {
		return nil, err
	}
	return tables, nil
}

// readSources reads every schema file and the custom tables the overlay
// names, grouped by table name.
func readSources(dir string, ov *overlay) (map[string][]rawTable, error) {
	raw := map[string][]rawTable{}
	for _, f := range ov.Schemas {
		ts, err := readSchema(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			raw[t.name] = append(raw[t.name], t)
		}
	}
	for _, name := range ov.Custom {
		t, err := readCustom(filepath.Join(dir, "sentinel-custom-tables", name+".json"))
		if err != nil {
			return nil, err
		}
		if t.name != name {
			return nil, fmt.Errorf("sentinel-custom-tables/%s.json defines %q, not %q", name, t.name, name)
		}
		raw[t.name] = append(raw[t.name], t)
	}
	return raw, nil
}

// tableNames is every table a source or the overlay defines, sorted.
func tableNames(raw map[string][]rawTable, ov *overlay) []string {
	seen := map[string]bool{}
	var names []string
	for n := range raw {
		seen[n] = true
		names = append(names, n)
	}
	for n := range ov.Tables {
		if !seen[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// check validates what can be validated before reading any source.
func (ov *overlay) check() error {
	if ov.AdditionalFields.Name == "" || ov.AdditionalFields.Type != string(catalog.Dynamic) {
		return errors.New("additional_fields must name a dynamic column")
	}
	for i, r := range ov.Roles {
		if err := r.check(i); err != nil {
			return err
		}
	}
	var errs []error
	for name, t := range ov.Tables {
		for col, role := range t.Roles {
			if role != "none" && !validRole(role) {
				errs = append(errs, fmt.Errorf("tables.%s.roles.%s: unknown role %q (use one of %s, or none)", name, col, role, roleList()))
			}
		}
	}
	return errors.Join(errs...)
}

func roleList() string {
	var s []string
	for _, r := range catalog.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}
