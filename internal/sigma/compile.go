package sigma

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Options configure compilation. The zero value compiles against the
// embedded catalog with no placeholders.
type Options struct {
	Catalog      *catalog.Catalog    // nil means catalog.Default()
	Placeholders map[string][]string // values for |expand placeholders, by name without %
}

func (o *Options) catalog() *catalog.Catalog {
	if o == nil || o.Catalog == nil {
		return catalog.Default()
	}
	return o.Catalog
}

// Compiled is a detection rule as a KQL query over one catalog table:
// Table | where <logsource filter> [| extend <joined Sigma fields>] | where
// <condition>, the filter and the condition in one where when nothing is
// extended.
type Compiled struct {
	Rule  *Rule
	Table string
	Query *kql.Query
	Notes []string // where the query narrows the rule (values with no column, dropped)
}

// Pipe is the query's tabular expression.
func (c *Compiled) Pipe() *kql.PipeExpr {
	return c.Query.Stmts[len(c.Query.Stmts)-1].(*kql.ExprStmt).X.(*kql.PipeExpr)
}

// Compile translates a detection rule to KQL. Its passes, in order:
// logsource (pick the table and its filter), detection (each search
// identifier to a predicate), condition (parse and combine), assemble.
// Errors carry the rule's file and line and a stable code.
func Compile(r *Rule, opts Options) (out *Compiled, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, &Error{Code: CodeInternal, File: r.File, RuleID: r.ID, Pos: r.Pos,
				Msg: fmt.Sprintf("compiler panic: %v", p), Hint: "this is a bug in sleuth; please report it with the rule"}
		}
	}()
	if r.Correlation != nil {
		return nil, &Error{Code: CodeBadCorrelation, File: r.File, RuleID: r.ID, Pos: r.Pos,
			Msg: "a correlation rule compiles with its referenced rules", Hint: "use CompileCorrelation with a Collection"}
	}
	c := &compiler{rule: r, opts: &opts, cat: opts.catalog(), searches: map[string]kql.Expr{}}
	out, err = c.run()
	if e, ok := err.(*Error); ok {
		e.File, e.RuleID = r.File, r.ID
	}
	return out, err
}

type compiler struct {
	rule     *Rule
	opts     *Options
	cat      *catalog.Catalog
	tg       *target
	searches map[string]kql.Expr
	derived  []*kql.NamedExpr // extend columns that join several Defender columns
	notes    []string
}

func (c *compiler) run() (*Compiled, error) {
	d := c.rule.Detection
	if d == nil || len(d.Conditions) == 0 {
		return nil, errorf(CodeMissingField, c.rule.Pos, "", "rule has no detection condition")
	}
	tg, err := resolveTarget(c.rule.Logsource, c.cat)
	if err != nil {
		return nil, err
	}
	c.tg = tg
	var conds []kql.Expr
	for _, cond := range d.Conditions {
		e, err := c.condition(cond)
		if err != nil {
			return nil, err
		}
		conds = append(conds, e)
	}
	return &Compiled{Rule: c.rule, Table: tg.table.Name, Query: c.assemble(kOr(conds...)), Notes: c.notes}, nil
}

// assemble builds the query. The logsource filter comes first so the store
// and Sentinel can narrow the table before computing extended columns.
func (c *compiler) assemble(cond kql.Expr) *kql.Query {
	var p *kql.PipeExpr
	if len(c.derived) == 0 {
		p = kPipe(c.tg.table.Name, kAnd(c.tg.filter, cond))
	} else {
		p = kPipe(c.tg.table.Name, c.tg.filter)
		p.Ops = append(p.Ops, &kql.ExtendOp{Cols: c.derived})
		p.Ops = append(p.Ops, kPipe("", cond).Ops...)
	}
	return &kql.Query{Stmts: []kql.Stmt{&kql.ExprStmt{X: p}}}
}

