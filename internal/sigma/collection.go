package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Collection is a set of rules loaded together, so correlation rules can
// refer to other rules by ID or name.
type Collection struct {
	Rules []*Rule
	Errs  ErrorList // problems found while loading: unparseable documents, duplicate IDs or names
	byRef map[string]*Rule
}

// NewCollection indexes rules by ID and name. A second rule with an ID or
// name already taken is reported and not indexed under it.
func NewCollection(rules []*Rule) *Collection {
	c := &Collection{byRef: map[string]*Rule{}}
	for _, r := range rules {
		c.add(r)
	}
	return c
}

func (c *Collection) add(r *Rule) {
	c.Rules = append(c.Rules, r)
	for _, key := range []string{r.ID, r.Name} {
		if key == "" {
			continue
		}
		if prev, dup := c.byRef[key]; dup && prev != r {
			c.Errs = append(c.Errs, &Error{Code: CodeBadField, File: r.File, RuleID: r.ID, Pos: r.Pos,
				Msg:  "rule id or name " + quote(key) + " is also used by " + ruleLocation(prev),
				Hint: "give every rule a unique id (a new UUID) and name"})
			continue
		}
		c.byRef[key] = r
	}
}

func quote(s string) string { return `"` + s + `"` }

func ruleLocation(r *Rule) string {
	if r.File == "" {
		return "another rule"
	}
	return r.File + ":" + r.Pos.String()
}

// Lookup finds a rule by ID or name.
func (c *Collection) Lookup(ref string) (*Rule, bool) {
	r, ok := c.byRef[ref]
	return r, ok
}

// LoadPaths reads rule files and directories (recursively, *.yml and
// *.yaml). Parse problems are collected in Errs; an unreadable path is an
// error.
func LoadPaths(paths ...string) (*Collection, error) {
	c := &Collection{byRef: map[string]*Rule{}}
	for _, p := range paths {
		files, err := ruleFiles(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			rules, errs := ParseFile(f)
			c.Errs = append(c.Errs, errs...)
			for _, r := range rules {
				c.add(r)
			}
		}
	}
	return c, nil
}

// ruleFiles lists the YAML files under p, sorted, or p itself when it is a
// file (whatever its extension: the user named it).
func ruleFiles(p string) ([]string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(d.Name(), ".yml") || strings.HasSuffix(d.Name(), ".yaml")) {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// Referenced is the rules a correlation uses without generate: true. Sigma
// turns only the correlation into a detection for them; they do not fire
// on their own.
func (c *Collection) Referenced() map[*Rule]bool {
	out := map[*Rule]bool{}
	for _, r := range c.Rules {
		if r.Correlation == nil || r.Correlation.Generate {
			continue
		}
		for _, ref := range r.Correlation.Rules {
			if t, ok := c.Lookup(ref); ok && t != r {
				out[t] = true
			}
		}
	}
	return out
}
