package sigma

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Limits that keep a hostile or broken file from exhausting memory.
const (
	MaxFileSize  = 4 << 20 // bytes per rule file
	MaxDocuments = 1000    // YAML documents per file
	MaxValues    = 10000   // values per detection item
)

// ParseFile reads the Sigma rules in a YAML file (one or more documents).
func ParseFile(path string) ([]*Rule, ErrorList) {
	fi, err := os.Stat(path)
	if err == nil && fi.Size() > MaxFileSize {
		return nil, ErrorList{{Code: CodeLimit, File: path, Msg: fmt.Sprintf("file is %d bytes, more than the %d a rule file may have", fi.Size(), MaxFileSize)}}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{Code: CodeYAML, File: path, Msg: err.Error()}}
	}
	return Parse(path, src)
}

// Parse reads the Sigma rules in src, a YAML file named file in errors. It
// returns the documents that parsed and an error for each problem found;
// a document with a problem is not returned.
func Parse(file string, src []byte) ([]*Rule, ErrorList) {
	if len(src) > MaxFileSize {
		return nil, ErrorList{{Code: CodeLimit, File: file, Msg: fmt.Sprintf("file is %d bytes, more than the %d a rule file may have", len(src), MaxFileSize)}}
	}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, ErrorList{yamlError(file, err)}
	}
	if len(f.Docs) > MaxDocuments {
		return nil, ErrorList{{Code: CodeLimit, File: file, Msg: fmt.Sprintf("%d YAML documents, more than %d", len(f.Docs), MaxDocuments)}}
	}
	var rules []*Rule
	var errs ErrorList
	for i, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		l := &loader{file: file, anchors: map[string]ast.Node{}}
		r := l.rule(doc.Body)
		r.File, r.Doc = file, i
		for _, e := range l.errs {
			e.File, e.RuleID, e.Doc = file, l.ruleID, i
		}
		if len(l.errs) > 0 {
			errs = append(errs, l.errs...)
			continue
		}
		rules = append(rules, r)
	}
	return rules, errs
}

func yamlError(file string, err error) *Error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		pos := Pos{}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			pos = Pos{Line: tk.Position.Line, Col: tk.Position.Column}
		}
		return &Error{Code: CodeYAML, File: file, Pos: pos, Msg: lowerFirst(ye.GetMessage()),
			Hint: "check the indentation and quoting around this line"}
	}
	return &Error{Code: CodeYAML, File: file, Msg: err.Error()}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// loader turns one YAML document into a Rule, collecting errors.
type loader struct {
	file    string
	anchors map[string]ast.Node
	errs    ErrorList
	ruleID  string
}

func (l *loader) fail(code string, pos Pos, hint, format string, args ...any) {
	e := errorf(code, pos, hint, format, args...)
	l.errs = append(l.errs, e)
}

func posOf(n ast.Node) Pos {
	if n == nil {
		return Pos{}
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return posOf(m.Values[0].Key) // a mapping starts at its first key, not its first colon
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{Line: tk.Position.Line, Col: tk.Position.Column}
}

// keyPos is where a mapping entry starts: its key.
func keyPos(mv *ast.MappingValueNode) Pos { return posOf(mv.Key) }

// deref unwraps anchors, aliases and tags to the node that holds the value.
func (l *loader) deref(n ast.Node) ast.Node {
	for depth := 0; n != nil && depth < 16; depth++ {
		switch x := n.(type) {
		case *ast.AnchorNode:
			if name, ok := scalarText(x.Name); ok {
				l.anchors[name] = x.Value
			}
			n = x.Value
		case *ast.AliasNode:
			name, _ := scalarText(x.Value)
			target, ok := l.anchors[name]
			if !ok {
				l.fail(CodeYAML, posOf(x), "", "alias *%s names no anchor defined before it", name)
				return nil
			}
			n = target
		case *ast.TagNode:
			n = x.Value
		default:
			return n
		}
	}
	return n
}

// scalarText is the text of a scalar node: the decoded string, or the
// source spelling of a number, bool or date.
func scalarText(n ast.Node) (string, bool) {
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, true
	case *ast.LiteralNode:
		return x.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	case *ast.NullNode:
		return "", true
	}
	return "", false
}