// condition parses one condition and compiles it over the searches.
func (c *compiler) condition(cond Condition) (kql.Expr, error) {
	n, err := parseCondition(cond.Text)
	if err != nil {
		ce := err.(*condError)
		return nil, errorf(CodeBadCondition, cond.offsetPos(ce.off), ce.hint, "%s", ce.msg)
	}
	return c.condNode(cond, n)
}

func (c *compiler) condNode(cond Condition, n condNode) (kql.Expr, error) {
	switch x := n.(type) {
	case *condAnd, *condOr:
		var kids []condNode
		join := kAnd
		if a, ok := x.(*condAnd); ok {
			kids = a.xs
		} else {
			kids, join = x.(*condOr).xs, kOr
		}
		var parts []kql.Expr
		for _, k := range kids {
			e, err := c.condNode(cond, k)
			if err != nil {
				return nil, err
			}
			parts = append(parts, e)
		}
		return join(parts...), nil
	case *condNot:
		e, err := c.condNode(cond, x.x)
		if err != nil {
			return nil, err
		}
		return kNot(e), nil
	case *condRef:
		return c.searchRef(cond, x.name, x.off)
	case *condOf:
		return c.condOf(cond, x)
	}
	return nil, errorf(CodeInternal, cond.Pos, "", "unknown condition node %T", n)
}

func (c *compiler) condOf(cond Condition, x *condOf) (kql.Expr, error) {
	names := matchSearches(x, c.rule.Detection.Order)
	if len(names) == 0 {
		what := "them"
		if x.pattern != "" {
			what = fmt.Sprintf("%q", x.pattern)
		}
		return nil, errorf(CodeBadCondition, cond.offsetPos(x.off), c.searchHint(x.pattern), "%s matches no search identifier", what)
	}
	var parts []kql.Expr
	for _, name := range names {
		e, err := c.search(name)
		if err != nil {
			return nil, err
		}
		parts = append(parts, e)
	}
	if x.all {
		return kAnd(parts...), nil
	}
	return kOr(parts...), nil
}

func (c *compiler) searchRef(cond Condition, name string, off int) (kql.Expr, error) {
	if _, ok := c.rule.Detection.Searches[name]; !ok {
		return nil, errorf(CodeBadCondition, cond.offsetPos(off), c.searchHint(name), "condition names %q, which is not a search identifier", name)
	}
	return c.search(name)
}

