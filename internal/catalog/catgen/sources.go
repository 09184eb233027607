package catgen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// rawTable is a table as one source file states it, before the overlay.
type rawTable struct {
	name    string
	file    string // the source file's base name
	columns []catalog.Column
}

// readSchema reads a Kusto database-schema document:
// [{"Database": …, "Tables": [{"Table": …, "Columns": [{"Name", "Type"}]}]}].
func readSchema(path string) ([]rawTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var dbs []struct {
		Tables []struct {
			Table   string
			Columns []struct{ Name, Type string }
		}
	}
	if err := json.Unmarshal(b, &dbs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, jsonPos(b, err))
	}
	var out []rawTable
	for _, db := range dbs {
		for _, t := range db.Tables {
			rt := rawTable{name: t.Table, file: filepath.Base(path)}
			for _, c := range t.Columns {
				typ, ok := kqlType(c.Type)
				if !ok {
					return nil, fmt.Errorf("%s: %s.%s has unknown type %q", path, t.Table, c.Name, c.Type)
				}
				rt.columns = append(rt.columns, catalog.Column{Name: c.Name, Type: typ})
			}
			out = append(out, rt)
		}
	}
	return out, nil
}

// readCustom reads one Sentinel custom-table schema:
// {"Name": …, "Properties": [{"Name", "Type"}]}.
func readCustom(path string) (rawTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return rawTable{}, err
	}
	var doc struct {
		Name       string
		Properties []struct{ Name, Type string }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return rawTable{}, fmt.Errorf("%s: %w", path, jsonPos(b, err))
	}
	rt := rawTable{name: doc.Name, file: filepath.Base(path)}
	for _, p := range doc.Properties {
		typ, ok := kqlType(p.Type)
		if !ok {
			return rawTable{}, fmt.Errorf("%s: %s.%s has unknown type %q", path, doc.Name, p.Name, p.Type)
		}
		rt.columns = append(rt.columns, catalog.Column{Name: p.Name, Type: typ})
	}
	return rt, nil
}

// prose is what a DataCatalog file says about tables and columns.
type prose struct {
	tables  map[string]string            // table → description
	columns map[string]map[string]string // table → column → description
}

// readCatalogs reads the DataCatalog YAML files; a later file does not
// override what an earlier one said.
func readCatalogs(paths []string) (*prose, error) {
	p := &prose{tables: map[string]string{}, columns: map[string]map[string]string{}}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var doc []struct {
			Name        string `yaml:"Name"`
			Description string `yaml:"Description"`
			Columns     []struct {
				Name        string `yaml:"Name"`
				Description string `yaml:"Description"`
			} `yaml:"Columns"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, true))
		}
		for _, t := range doc {
			if _, seen := p.tables[t.Name]; !seen {
				p.tables[t.Name] = oneLine(t.Description)
			}
			cols := p.columns[t.Name]
			if cols == nil {
				cols = map[string]string{}
				p.columns[t.Name] = cols
			}
			for _, c := range t.Columns {
				if _, seen := cols[c.Name]; !seen {
					cols[c.Name] = oneLine(c.Description)
				}
			}
		}
	}
	return p, nil
}

// kqlType maps the type names found in schema files to KQL types. The
// custom-table files spell types freely ("Date/time", "bigint", " string ").
func kqlType(s string) (catalog.Type, bool) {
	norm := strings.ToLower(strings.TrimSpace(s))
	switch norm {
	case "date/time":
		return catalog.Datetime, true
	case "bigint":
		return catalog.Long, true
	}
	return catalog.ParseType(norm)
}

// jsonPos adds the line and column to a JSON syntax error.
func jsonPos(b []byte, err error) error {
	var off int64
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
	default:
		return err
	}
	line, col := 1, 1
	for _, c := range b[:min(int(off), len(b))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("%d:%d: %w", line, col, err)
}

// oneLine makes a description fit one line: whitespace collapsed, and a
// long text cut after its first sentence.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= 200 {
		return s
	}
	if i := strings.Index(s[40:], ". "); i >= 0 {
		return s[:40+i+1]
	}
	return s
}
