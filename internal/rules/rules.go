// Package rules is sleuth's built-in detection pack: Sigma rules written for
// this project (our own wording and logic), embedded in the binary. Each
// file under pack/ holds one behaviour — a detection rule, or a correlation
// rule with the detection rules it counts — tagged with ATT&CK techniques,
// a level and its known false positives, and authored "sleuth".
//
// Levels are honest: a rule that also fires on routine administration is
// medium at most; telling an attack from an administrator is the hunt's
// triage, not the rule's. Rules describe behaviours, never the names a
// particular environment (or sleuth's lab) happens to use.
//
// The pack is loaded by internal/detect, which compiles it with
// internal/sigma; the tests in this package run every rule through the
// real detection engine on matching and non-matching events.
package rules

import (
	"embed"
	"io/fs"
	"path"
	"sort"
)

//go:embed pack/*.yml
var pack embed.FS

// Dir is the directory name the pack's files are reported under, so an
// error in a built-in rule reads builtin/FILE:LINE.
const Dir = "builtin"

// File is one rule file of the pack.
type File struct {
	Name string // builtin/NAME.yml
	Data []byte
}

// Files returns the pack's rule files in name order.
func Files() []File {
	entries, err := fs.ReadDir(pack, "pack")
	if err != nil {
		// The directory is embedded at build time; it cannot be missing.
		panic("rules: embedded pack unreadable: " + err.Error())
	}
	var out []File
	for _, e := range entries {
		data, err := pack.ReadFile(path.Join("pack", e.Name()))
		if err != nil {
			panic("rules: embedded pack unreadable: " + err.Error())
		}
		out = append(out, File{Name: path.Join(Dir, e.Name()), Data: data})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
