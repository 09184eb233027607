package kql

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Print renders n as KQL on one line. The text parses back to the same
// tree (up to spans, Literal.Raw and Ident.Quoted): literals print in
// canonical form from their values, names are quoted where they must be,
// and parentheses are added where precedence needs them.
func Print(n Node) string {
	var w printer
	w.node(n)
	return w.b.String()
}

// Pretty renders n like Print but puts each statement and each operator of
// a statement's pipeline on its own line, for reports and queries.kql.
func Pretty(n Node) string {
	w := printer{pretty: true}
	w.node(n)
	return w.b.String()
}

// String returns the query as one line of KQL.
func (q *Query) String() string { return Print(q) }

type printer struct {
	b      strings.Builder
	pretty bool
	nested int // > 0 inside parentheses, where pretty printing stays on one line
}

func (w *printer) str(s string) { w.b.WriteString(s) }

func (w *printer) node(n Node) {
	switch n := n.(type) {
	case nil:
	case *Query:
		w.stmts(n.Stmts, ";"+w.lineBreak())
	case Stmt:
		w.stmt(n)
	case Expr:
		w.expr(n, precPipe)
	case Operator:
		w.op(n)
	default:
		w.part(n)
	}
}

func (w *printer) lineBreak() string {
	if w.pretty && w.nested == 0 {
		return "\n"
	}
	return " "
}

// stmts prints statements with sep between them; let and set statements
// always end with ';' so the text stays a valid query.
func (w *printer) stmts(stmts []Stmt, sep string) {
	for i, s := range stmts {
		if i > 0 {
			w.str(sep)
		}
		w.stmt(s)
		if _, isExpr := s.(*ExprStmt); !isExpr && i == len(stmts)-1 {
			w.str(";")
		}
	}
}

func (w *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *LetStmt:
		w.str("let ")
		w.ident(s.Name)
		w.str(" = ")
		w.expr(s.Value, precPipe)
	case *SetStmt:
		w.str("set ")
		if s.Name != nil {
			w.str(s.Name.Name)
		}
		if s.Value != nil {
			w.str(" = ")
			w.expr(s.Value, precOr)
		}
	case *ExprStmt:
		w.expr(s.X, precPipe)
	}
}

// part prints the helper nodes that are neither expressions nor operators.
func (w *printer) part(n Node) {
	switch n := n.(type) {
	case *OpParam:
		w.param(n)
	case *NamedExpr:
		w.named(n)
	case *SortKey:
		w.sortKey(n)
	case *Rename:
		w.ident(n.New)
		w.str(" = ")
		w.ident(n.Old)
	case *ReorderCol:
		w.reorderCol(n)
	case *MvItem:
		w.mvItem(n)
	case *ParsePart:
		w.parsePart(n)
	case *SeriesAgg:
		w.seriesAgg(n)
	case *Param:
		w.funcParam(n)
	case *ColumnDecl:
		w.columnDecl(n)
	}
}

// list prints items separated by ", ".
func list[T any](w *printer, items []T, each func(T)) {
	for i, it := range items {
		if i > 0 {
			w.str(", ")
		}
		each(it)
	}
}

func (w *printer) params(ps []*OpParam) {
	for _, p := range ps {
		w.param(p)
		w.str(" ")
	}
}

func (w *printer) param(p *OpParam) {
	if isDottedName(p.Name) {
		w.str(p.Name)
	} else {
		w.ident(&Ident{Name: p.Name, Quoted: true})
	}
	w.str("=")
	if id, ok := p.Value.(*Ident); ok {
		w.ident(id)
		return
	}
	w.expr(p.Value, precUnary)
}

func (w *printer) named(n *NamedExpr) {
	switch len(n.Names) {
	case 0:
	case 1:
		w.ident(n.Names[0])
		w.str(" = ")
	default:
		w.str("(")
		list(w, n.Names, w.ident)
		w.str(") = ")
	}
	w.expr(n.X, precOr)
}

func (w *printer) namedList(ns []*NamedExpr) { list(w, ns, w.named) }

func (w *printer) exprList(xs []Expr, prec int) {
	list(w, xs, func(x Expr) { w.expr(x, prec) })
}

// ident prints a name, quoting it as ['name'] when it is not a plain
// identifier or is a word the parser would read as a keyword.
func (w *printer) ident(id *Ident) {
	if id == nil {
		return
	}
	if id.Quoted || needsQuote(id.Name) {
		w.str("[")
		w.str(quoteString(id.Name, '\''))
		w.str("]")
		return
	}
	w.str(id.Name)
}

// wildIdent prints a name that may contain * wildcards.
func (w *printer) wildIdent(id *Ident) {
	if id != nil && !id.Quoted && strings.Contains(id.Name, "*") && isWildPattern(id.Name) {
		w.str(id.Name)
		return
	}
	w.ident(id)
}

func isWildPattern(s string) bool {
	for _, part := range strings.Split(s, "*") {
		if part != "" && !isPlainIdent(part) && strings.TrimLeft(part, "0123456789_") != "" {
			return false
		}
	}
	return !strings.Contains(s, "**")
}

// isPlainIdent reports whether s lexes as a single identifier token.
func isPlainIdent(s string) bool {
	for i, r := range s {
		if i == 0 && !(r == '_' || r == '$' || unicode.IsLetter(r)) {
			return false
		}
		if i > 0 && !isIdentPart(r) {
			return false
		}
	}
	return s != "" && s != "$" && utf8.ValidString(s)
}

// reservedWords print quoted: the parser would read them as keywords, or
// Kusto does not accept them as bare names.
var reservedWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`and or not let set declare alias restrict pattern view by on with in
		between has has_any has_all has_cs contains contains_cs startswith endswith hasprefix hassuffix
		startswith_cs endswith_cs hasprefix_cs hassuffix_cs matches like as asc desc nulls of to from step
		default limit where filter project extend summarize sort order top take join lookup union print
		range search find datatable externaldata external_data evaluate invoke render parse serialize
		sample distinct getschema count typeof toscalar totable materialize datetime date time timespan
		guid int long real double bool boolean decimal dynamic string null
		notcontains notcontainscs containscs`) {
		reservedWords[w] = true
	}
}

func needsQuote(name string) bool {
	return !isPlainIdent(name) || reservedWords[name] || isBoolWord(name) ||
		strings.EqualFold(name, "true") || strings.EqualFold(name, "false")
}

// Quote returns s as a double-quoted KQL string literal.
func Quote(s string) string { return quoteString(s, '"') }

// quoteString quotes s with q, escaping the quote, backslash and control
// characters. Other bytes are written as they are, so any Go string
// survives a print and parse.
func quoteString(s string, q byte) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// isDottedName reports whether s is a parameter name such as kind or
// hint.strategy that prints without quotes.
func isDottedName(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if !isPlainIdent(part) && !lexesAsName(part) {
			return false
		}
	}
	return true
}
