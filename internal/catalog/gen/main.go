// Command gen writes internal/catalog/tables.json from Microsoft's published
// schemas (../shared/data/schemas) and the hand-kept overlay.yaml next to
// this file. Run it with `go generate ./internal/catalog`; the build itself
// never reads ../shared.
//
//	go run ./gen [-schemas DIR] [-overlay FILE] [-out FILE]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sleuth-hunt/sleuth/internal/catalog/catgen"
)

func main() {
	schemas := flag.String("schemas", "", "the schemas `DIR` (default: $SLEUTH_SHARED_DATA/schemas, else ../shared/data/schemas beside the module)")
	overlay := flag.String("overlay", filepath.Join("gen", "overlay.yaml"), "the overlay `FILE`")
	out := flag.String("out", "tables.json", "the `FILE` to write")
	flag.Parse()
	if err := run(*schemas, *overlay, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen: error:", err)
		os.Exit(1)
	}
}

func run(schemas, overlay, out string) error {
	if schemas == "" {
		dir, err := catgen.SharedData()
		if err != nil {
			return err
		}
		schemas = filepath.Join(dir, "schemas")
	}
	if _, err := os.Stat(overlay); err != nil {
		return fmt.Errorf("%w (run from internal/catalog, as 'go generate ./internal/catalog' does, or pass -overlay and -out)", err)
	}
	tables, err := catgen.Generate(catgen.Options{Schemas: schemas, Overlay: overlay})
	if err != nil {
		return err
	}
	b, err := catgen.Encode(tables)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %d tables to %s\n", len(tables), out)
	return nil
}
