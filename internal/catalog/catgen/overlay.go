package catgen

import (
	"bytes"
	"fmt"
	"os"

	"github.com/goccy/go-yaml"
)

// overlay is the hand-kept part of the catalog: the tables Microsoft
// publishes only as reference pages, corrections that bring the data files
// in line with the Log Analytics flavour of each table, common descriptions
// and the entity-role rules. Its file documents each rule in comments.
type overlay struct {
	// Reference is the URL prefix of the Azure Monitor table reference; a
	// table's page is Reference + its slug.
	Reference string `yaml:"reference"`
	// Schemas are the schema files under the schemas folder, each a Kusto
	// "database schema" JSON document.
	Schemas []string `yaml:"schemas"`
	// Catalogs are the DataCatalog YAML files that describe tables and
	// columns in prose.
	Catalogs []string `yaml:"catalogs"`
	// Custom names the tables to import from sentinel-custom-tables/; the
	// folder holds far more connectors than a hunter needs.
	Custom []string `yaml:"custom"`
	// Drop lists columns no table keeps (billing metadata).
	Drop []string `yaml:"drop"`
	// Standard columns every Log Analytics table has; added where missing.
	Standard []colSpec `yaml:"standard"`
	// AdditionalFields is the column ingest keeps unknown fields in.
	AdditionalFields colSpec `yaml:"additional_fields"`
	// AdditionalFieldsNote goes into Table.Source of every table that got
	// AdditionalFields from sleuth rather than from Microsoft.
	AdditionalFieldsNote string `yaml:"additional_fields_note"`
	// Descriptions are column descriptions by column name, used when no
	// better one is known for the table.
	Descriptions map[string]string `yaml:"descriptions"`
	// Roles are the entity-role rules, first match wins.
	Roles []roleRule `yaml:"roles"`
	// Tables holds the per-table definitions and corrections.
	Tables map[string]*tableOverlay `yaml:"tables"`
}

// tableOverlay defines or corrects one table.
type tableOverlay struct {
	// Reference is the slug of the table's Azure Monitor reference page.
	Reference string `yaml:"reference"`
	// From picks the schema file when several define the table.
	From string `yaml:"from"`
	// Description replaces the data catalog's table description.
	Description string `yaml:"description"`
	// Columns defines a table that no data file has, in full.
	Columns []colSpec `yaml:"columns"`
	// Add appends columns the reference has and the data file lacks.
	Add []colSpec `yaml:"add"`
	// Types corrects column types to the reference.
	Types map[string]string `yaml:"types"`
	// Describe sets column descriptions.
	Describe map[string]string `yaml:"describe"`
	// Roles are this table's exceptions to the role rules; "none" clears.
	Roles map[string]string `yaml:"roles"`
	// Note is appended to Table.Source, for deviations worth knowing.
	Note string `yaml:"note"`
}

// roleRule gives Role to the columns named in Names (exact names or
// path.Match patterns) of the given Type, in the tables matched by Tables
// (all when empty) except those in Except.
type roleRule struct {
	Role   string   `yaml:"role"`
	Type   string   `yaml:"type"`
	Names  []string `yaml:"names"`
	Tables []string `yaml:"tables"`
	Except []string `yaml:"except"`
}

// colSpec is a column written as a flow sequence: [Name, type, "description"].
type colSpec struct {
	Name, Type, Description string
}

func (c *colSpec) UnmarshalYAML(unmarshal func(any) error) error {
	var parts []string
	if err := unmarshal(&parts); err != nil {
		return err
	}
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("a column is [Name, type] or [Name, type, \"description\"], found %d items", len(parts))
	}
	c.Name, c.Type = parts[0], parts[1]
	if len(parts) == 3 {
		c.Description = parts[2]
	}
	return nil
}

// loadOverlay reads and strictly decodes the overlay: an unknown key is an
// error with its line, not a silently ignored correction.
func loadOverlay(path string) (*overlay, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseOverlay(path, b)
}

func parseOverlay(path string, b []byte) (*overlay, error) {
	ov := &overlay{}
	dec := yaml.NewDecoder(bytes.NewReader(b), yaml.DisallowUnknownField())
	if err := dec.Decode(ov); err != nil {
		return nil, fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, true))
	}
	if err := ov.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ov, nil
}
