// Command gen writes internal/attack/catalog.json, the compact ATT&CK
// Enterprise catalog sleuth embeds, from the STIX 2.0 bundle and the
// technique TSV in ../shared/data/attack. The build never needs the bundle:
// the output is committed, and a test re-runs this generator to prove the
// committed file still matches its sources.
//
//	go generate ./internal/attack
//	go run ./internal/attack/gen -data DIR -out FILE
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

func main() {
	data := flag.String("data", defaultDataDir(), "the folder holding enterprise-attack-*.json.gz and enterprise-techniques-*.tsv")
	out := flag.String("out", "catalog.json", "the catalog file to write")
	flag.Parse()
	b, err := Generate(*data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "attack/gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "attack/gen:", err)
		os.Exit(1)
	}
}

// defaultDataDir is $SLEUTH_SHARED_DATA/attack, else ../shared/data/attack
// next to the module root (go generate runs in internal/attack).
func defaultDataDir() string {
	if d := os.Getenv("SLEUTH_SHARED_DATA"); d != "" {
		return filepath.Join(d, "attack")
	}
	return filepath.Join("..", "..", "..", "shared", "data", "attack")
}

// catalog is the file format; internal/attack decodes the same shape.
type catalog struct {
	Version    string      `json:"version"`
	Domain     string      `json:"domain"`
	Tactics    []tactic    `json:"tactics"`
	Techniques []technique `json:"techniques"`
}

type tactic struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Short string `json:"short"`
}

type technique struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Tactics    []string `json:"tactics,omitempty"`
	Platforms  []string `json:"platforms,omitempty"`
	Revoked    bool     `json:"revoked,omitempty"`
	RevokedBy  string   `json:"revoked_by,omitempty"`
	Deprecated bool     `json:"deprecated,omitempty"`
}

// stixObject holds the few STIX properties the catalog needs.
type stixObject struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	ExternalRef []struct {
		Source     string `json:"source_name"`
		ExternalID string `json:"external_id"`
	} `json:"external_references"`
	KillChain []struct {
		Chain string `json:"kill_chain_name"`
		Phase string `json:"phase_name"`
	} `json:"kill_chain_phases"`
	Platforms    []string `json:"x_mitre_platforms"`
	Revoked      bool     `json:"revoked"`
	Deprecated   bool     `json:"x_mitre_deprecated"`
	ShortName    string   `json:"x_mitre_shortname"`
	TacticRefs   []string `json:"tactic_refs"`
	RelType      string   `json:"relationship_type"`
	SourceRef    string   `json:"source_ref"`
	TargetRef    string   `json:"target_ref"`
	Subtechnique bool     `json:"x_mitre_is_subtechnique"`
}

func (o *stixObject) attackID() string {
	for _, r := range o.ExternalRef {
		if r.Source == "mitre-attack" {
			return r.ExternalID
		}
	}
	return ""
}

var bundleName = regexp.MustCompile(`^enterprise-attack-(\d+\.\d+)\.json\.gz$`)

// Generate builds the catalog file's bytes from the data folder.
func Generate(dir string) ([]byte, error) {
	bundle, version, err := findBundle(dir)
	if err != nil {
		return nil, err
	}
	objs, err := readBundle(bundle)
	if err != nil {
		return nil, err
	}
	cat, err := build(objs)
	if err != nil {
		return nil, err
	}
	cat.Version = version
	if err := crossCheck(cat, filepath.Join(dir, "enterprise-techniques-"+version+".tsv")); err != nil {
		return nil, err
	}
	return encode(cat)
}

func findBundle(dir string) (path, version string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", "", err
	}
	for _, e := range entries {
		if m := bundleName.FindStringSubmatch(e.Name()); m != nil {
			if path != "" {
				return "", "", fmt.Errorf("%s: more than one ATT&CK bundle", dir)
			}
			path, version = filepath.Join(dir, e.Name()), m[1]
		}
	}
	if path == "" {
		return "", "", fmt.Errorf("%s: no enterprise-attack-<version>.json.gz", dir)
	}
	return path, version, nil
}

