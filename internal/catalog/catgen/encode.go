package catgen

import (
	"bytes"
	"encoding/json"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Encode writes tables as the JSON array catalog.Default embeds, one column
// per line so a change to the catalog reads as a small diff.
func Encode(tables []*catalog.Table) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i, t := range tables {
		head, err := json.Marshal(struct {
			Name        string `json:"name"`
			Description string `json:"description,omitempty"`
			Source      string `json:"source"`
		}{t.Name, t.Description, t.Source})
		if err != nil {
			return nil, err
		}
		buf.WriteString(" ")
		buf.Write(head[:len(head)-1])
		buf.WriteString(",\n  \"columns\": [\n")
		for j, c := range t.Columns {
			b, err := json.Marshal(c)
			if err != nil {
				return nil, err
			}
			buf.WriteString("   ")
			buf.Write(b)
			if j < len(t.Columns)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString("  ]}")
		if i < len(tables)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]\n")
	return buf.Bytes(), nil
}
