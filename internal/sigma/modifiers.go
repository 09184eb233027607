package sigma

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// valKind is what a detection value has become after its modifiers.
type valKind uint8

const (
	vString   valKind = iota // a Sigma string pattern
	vNumber                  // a YAML number, compared as a number or as its text
	vBool                    // a YAML boolean
	vNull                    // null: the field is empty or missing
	vRegex                   // |re
	vCIDR                    // |cidr
	vCompare                 // |lt |lte |gt |gte
	vExists                  // |exists
	vFieldRef                // |fieldref
	vTimePart                // |minute … |year
)

// val is one value of an item after its modifiers.
type val struct {
	kind  valKind
	str   sstring // vString
	orig  Value   // the value as written
	cased bool    // |cased: match case-sensitively

	re      string // vRegex
	reFlags string // i, m, s

	cidr netip.Prefix // vCIDR

	op  string  // vCompare: lt, lte, gt, gte
	num float64 // vCompare, vTimePart

	exists bool // vExists

	ref        string // vFieldRef: the other field
	refStarts  bool   // |fieldref|startswith …
	refEnds    bool
	timeUnit   string // vTimePart: minute, hour, day, week, month, year
	fromBase64 bool   // the value was base64-encoded by a modifier
	binary     bool   // str carries bytes one per rune (UTF-16 output)
}

// alts is one written value with the alternatives modifiers expanded it
// into (|windash, |base64offset, |expand). Alternatives are always ORed.
type alts []val

// spec is an item after its modifiers: the values, how they are linked, and
// whether the whole item is negated (|neq).
type spec struct {
	item   *Item
	values []alts
	all    bool // |all: every value must match
	negate bool // |neq
}

// modifierFunc transforms one value; it may expand it into alternatives.
type modifierFunc func(m *modCtx, v val) ([]val, error)

// modCtx is what a modifier may consult: its name and place, the modifiers
// applied before it, and the item.
type modCtx struct {
	name    string
	pos     Pos
	applied []string
	spec    *spec
	opts    *Options
}

func (m *modCtx) errorf(code, hint, format string, args ...any) error {
	return errorf(code, m.pos, hint, format, args...)
}

// modifier describes one Sigma modifier. list modifiers act on the item as a
// whole (all, neq); the others act on each value.
type modifier struct {
	fn   modifierFunc
	list func(s *spec)
}

// modifiers is the dispatcher: every modifier of Sigma 2.1 and pySigma's
// long spellings of the regex flags. One file per family implements them.
var modifiers = map[string]modifier{
	"contains":     {fn: modContains},
	"startswith":   {fn: modStartswith},
	"endswith":     {fn: modEndswith},
	"windash":      {fn: modWindash},
	"cased":        {fn: modCased},
	"all":          {list: func(s *spec) { s.all = true }},
	"neq":          {list: func(s *spec) { s.negate = true }},
	"base64":       {fn: modBase64},
	"base64offset": {fn: modBase64Offset},
	"utf16le":      {fn: modUTF16LE},
	"wide":         {fn: modUTF16LE},
	"utf16be":      {fn: modUTF16BE},
	"utf16":        {fn: modUTF16},
	"re":           {fn: modRegex},
	"i":            {fn: modRegexFlag},
	"ignorecase":   {fn: modRegexFlag},
	"m":            {fn: modRegexFlag},
	"multiline":    {fn: modRegexFlag},
	"s":            {fn: modRegexFlag},
	"dotall":       {fn: modRegexFlag},
	"cidr":         {fn: modCIDR},
	"lt":           {fn: modCompare},
	"lte":          {fn: modCompare},
	"gt":           {fn: modCompare},
	"gte":          {fn: modCompare},
	"exists":       {fn: modExists},
	"fieldref":     {fn: modFieldRef},
	"expand":       {fn: modExpand},
	"minute":       {fn: modTimePart},
	"hour":         {fn: modTimePart},
	"day":          {fn: modTimePart},
	"week":         {fn: modTimePart},
	"month":        {fn: modTimePart},
	"year":         {fn: modTimePart},
}

