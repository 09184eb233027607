package ingest

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// storable reports whether a store would keep b as it is: the ingest hands
// dynamic values over as catalog.JSON, so each must pass catalog.ValidJSON.
func storable(b []byte) bool { return catalog.ValidJSON(b) }

// checkSink fails an append whose values a store would have to repair or
// reject: strings must be valid UTF-8 and dynamic values storable
// catalog.JSON. The fuzz targets write through it.
type checkSink struct{ cat *catalog.Catalog }

func (s checkSink) Writer(_ context.Context, table string) (TableWriter, error) {
	cat := s.cat
	if cat == nil {
		cat = catalog.Default()
	}
	t, ok := cat.Table(table)
	if !ok {
		return nil, fmt.Errorf("no table %s", table)
	}
	return checkWriter{t}, nil
}

type checkWriter struct{ t *catalog.Table }

func (w checkWriter) Append(row []any) error {
	for i, v := range row {
		c := w.t.Columns[i]
		switch x := v.(type) {
		case nil:
		case string:
			if !utf8.ValidString(x) {
				return fmt.Errorf("%s.%s: invalid UTF-8 %q", w.t.Name, c.Name, x)
			}
		case catalog.JSON:
			if c.Type != catalog.Dynamic || !storable(x) {
				return fmt.Errorf("%s.%s (%s): JSON a store cannot keep as it is: %q", w.t.Name, c.Name, c.Type, x)
			}
		default:
			if c.Type == catalog.Dynamic || c.Type == catalog.String {
				return fmt.Errorf("%s.%s (%s): a %T", w.t.Name, c.Name, c.Type, v)
			}
		}
	}
	return nil
}

func (checkWriter) Close() error { return nil }