func (c *compiler) searchHint(name string) string {
	best, bestD := "", 4
	for _, s := range c.rule.Detection.Order {
		if d := editDistance(strings.ToLower(name), strings.ToLower(s)); d < bestD {
			best, bestD = s, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "the search identifiers are " + strings.Join(c.rule.Detection.Order, ", ")
}

// search compiles a search identifier once: an OR of groups, each an AND
// of its items.
func (c *compiler) search(name string) (kql.Expr, error) {
	if e, ok := c.searches[name]; ok {
		return e, nil
	}
	s := c.rule.Detection.Searches[name]
	var groups []kql.Expr
	for _, g := range s.Groups {
		var items []kql.Expr
		for _, it := range g {
			e, err := c.item(it)
			if err != nil {
				return nil, err
			}
			items = append(items, e)
		}
		groups = append(groups, kAnd(items...))
	}
	e := kOr(groups...)
	c.searches[name] = e
	return e, nil
}

// item compiles one field|modifiers: values entry.
func (c *compiler) item(it *Item) (kql.Expr, error) {
	s, err := applyModifiers(it, c.opts)
	if err != nil {
		return nil, err
	}
	var e kql.Expr
	if it.Keyword {
		e, err = c.keywords(s)
	} else {
		e, err = c.fieldItem(s)
	}
	if err != nil || !s.negate {
		return e, err
	}
	return negate(e), nil
}

func (c *compiler) fieldItem(s *spec) (kql.Expr, error) {
	f, sp, err := c.resolveField(s.item.Field, s.item.Pos)
	if err != nil {
		return nil, err
	}
	if sp != nil {
		return c.specialItem(s, sp)
	}
	if !s.all {
		var flat []val
		for _, as := range s.values {
			flat = append(flat, as...)
		}
		return c.orValues(f, flat)
	}
	var parts []kql.Expr
	for _, as := range s.values {
		e, err := c.orValues(f, as)
		if err != nil {
			return nil, err
		}
		parts = append(parts, e)
	}
	return kAnd(parts...), nil
}

// specialItem compiles an item whose field needs a special matcher. A
// matcher may decline a value it cannot express (an imphash has no
// column); declined values are dropped from an OR with a note, and are an
// error where every value must match.
func (c *compiler) specialItem(s *spec, sp specialFunc) (kql.Expr, error) {
	var parts []kql.Expr
	dropped := 0
	for _, as := range s.values {
		var alt []kql.Expr
		for _, v := range as {
			e, err := sp(c, s.item, v)
			if err != nil {
				return nil, err
			}
			if e == nil {
				dropped++
				continue
			}
			alt = append(alt, e)
		}
		if s.all && len(alt) == 0 {
			return nil, errorf(CodeUnmappedField, s.item.Pos, "", "%s: a value that must match has no column in %s", s.item.Field, c.tg.table.Name)
		}
		parts = append(parts, kOr(alt...))
	}
	if s.all {
		return kAnd(parts...), nil
	}
	if len(parts) == 0 || dropped == countValues(s) {
		return nil, errorf(CodeUnmappedField, s.item.Pos, "", "%s: none of its values can be matched in %s", s.item.Field, c.tg.table.Name)
	}
	if dropped > 0 {
		c.notes = append(c.notes, fmt.Sprintf("%s: %d value(s) with no column in %s were left out", s.item.Field, dropped, c.tg.table.Name))
	}
	return kOr(groupEqualities(parts)...), nil
}

// groupEqualities folds ORed x =~ "a", x =~ "b" tests on the same column
// into x in~ ("a", "b"), the form Sentinel reads best and runs fastest.
func groupEqualities(xs []kql.Expr) []kql.Expr {
	var out []kql.Expr
	lists := map[string]*kql.InExpr{}
	for _, x := range xs {
		b, ok := x.(*kql.BinaryExpr)
		if !ok || b.Op != kql.OpEqCI {
			out = append(out, x)
			continue
		}
		id, isIdent := b.L.(*kql.Ident)
		lit, isLit := b.R.(*kql.Literal)
		if !isIdent || !isLit {
			out = append(out, x)
			continue
		}
		if in, seen := lists[id.Name]; seen {
			in.List = append(in.List, lit)
			continue
		}
		in := kIn(id, kql.OpInCI, []kql.Expr{lit})
		lists[id.Name] = in
		out = append(out, in)
	}
	for i, x := range out {
		if in, ok := x.(*kql.InExpr); ok && len(in.List) == 1 {
			out[i] = kBin(kql.OpEqCI, in.X, in.List[0])
		}
	}
	return out
}

func countValues(s *spec) int {
	n := 0
	for _, as := range s.values {
		n += len(as)
	}
	return n
}

// negate applies |neq: the item must not match.
func negate(e kql.Expr) kql.Expr {
	switch x := e.(type) {
	case *kql.BinaryExpr:
		if op, ok := map[kql.BinOp]kql.BinOp{kql.OpEqCI: kql.OpNeCI, kql.OpEq: kql.OpNe}[x.Op]; ok {
			return kBin(op, x.L, x.R)
		}
	case *kql.InExpr:
		if op, ok := map[kql.BinOp]kql.BinOp{kql.OpInCI: kql.OpNotInCI, kql.OpIn: kql.OpNotIn}[x.Op]; ok {
			return kIn(x.X, op, x.List)
		}
	}
	return kNot(e)
}

// keywords matches field-less values anywhere in the event: an OR over the
// table's text columns (dynamic ones through tostring).
func (c *compiler) keywords(s *spec) (kql.Expr, error) {
	cols := keywordColumns(c.tg.table, c.tg.src.keywords)
	match := func(v val) (kql.Expr, error) {
		v, err := asString(&modCtx{name: "keyword"}, v)
		if err != nil {
			return nil, errorf(CodeBadValue, s.item.Pos, "", "a keyword must be a string")
		}
		var ors []kql.Expr
		for _, f := range cols {
			ors = append(ors, matchPattern(f.asText(), keywordPattern(v.str), v.cased))
		}
		return kOr(ors...), nil
	}
	var parts []kql.Expr
	for _, as := range s.values {
		var alt []kql.Expr
		for _, v := range as {
			e, err := match(v)
			if err != nil {
				return nil, err
			}
			alt = append(alt, e)
		}
		parts = append(parts, kOr(alt...))
	}
	if s.all {
		return kAnd(parts...), nil
	}
	return kOr(parts...), nil
}

// keywordPattern: a keyword matches anywhere in the event text, so it gets
// wildcards on both sides unless it already has them.
func keywordPattern(p sstring) sstring {
	v := val{kind: vString, str: p}
	out, _ := wrapWildcards(&modCtx{name: "keyword"}, v, true, true)
	return out[0].str
}

// systemColumns are Log Analytics bookkeeping, never event text.
var systemColumns = map[string]bool{"TenantId": true, "Type": true, "SourceSystem": true, "MG": true,
	"ManagementGroupName": true, "_ResourceId": true, "_SubscriptionId": true, "_ItemId": true, "_BilledSize": true}

func keywordColumns(t *catalog.Table, only []string) []fieldRef {
	var out []fieldRef
	for _, name := range only {
		if col, ok := t.Column(name); ok {
			out = append(out, fieldRef{name: col.Name, expr: kIdent(col.Name), typ: col.Type})
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, col := range t.Columns {
		if systemColumns[col.Name] || col.Name == "AdditionalFields" {
			continue
		}
		if col.Type == catalog.String || col.Type == catalog.Dynamic {
			out = append(out, fieldRef{name: col.Name, expr: kIdent(col.Name), typ: col.Type})
		}
	}
	return out
}

// resolveField finds where a Sigma field lives in the target table: a plain
// column or expression (fieldRef), or a special matcher.
func (c *compiler) resolveField(name string, pos Pos) (fieldRef, specialFunc, error) {
	t := c.tg.table
	if spec, ok := c.tg.src.fields.get(name); ok {
		switch {
		case spec.unmapped != "":
			return fieldRef{}, nil, errorf(CodeUnmappedField, pos, spec.unmapped, "field %q has no column in %s", name, t.Name)
		case spec.special != nil:
			return fieldRef{}, spec.special, nil
		case spec.extra != "":
			f, err := c.additional(spec.extra, pos)
			return f, nil, err
		}
		col, ok := t.Column(spec.col)
		if !ok {
			return fieldRef{}, nil, errorf(CodeUnmappedField, pos, "the catalog's "+t.Name+" lacks "+spec.col,
				"field %q maps to %s.%s, which is not in the catalog", name, t.Name, spec.col)
		}
		return fieldRef{name: name, expr: kIdent(col.Name), typ: col.Type}, nil, nil
	}
	if c.tg.src.eventData {
		return c.eventDataField(name, pos)
	}
	if col, ok := t.Column(name); ok {
		return fieldRef{name: name, expr: kIdent(col.Name), typ: col.Type}, nil, nil
	}
	if col, ok := t.ColumnFold(name); ok {
		return fieldRef{name: name, expr: kIdent(col.Name), typ: col.Type}, nil, nil
	}
	if f, ok := dottedField(t, name); ok {
		return f, nil, nil
	}
	return fieldRef{}, nil, errorf(CodeUnmappedField, pos, columnHint(t, name), "field %q has no column in %s", name, t.Name)
}

// additional reads a member of AdditionalFields: where sleuth's ingest
// keeps the Sysmon fields no Defender column takes. Defender's own records
// do not carry them, which the rule's notes say.
func (c *compiler) additional(member string, pos Pos) (fieldRef, error) {
	col, ok := c.tg.table.Column("AdditionalFields")
	if !ok || (col.Type != catalog.Dynamic && col.Type != catalog.String) {
		return fieldRef{}, errorf(CodeUnmappedField, pos, "", "field %q has no column in %s, which has no AdditionalFields", member, c.tg.table.Name)
	}
	note := fmt.Sprintf("%s is read from AdditionalFields.%s, where sleuth keeps Sysmon's field; Defender's own %s records lack it", member, member, c.tg.table.Name)
	if !contains(c.notes, note) {
		c.notes = append(c.notes, note)
	}
	var x kql.Expr = kIdent(col.Name)
	if col.Type == catalog.String {
		x = kCall("parse_json", x)
	}
	return fieldRef{name: member, expr: kMember(x, member), typ: catalog.Dynamic}, nil
}

// eventDataField is EventData.<Name> in WindowsEvent, where sleuth keeps
// every event's data under its Windows field names.
func (c *compiler) eventDataField(name string, pos Pos) (fieldRef, specialFunc, error) {
	col, ok := c.tg.table.Column("EventData")
	if !ok || col.Type != catalog.Dynamic {
		return fieldRef{}, nil, errorf(CodeUnmappedField, pos, "", "%s has no dynamic EventData column for field %q", c.tg.table.Name, name)
	}
	f := fieldRef{name: name, expr: kMember(kIdent(col.Name), name), typ: catalog.Dynamic}
	if spaced := spaceWords(name); c.tg.src.spacedNames && spaced != name {
		// Defender's events say "Threat Name" where Sigma says ThreatName:
		// take whichever the event has.
		return c.derive(name, kCall("coalesce", f.asText(), kCall("tostring", kMember(kIdent(col.Name), spaced)))), nil, nil
	}
	return f, nil, nil
}

// spaceWords splits a CamelCase name into words: ThreatName → Threat Name.
func spaceWords(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' && s[i-1] >= 'a' && s[i-1] <= 'z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dottedField reads a.b.c as a property path into a dynamic column, or
// into a string column holding JSON.
func dottedField(t *catalog.Table, name string) (fieldRef, bool) {
	segs := strings.Split(name, ".")
	if len(segs) < 2 {
		return fieldRef{}, false
	}
	col, ok := t.ColumnFold(segs[0])
	if !ok || (col.Type != catalog.Dynamic && col.Type != catalog.String) {
		return fieldRef{}, false
	}
	var x kql.Expr = kIdent(col.Name)
	if col.Type == catalog.String {
		x = kCall("parse_json", x)
	}
	for _, s := range segs[1:] {
		if s == "" {
			return fieldRef{}, false
		}
		x = kMember(x, s)
	}
	return fieldRef{name: name, expr: x, typ: catalog.Dynamic}, true
}

// columnHint suggests the closest column names.
func columnHint(t *catalog.Table, name string) string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, col := range t.Columns {
		d := editDistance(strings.ToLower(name), strings.ToLower(col.Name))
		if d <= 3 || strings.Contains(strings.ToLower(col.Name), strings.ToLower(name)) {
			cs = append(cs, cand{col.Name, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d < cs[j].d || cs[i].d == cs[j].d && cs[i].name < cs[j].name })
	if len(cs) == 0 {
		return "run `sleuth schema " + t.Name + "` for its columns"
	}
	var names []string
	for i := 0; i < len(cs) && i < 3; i++ {
		names = append(names, cs[i].name)
	}
	return "similar columns: " + strings.Join(names, ", ")
}