// applyModifiers runs an item's modifiers left to right over its values,
// as the Sigma specification orders them.
func applyModifiers(it *Item, opts *Options) (*spec, error) {
	s := &spec{item: it}
	for _, v := range it.Values {
		s.values = append(s.values, alts{initialVal(v)})
	}
	var applied []string
	for _, m := range it.Modifiers {
		name := strings.ToLower(m.Name)
		mod, ok := modifiers[name]
		if !ok {
			return nil, errorf(CodeUnknownModifier, m.Pos, suggestModifier(m.Name), "unknown modifier %q", m.Name)
		}
		if mod.list != nil {
			mod.list(s)
		} else if err := s.each(&modCtx{name: name, pos: m.Pos, applied: applied, spec: s, opts: opts}, mod.fn); err != nil {
			return nil, err
		}
		applied = append(applied, name)
	}
	return s, s.check()
}

func (s *spec) each(ctx *modCtx, fn modifierFunc) error {
	for i, as := range s.values {
		var next alts
		for _, v := range as {
			out, err := fn(ctx, v)
			if err != nil {
				return err
			}
			next = append(next, out...)
		}
		if len(next) > MaxValues {
			return ctx.errorf(CodeLimit, "use fewer values or a regular expression", "|%s expands a value into %d alternatives, more than %d", ctx.name, len(next), MaxValues)
		}
		s.values[i] = next
	}
	return nil
}

// check enforces what Sigma says about whole items.
func (s *spec) check() error {
	if s.item.Keyword {
		for _, as := range s.values {
			for _, v := range as {
				if v.kind != vString && v.kind != vNumber && v.kind != vBool {
					return errorf(CodeBadModifier, s.item.Pos, "keywords are plain strings; name a field to use this modifier", "a keyword search cannot use this modifier")
				}
			}
		}
	}
	return nil
}

func initialVal(v Value) val {
	switch v.Kind {
	case KindNumber:
		return val{kind: vNumber, orig: v}
	case KindBool:
		return val{kind: vBool, orig: v}
	case KindNull:
		return val{kind: vNull, orig: v}
	}
	return val{kind: vString, str: parseSigmaString(v.Str), orig: v}
}

// asString gives string modifiers a string to work on: Sigma treats every
// value as a string, so a number or boolean becomes its YAML text.
func asString(m *modCtx, v val) (val, error) {
	switch v.kind {
	case vString:
		return v, nil
	case vNumber, vBool:
		v.kind, v.str = vString, lit(v.orig.Str)
		return v, nil
	}
	return v, m.errorf(CodeBadModifier, "", "|%s needs a string value, found %s", m.name, v.describe())
}

func (v val) describe() string {
	switch v.kind {
	case vString:
		return fmt.Sprintf("the string %q", v.str.String())
	case vNumber:
		return "the number " + v.orig.Str
	case vBool:
		return "a boolean"
	case vNull:
		return "null"
	case vRegex:
		return "a regular expression"
	case vCIDR:
		return "a CIDR network"
	case vCompare:
		return "a comparison"
	case vExists:
		return "an exists check"
	case vFieldRef:
		return "a field reference"
	case vTimePart:
		return "a date part"
	}
	return "a value"
}

// firstOnly rejects a modifier that Sigma only allows on an unmodified value.
func firstOnly(m *modCtx) error {
	for _, a := range m.applied {
		if a != "all" && a != "neq" {
			return m.errorf(CodeBadModifier, "put |"+m.name+" first, right after the field name", "|%s must come before |%s", m.name, a)
		}
	}
	return nil
}

// suggestModifier offers the closest known modifier for a misspelt one.
func suggestModifier(name string) string {
	best, bestD := "", 3
	for k := range modifiers {
		if d := editDistance(strings.ToLower(name), k); d < bestD || d == bestD && k < best {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean |%s?", best)
	}
	return "the modifiers are " + strings.Join(modifierNames(), ", ")
}

func modifierNames() []string {
	names := make([]string, 0, len(modifiers))
	for k := range modifiers {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// editDistance is the Levenshtein distance, for did-you-mean hints.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