// mapping returns the entries of a mapping node, or reports what was found.
func (l *loader) mapping(n ast.Node, what string) []*ast.MappingValueNode {
	n = l.deref(n)
	switch x := n.(type) {
	case *ast.MappingNode:
		return x.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{x}
	case nil:
		return nil
	}
	l.fail(CodeBadField, posOf(n), "", "%s must be a mapping, found %s", what, kindName(n))
	return nil
}

func kindName(n ast.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.(type) {
	case *ast.SequenceNode:
		return "a list"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.NullNode:
		return "nothing"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode, *ast.FloatNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	}
	return strings.ToLower(n.Type().String())
}

func (l *loader) key(mv *ast.MappingValueNode) string {
	k := l.deref(mv.Key)
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		k = l.deref(mk.Value)
	}
	s, ok := scalarText(k)
	if !ok {
		l.fail(CodeBadField, posOf(mv.Key), "", "a key must be a plain value, found %s", kindName(k))
	}
	return s
}

// str reads a scalar field as a string.
func (l *loader) str(n ast.Node, field string) string {
	n = l.deref(n)
	if n == nil {
		return "" // deref reported why
	}
	s, ok := scalarText(n)
	if !ok {
		l.fail(CodeBadField, posOf(n), "", "%s must be a single value, found %s", field, kindName(n))
	}
	return s
}

// strList reads a field that may be a single string or a list of strings.
func (l *loader) strList(n ast.Node, field string) []string {
	n = l.deref(n)
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		if _, isNull := n.(*ast.NullNode); isNull {
			return nil
		}
		return []string{l.str(n, field)}
	}
	out := make([]string, 0, len(seq.Values))
	for _, v := range seq.Values {
		out = append(out, l.str(v, field))
	}
	return out
}

func (l *loader) rule(body ast.Node) *Rule {
	r := &Rule{Pos: posOf(body)}
	entries := l.mapping(body, "a rule")
	if entries == nil && len(l.errs) > 0 {
		return r
	}
	seen := map[string]*ast.MappingValueNode{}
	for _, mv := range entries {
		seen[l.key(mv)] = mv
	}
	if mv, ok := seen["id"]; ok {
		r.ID = l.str(mv.Value, "id")
		l.ruleID = r.ID
	}
	for _, mv := range entries {
		l.ruleField(r, l.key(mv), mv)
	}
	l.required(r, seen)
	return r
}

func (l *loader) ruleField(r *Rule, key string, mv *ast.MappingValueNode) {
	v := mv.Value
	switch key {
	case "title":
		r.Title = l.str(v, key)
	case "name":
		r.Name = l.str(v, key)
	case "status":
		r.Status = l.str(v, key)
	case "level":
		r.Level = l.str(v, key)
	case "description":
		r.Description = l.str(v, key)
	case "author":
		r.Author = strings.Join(l.strList(v, key), ", ")
	case "date":
		r.Date = l.str(v, key)
	case "modified":
		r.Modified = l.str(v, key)
	case "license":
		r.License = l.str(v, key)
	case "tags":
		r.Tags = l.strList(v, key)
	case "references":
		r.References = l.strList(v, key)
	case "falsepositives":
		r.FalsePositives = l.strList(v, key)
	case "fields":
		r.Fields = l.strList(v, key)
	case "related":
		r.Related = l.related(v)
	case "logsource":
		r.Logsource = l.logsource(v)
	case "detection":
		r.Detection = l.detection(v)
	case "correlation":
		r.Correlation = l.correlation(v)
	}
}