func readBundle(path string) ([]stixObject, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var b struct {
		Type    string       `json:"type"`
		Objects []stixObject `json:"objects"`
	}
	if err := json.NewDecoder(zr).Decode(&b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if b.Type != "bundle" {
		return nil, fmt.Errorf("%s: not a STIX bundle (type %q)", path, b.Type)
	}
	return b.Objects, nil
}

func build(objs []stixObject) (*catalog, error) {
	cat := &catalog{Domain: "enterprise-attack"}
	byRef := map[string]*stixObject{}
	var matrix *stixObject
	for i := range objs {
		o := &objs[i]
		byRef[o.ID] = o
		if o.Type == "x-mitre-matrix" {
			matrix = o
		}
	}
	if matrix == nil {
		return nil, errors.New("bundle has no x-mitre-matrix")
	}
	for _, ref := range matrix.TacticRefs {
		t := byRef[ref]
		if t == nil || t.attackID() == "" {
			return nil, fmt.Errorf("matrix tactic %s missing", ref)
		}
		cat.Tactics = append(cat.Tactics, tactic{ID: t.attackID(), Name: t.Name, Short: t.ShortName})
	}
	revokedBy := map[string]string{}
	for _, o := range objs {
		if o.Type == "relationship" && o.RelType == "revoked-by" {
			if t := byRef[o.TargetRef]; t != nil {
				revokedBy[o.SourceRef] = t.attackID()
			}
		}
	}
	for _, o := range objs {
		if o.Type != "attack-pattern" {
			continue
		}
		id := o.attackID()
		if id == "" {
			return nil, fmt.Errorf("attack-pattern %s has no ATT&CK id", o.ID)
		}
		t := technique{ID: id, Name: o.Name, Platforms: o.Platforms, Revoked: o.Revoked, RevokedBy: revokedBy[o.ID], Deprecated: o.Deprecated}
		for _, k := range o.KillChain {
			if k.Chain == "mitre-attack" {
				t.Tactics = append(t.Tactics, k.Phase)
			}
		}
		cat.Techniques = append(cat.Techniques, t)
	}
	sort.Slice(cat.Techniques, func(i, j int) bool { return cat.Techniques[i].ID < cat.Techniques[j].ID })
	for i := 1; i < len(cat.Techniques); i++ {
		if cat.Techniques[i].ID == cat.Techniques[i-1].ID {
			return nil, fmt.Errorf("technique %s appears twice", cat.Techniques[i].ID)
		}
	}
	return cat, nil
}

// crossCheck compares the active techniques with MITRE's own TSV export, so a
// misread bundle fails generation instead of shipping.
func crossCheck(cat *catalog, tsv string) error {
	f, err := os.Open(tsv)
	if err != nil {
		return err
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for line := 0; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if line == 0 || len(cols) < 2 {
			continue
		}
		want[cols[0]] = cols[1]
	}
	if err := sc.Err(); err != nil {
		return err
	}
	active := 0
	for _, t := range cat.Techniques {
		if t.Revoked || t.Deprecated {
			continue
		}
		active++
		if name, ok := want[t.ID]; !ok || name != t.Name {
			return fmt.Errorf("%s %q: the TSV says %q", t.ID, t.Name, name)
		}
	}
	if active != len(want) {
		return fmt.Errorf("%d active techniques in the bundle, %d in %s", active, len(want), tsv)
	}
	return nil
}

// encode writes one tactic or technique per line so diffs of a new ATT&CK
// release stay readable.
func encode(cat *catalog) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\"version\":%q,\"domain\":%q,\n\"tactics\":[\n", cat.Version, cat.Domain)
	if err := lines(&b, len(cat.Tactics), func(i int) any { return cat.Tactics[i] }); err != nil {
		return nil, err
	}
	b.WriteString("],\n\"techniques\":[\n")
	if err := lines(&b, len(cat.Techniques), func(i int) any { return cat.Techniques[i] }); err != nil {
		return nil, err
	}
	b.WriteString("]}\n")
	return b.Bytes(), nil
}

func lines(w io.Writer, n int, at func(int) any) error {
	for i := 0; i < n; i++ {
		j, err := json.Marshal(at(i))
		if err != nil {
			return err
		}
		sep := ",\n"
		if i == n-1 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(w, "%s%s", j, sep); err != nil {
			return err
		}
	}
	return nil
}
