package sigma

import (
	"strings"

	"github.com/goccy/go-yaml/ast"
)

func (l *loader) detection(n ast.Node) *Detection {
	d := &Detection{Searches: map[string]*Search{}, Pos: posOf(n)}
	for _, mv := range l.mapping(n, "detection") {
		k := l.key(mv)
		switch k {
		case "condition":
			d.Conditions = l.conditions(mv.Value)
		case "timeframe":
			d.Timeframe = l.str(mv.Value, k)
		default:
			if _, dup := d.Searches[k]; dup {
				l.fail(CodeBadField, keyPos(mv), "", "search identifier %q defined twice", k)
				continue
			}
			d.Searches[k] = l.search(k, mv)
			d.Order = append(d.Order, k)
		}
	}
	return d
}

func (l *loader) conditions(n ast.Node) []Condition {
	n = l.deref(n)
	var nodes []ast.Node
	if seq, ok := n.(*ast.SequenceNode); ok {
		nodes = seq.Values
	} else {
		nodes = []ast.Node{n}
	}
	var out []Condition
	for _, c := range nodes {
		c = l.deref(c)
		text := l.str(c, "condition")
		if strings.TrimSpace(text) == "" {
			l.fail(CodeBadCondition, posOf(c), "name the search identifiers, e.g. condition: selection and not filter", "condition is empty")
			continue
		}
		out = append(out, Condition{Text: text, Pos: posOf(c), Quoted: tokenQuoted(c)})
	}
	return out
}

func (l *loader) search(name string, mv *ast.MappingValueNode) *Search {
	s := &Search{Name: name, Pos: keyPos(mv)}
	v := l.deref(mv.Value)
	switch x := v.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		s.Groups = append(s.Groups, l.group(x))
	case *ast.SequenceNode:
		l.searchList(s, x)
	case *ast.NullNode, nil:
		l.fail(CodeBadField, s.Pos, "give field: value pairs or a list of keywords", "search identifier %q is empty", name)
	default:
		val, ok := l.value(x)
		if !ok {
			l.fail(CodeBadField, posOf(x), "", "search identifier %q must be a mapping or a list, found %s", name, kindName(x))
			break
		}
		s.Groups = append(s.Groups, []*Item{{Keyword: true, Values: []Value{val}, Pos: val.Pos}})
	}
	return s
}

// searchList reads a list under a search identifier: maps are ORed groups,
// plain values are ORed keywords.
func (l *loader) searchList(s *Search, seq *ast.SequenceNode) {
	var kw *Item
	for _, e := range seq.Values {
		e = l.deref(e)
		switch x := e.(type) {
		case *ast.MappingNode, *ast.MappingValueNode:
			s.Groups = append(s.Groups, l.group(x))
		case *ast.SequenceNode:
			l.fail(CodeBadField, posOf(x), "flatten the list", "search identifier %q holds a list inside a list", s.Name)
		default:
			val, ok := l.value(x)
			if !ok {
				l.fail(CodeBadField, posOf(x), "", "unexpected %s in search identifier %q", kindName(x), s.Name)
				continue
			}
			if kw == nil {
				kw = &Item{Keyword: true, Pos: val.Pos}
				s.Groups = append(s.Groups, []*Item{kw})
			}
			kw.Values = append(kw.Values, val)
		}
	}
	if len(seq.Values) == 0 {
		l.fail(CodeBadField, s.Pos, "", "search identifier %q is an empty list", s.Name)
	}
}

// group reads one map of field|modifiers: values, whose items are ANDed.
func (l *loader) group(n ast.Node) []*Item {
	var items []*Item
	for _, mv := range l.mapping(n, "a selection") {
		if it := l.item(mv); it != nil {
			items = append(items, it)
		}
	}
	return items
}

func (l *loader) item(mv *ast.MappingValueNode) *Item {
	key := l.key(mv)
	it := &Item{Pos: keyPos(mv)}
	parts := strings.Split(key, "|")
	it.Field = parts[0]
	it.Keyword = it.Field == ""
	col := it.Pos.Col + len(parts[0]) + 1
	if tokenQuoted(l.deref(mv.Key)) {
		col++
	}
	for _, m := range parts[1:] {
		it.Modifiers = append(it.Modifiers, Modifier{Name: m, Pos: Pos{Line: it.Pos.Line, Col: col}})
		col += len(m) + 1
	}
	it.Values = l.itemValues(mv, key)
	if len(it.Values) > MaxValues {
		l.fail(CodeLimit, it.Pos, "split the list across several selections", "%q has %d values, more than %d", key, len(it.Values), MaxValues)
		return nil
	}
	return it
}

func (l *loader) itemValues(mv *ast.MappingValueNode, key string) []Value {
	v := l.deref(mv.Value)
	nodes := []ast.Node{v}
	if seq, ok := v.(*ast.SequenceNode); ok {
		nodes = seq.Values
		if len(nodes) == 0 {
			l.fail(CodeBadField, posOf(v), "write null to match a missing value, or remove the entry", "%q has an empty list of values", key)
		}
	}
	var out []Value
	for _, n := range nodes {
		val, ok := l.value(n)
		if !ok {
			l.fail(CodeBadField, posOf(n), "a value is a string, a number, a boolean or null", "%q: expected a value, found %s", key, kindName(l.deref(n)))
			continue
		}
		out = append(out, val)
	}
	return out
}