func (l *loader) required(r *Rule, seen map[string]*ast.MappingValueNode) {
	_, hasTitle := seen["title"]
	_, hasLog := seen["logsource"]
	_, hasDet := seen["detection"]
	if !hasTitle && !hasLog && !hasDet && r.Correlation == nil {
		l.fail(CodeMissingField, r.Pos, "a Sigma rule has title, logsource and detection (or correlation)", "not a Sigma rule: no title, logsource or detection")
		return
	}
	if !hasTitle {
		l.fail(CodeMissingField, r.Pos, "every Sigma rule starts with a title: line", "rule has no title")
	}
	if r.Correlation != nil {
		if r.Detection != nil {
			l.fail(CodeBadField, r.Detection.Pos, "split the detection and the correlation into two documents", "a correlation rule cannot have a detection")
		}
		return
	}
	if _, ok := seen["logsource"]; !ok {
		l.fail(CodeMissingField, r.Pos, "add logsource: with a category, product or service", "rule has no logsource")
	}
	if _, ok := seen["detection"]; !ok {
		l.fail(CodeMissingField, r.Pos, "add detection: with search identifiers and a condition", "rule has no detection")
	} else if r.Detection != nil && len(r.Detection.Conditions) == 0 && len(l.errs) == 0 {
		l.fail(CodeMissingField, r.Detection.Pos, "add condition: naming the search identifiers, e.g. condition: selection", "detection has no condition")
	}
}

func (l *loader) related(n ast.Node) []Related {
	n = l.deref(n)
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		l.fail(CodeBadField, posOf(n), "", "related must be a list of {id, type}, found %s", kindName(n))
		return nil
	}
	var out []Related
	for _, item := range seq.Values {
		var rel Related
		for _, mv := range l.mapping(item, "a related entry") {
			switch l.key(mv) {
			case "id":
				rel.ID = l.str(mv.Value, "related id")
			case "type":
				rel.Type = l.str(mv.Value, "related type")
			}
		}
		out = append(out, rel)
	}
	return out
}

func (l *loader) logsource(n ast.Node) Logsource {
	ls := Logsource{Pos: posOf(n)}
	for _, mv := range l.mapping(n, "logsource") {
		k := l.key(mv)
		switch k {
		case "category":
			ls.Category = strings.ToLower(l.str(mv.Value, k))
		case "product":
			ls.Product = strings.ToLower(l.str(mv.Value, k))
		case "service":
			ls.Service = strings.ToLower(l.str(mv.Value, k))
		case "definition":
			ls.Definition = l.str(mv.Value, k)
		}
	}
	return ls
}

// value reads one detection value (a scalar).
func (l *loader) value(n ast.Node) (Value, bool) {
	n = l.deref(n)
	pos := posOf(n)
	switch x := n.(type) {
	case *ast.StringNode:
		return Value{Kind: KindString, Str: x.Value, Pos: pos}, true
	case *ast.LiteralNode:
		return Value{Kind: KindString, Str: x.Value.Value, Pos: pos}, true
	case *ast.IntegerNode:
		return intValue(x.GetToken().Value, pos), true
	case *ast.FloatNode:
		return Value{Kind: KindNumber, Str: x.GetToken().Value, Num: x.Value, Pos: pos}, true
	case *ast.BoolNode:
		return Value{Kind: KindBool, Str: x.GetToken().Value, Bool: x.Value, Pos: pos}, true
	case *ast.NullNode:
		return Value{Kind: KindNull, Pos: pos}, true
	case *ast.InfinityNode, *ast.NanNode:
		return Value{Kind: KindString, Str: x.GetToken().Value, Pos: pos}, true
	}
	return Value{}, false
}

// intValue parses a YAML integer in any of its spellings (decimal, 0x, 0o,
// 0b, with _ separators). A number too large for int64 stays a string.
func intValue(raw string, pos Pos) Value {
	s := strings.ReplaceAll(raw, "_", "")
	if strings.HasPrefix(s, "0o") || strings.HasPrefix(s, "-0o") {
		s = strings.Replace(s, "0o", "0", 1)
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return Value{Kind: KindString, Str: raw, Pos: pos}
	}
	return Value{Kind: KindNumber, Str: raw, Num: float64(n), IsInt: true, Int: n, Pos: pos}
}

// tokenQuoted reports whether a scalar was written in quotes.
func tokenQuoted(n ast.Node) bool {
	if n == nil {
		return false
	}
	tk := n.GetToken()
	return tk != nil && (tk.Type == token.SingleQuoteType || tk.Type == token.DoubleQuoteType)
}
