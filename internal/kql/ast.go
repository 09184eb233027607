package kql

import "github.com/sleuth-hunt/sleuth/internal/catalog"

// Span is a half-open byte range [Start, End) of the source text. Every node
// embeds one. Nodes built in code rather than parsed have a zero Span.
type Span struct {
	Start, End int
}

// NodeSpan returns the span; embedding Span gives every node this method.
func (s Span) NodeSpan() Span { return s }

// Node is any syntax tree node.
type Node interface {
	NodeSpan() Span
}

// Query is a whole KQL text: zero or more let and set statements followed by
// the tabular expression whose result is the query's result.
type Query struct {
	Span
	Stmts []Stmt
}

// Stmt is a statement of a query.
type Stmt interface {
	Node
	stmtNode()
}

// LetStmt binds a name to a scalar, a tabular expression or a function
// (a *FuncExpr): let x = 5; let T = SigninLogs | where …; let f = (a:string) { … };
type LetStmt struct {
	Span
	Name  *Ident
	Value Expr
}

// SetStmt is a request property: set query_now = datetime(…);
type SetStmt struct {
	Span
	Name  *Ident
	Value Expr // nil for a bare "set name;"
}

// ExprStmt is a statement that is an expression, normally the query's final
// tabular expression.
type ExprStmt struct {
	Span
	X Expr
}

func (*LetStmt) stmtNode()  {}
func (*SetStmt) stmtNode()  {}
func (*ExprStmt) stmtNode() {}

// Expr is a scalar or tabular expression. Syntax alone cannot always tell a
// table name from a column name; the checker decides.
type Expr interface {
	Node
	exprNode()
}

// Ident is a name: a column, table, let binding, function or one of $left,
// $right. Quoted names (['a b'], ["a b"]) set Quoted. Names in
// project-away, project-keep and project-reorder may contain * wildcards.
type Ident struct {
	Span
	Name   string
	Quoted bool
}

// Literal is a constant of a KQL type. Value is string (string, guid),
// int64 (int, long), float64 (real, decimal), bool, time.Time (datetime,
// UTC), time.Duration (timespan), or the decoded JSON value of a dynamic
// (map[string]any, []any, string, json.Number, bool, nil; a datetime or
// timespan written inside dynamic(…) stays a time.Time or time.Duration, and
// real(nan) or real(±inf) a float64). A nil Value is a typed null such as
// long(null). Raw keeps the source spelling; the printer always prints
// canonically from Type and Value, and constructed literals leave Raw empty.
type Literal struct {
	Span
	Type  catalog.Type
	Value any
	Raw   string
	// Obfuscated marks an h"…" string, which Kusto keeps out of its logs;
	// the printer keeps the h so printed queries stay obfuscated too.
	Obfuscated bool
}

// BinaryExpr is L Op R, for the arithmetic, comparison, logical and string
// operators (see the BinOp constants).
type BinaryExpr struct {
	Span
	Op BinOp
	L  Expr
	R  Expr
}

// UnaryExpr is a prefix -X or +X. (not is a function in KQL: not(x).)
type UnaryExpr struct {
	Span
	Op string // "-" or "+"
	X  Expr
}

// InExpr is X Op (List…) for in, !in, in~, !in~, has_any, has_all and
// has_any_cs style set operators. List holds scalars, a dynamic array, a
// name bound to one, or a single tabular expression whose first column is
// the set.
type InExpr struct {
	Span
	Op   BinOp
	X    Expr
	List []Expr
}

// BetweenExpr is X between (Lo .. Hi), or !between when Not is set.
type BetweenExpr struct {
	Span
	Not bool
	X   Expr
	Lo  Expr
	Hi  Expr
}

// CallExpr is a function or aggregate call: ago(1d), count(), arg_max(T, *).
type CallExpr struct {
	Span
	Fn   *Ident
	Args []Expr
}

// StarExpr is * as an argument (arg_max(T, *), count(*)) or in distinct *.
type StarExpr struct {
	Span
}

// MemberExpr is X.Name: a property of a dynamic value, or $left.Col / $right.Col.
type MemberExpr struct {
	Span
	X    Expr
	Name *Ident
}

// IndexExpr is X[Index]: X["key"] or X[0]. Kusto's legacy spellings
// X.["key"] and X.[0] parse to the same node.
type IndexExpr struct {
	Span
	X     Expr
	Index Expr
}

// ParenExpr is (X). It is kept so printing preserves the author's grouping.
type ParenExpr struct {
	Span
	X Expr
}

// PipeExpr is a tabular pipeline: Source | Ops[0] | Ops[1] … Source is any
// tabular expression: a table or let name, a parenthesised query, a call of
// a tabular function, datatable, union, print, range, search or externaldata.
type PipeExpr struct {
	Span
	Source Expr
	Ops    []Operator
}

// FuncExpr is a user function body: (a:string, b:long = 5) { stmts; expr }.
type FuncExpr struct {
	Span
	Params []*Param
	Body   []Stmt
}

// Param is one parameter of a FuncExpr. A tabular parameter has Type "" and
// Columns (T:(Col:string)) or Star for (*).
type Param struct {
	Span
	Name    *Ident
	Type    string
	Columns []*ColumnDecl
	Star    bool
	Default Expr
}

// ColumnDecl declares a column with a type, in datatable, externaldata,
// parse patterns and function parameters.
type ColumnDecl struct {
	Span
	Name *Ident
	Type string // a KQL type name; may be "" in parse patterns (string)
}

// DatatableExpr is datatable (A:string, B:long) ["x", 1, "y", 2].
type DatatableExpr struct {
	Span
	Columns []*ColumnDecl
	Values  []Expr
}

// ExternalDataExpr is externaldata (…) [urls] with (…). sleuth parses it so
// that queries using it get a clear kql.unsupported from the checker.
type ExternalDataExpr struct {
	Span
	Columns []*ColumnDecl
	URLs    []Expr
	With    []*OpParam
}

// UnionExpr is union used as a source: union [params] T1, T2, …
type UnionExpr struct {
	Span
	Params []*OpParam
	Tables []Expr
}

// PrintExpr is print a = 1, b = "x": a one-row table.
type PrintExpr struct {
	Span
	Cols []*NamedExpr
}

// RangeExpr is range Name from From to To step Step.
type RangeExpr struct {
	Span
	Name *Ident
	From Expr
	To   Expr
	Step Expr
}

// SearchExpr is search used as a source: search [kind=…] [in (T1, T2)] Pred.
// With no In list it searches every table.
type SearchExpr struct {
	Span
	Params []*OpParam
	In     []Expr
	Pred   Expr
}

func (*Ident) exprNode()            {}
func (*Literal) exprNode()          {}
func (*BinaryExpr) exprNode()       {}
func (*UnaryExpr) exprNode()        {}
func (*InExpr) exprNode()           {}
func (*BetweenExpr) exprNode()      {}
func (*CallExpr) exprNode()         {}
func (*StarExpr) exprNode()         {}
func (*MemberExpr) exprNode()       {}
func (*IndexExpr) exprNode()        {}
func (*ParenExpr) exprNode()        {}
func (*PipeExpr) exprNode()         {}
func (*FuncExpr) exprNode()         {}
func (*DatatableExpr) exprNode()    {}
func (*ExternalDataExpr) exprNode() {}
func (*UnionExpr) exprNode()        {}
func (*PrintExpr) exprNode()        {}
func (*RangeExpr) exprNode()        {}
func (*SearchExpr) exprNode()       {}

// A NamedExpr is also an expression where a call takes a named argument:
// ipv4_lookup(T, ip, net, return_unmatched = true).
func (*NamedExpr) exprNode() {}

// BinOp is a binary or set operator, spelt as in KQL.
type BinOp string

// Binary operators. Negated string operators are their own constants, as in
// KQL (!has is not not(has)).
const (
	OpAdd BinOp = "+"
	OpSub BinOp = "-"
	OpMul BinOp = "*"
	OpDiv BinOp = "/"
	OpMod BinOp = "%"

	OpEq    BinOp = "=="
	OpNe    BinOp = "!="
	OpLt    BinOp = "<"
	OpLe    BinOp = "<="
	OpGt    BinOp = ">"
	OpGe    BinOp = ">="
	OpEqCI  BinOp = "=~"
	OpNeCI  BinOp = "!~"
	OpAnd   BinOp = "and"
	OpOr    BinOp = "or"
	OpRegex BinOp = "matches regex"

	OpHas             BinOp = "has"
	OpNotHas          BinOp = "!has"
	OpHasCs           BinOp = "has_cs"
	OpNotHasCs        BinOp = "!has_cs"
	OpHasPrefix       BinOp = "hasprefix"
	OpNotHasPrefix    BinOp = "!hasprefix"
	OpHasPrefixCs     BinOp = "hasprefix_cs"
	OpNotHasPrefixCs  BinOp = "!hasprefix_cs"
	OpHasSuffix       BinOp = "hassuffix"
	OpNotHasSuffix    BinOp = "!hassuffix"
	OpHasSuffixCs     BinOp = "hassuffix_cs"
	OpNotHasSuffixCs  BinOp = "!hassuffix_cs"
	OpContains        BinOp = "contains"
	OpNotContains     BinOp = "!contains"
	OpContainsCs      BinOp = "contains_cs"
	OpNotContainsCs   BinOp = "!contains_cs"
	OpStartsWith      BinOp = "startswith"
	OpNotStartsWith   BinOp = "!startswith"
	OpStartsWithCs    BinOp = "startswith_cs"
	OpNotStartsWithCs BinOp = "!startswith_cs"
	OpEndsWith        BinOp = "endswith"
	OpNotEndsWith     BinOp = "!endswith"
	OpEndsWithCs      BinOp = "endswith_cs"
	OpNotEndsWithCs   BinOp = "!endswith_cs"

	// Set operators, used in InExpr.
	OpIn      BinOp = "in"
	OpNotIn   BinOp = "!in"
	OpInCI    BinOp = "in~"
	OpNotInCI BinOp = "!in~"
	OpHasAny  BinOp = "has_any"
	OpHasAll  BinOp = "has_all"
)

// Operator is a tabular operator in a pipeline.
type Operator interface {
	Node
	opNode()
}

// OpParam is a name=value parameter of an operator: kind=inner,
// hint.strategy=broadcast, withsource=Table, isfuzzy=true, bagexpansion=array.
type OpParam struct {
	Span
	Name  string
	Value Expr
}

// NamedExpr is an expression with an optional output name: Name = X, or
// (A, B) = X for functions that return several columns. Names is nil when
// the output name is implied (project Col, summarize count()).
type NamedExpr struct {
	Span
	Names []*Ident
	X     Expr
}

// SortKey is one key of sort, order and top: X [asc|desc] [nulls first|last].
// Empty Order and Nulls mean KQL's defaults (desc; nulls last for desc, first
// for asc).
type SortKey struct {
	Span
	X     Expr
	Order string // "", "asc", "desc"
	Nulls string // "", "first", "last"
}

// WhereOp is where Pred (also spelt filter).
type WhereOp struct {
	Span
	Pred Expr
}

// ProjectOp is project A, B = expr, …
type ProjectOp struct {
	Span
	Cols []*NamedExpr
}

// ProjectAwayOp is project-away A, B*, …
type ProjectAwayOp struct {
	Span
	Cols []*Ident
}

// ProjectKeepOp is project-keep A, B*, …
type ProjectKeepOp struct {
	Span
	Cols []*Ident
}

// ProjectRenameOp is project-rename New = Old, …
type ProjectRenameOp struct {
	Span
	Cols []*Rename
}

// Rename is New = Old in project-rename.
type Rename struct {
	Span
	New *Ident
	Old *Ident
}

// ProjectReorderOp is project-reorder A, B* asc, …
type ProjectReorderOp struct {
	Span
	Cols []*ReorderCol
}

// ReorderCol is one column pattern of project-reorder.
type ReorderCol struct {
	Span
	Name  *Ident
	Order string // "", "asc", "desc", "granny-asc", "granny-desc"
}

// ExtendOp is extend A = expr, …
type ExtendOp struct {
	Span
	Cols []*NamedExpr
}

// SummarizeOp is summarize [params] Aggs [by By].
type SummarizeOp struct {
	Span
	Params []*OpParam
	Aggs   []*NamedExpr
	By     []*NamedExpr
}

// CountOp is count: one row with column Count.
type CountOp struct {
	Span
}

// DistinctOp is distinct A, B (or distinct *).
type DistinctOp struct {
	Span
	Cols []Expr
}

// TakeOp is take N (also spelt limit).
type TakeOp struct {
	Span
	N Expr
}

// TopOp is top N by Key.
type TopOp struct {
	Span
	N  Expr
	By *SortKey
}

// SortOp is sort by Keys (also spelt order by).
type SortOp struct {
	Span
	By []*SortKey
}

// JoinOp is join [kind=…] [hints] Right on Keys. Each On entry is a column
// name (*Ident) or an equality $left.A == $right.B (*BinaryExpr). Right is
// kept as written: a name, a call, or a *ParenExpr around a pipeline (see
// Unparen).
type JoinOp struct {
	Span
	Params []*OpParam
	Right  Expr
	On     []Expr
}

// LookupOp is lookup [kind=leftouter|inner] Right on Keys.
type LookupOp struct {
	Span
	Params []*OpParam
	Right  Expr
	On     []Expr
}

// UnionOp is union used in a pipe: T | union [params] T2, T3.
type UnionOp struct {
	Span
	Params []*OpParam
	Tables []Expr
}

// MvExpandOp is mv-expand [params] Items [limit N].
type MvExpandOp struct {
	Span
	Params []*OpParam
	Items  []*MvItem
	Limit  Expr
}

// MvItem is one expanded column: [Name =] X [to typeof(T)].
type MvItem struct {
	Span
	Col    *NamedExpr
	ToType string
}

// MvApplyOp is mv-apply [params] Items on (Sub). Sub is the pipeline applied
// to each row's expanded items; its Source is nil.
type MvApplyOp struct {
	Span
	Params []*OpParam
	Items  []*MvItem
	Limit  Expr
	Sub    []Operator
}

// ParseOp is parse [kind=simple|regex|relaxed [flags=…]] X with Pattern, and
// parse-where when Where is set.
type ParseOp struct {
	Span
	Where   bool
	Params  []*OpParam
	X       Expr
	Pattern []ParsePart
}

// ParsePart is one element of a parse pattern: a string literal to match
// (Lit), a column to capture (Col), or * to skip anything (Star).
type ParsePart struct {
	Span
	Lit  *Literal
	Col  *ColumnDecl
	Star bool
}

// SerializeOp is serialize [A = expr, …].
type SerializeOp struct {
	Span
	Cols []*NamedExpr
}

// EvaluateOp is evaluate [params] plugin(args), such as bag_unpack(Col).
// Schema is the optional output schema: evaluate bag_unpack(d) : (A:string).
type EvaluateOp struct {
	Span
	Params []*OpParam
	Call   *CallExpr
	Schema []*ColumnDecl
}

// MakeSeriesOp is make-series Aggs on Axis [from From] [to To] step Step [by By].
type MakeSeriesOp struct {
	Span
	Params []*OpParam
	Aggs   []*SeriesAgg
	On     Expr
	From   Expr
	To     Expr
	Step   Expr
	By     []*NamedExpr
}

// SeriesAgg is one aggregate of make-series with its default= fill value.
type SeriesAgg struct {
	Span
	Agg     *NamedExpr
	Default Expr
}

// SearchOp is search used in a pipe: T | search [kind=…] Pred.
type SearchOp struct {
	Span
	Params []*OpParam
	Pred   Expr
}

// AsOp is as [hint.materialized=true] Name.
type AsOp struct {
	Span
	Params []*OpParam
	Name   *Ident
}

// RenderOp is render Chart [with (…)]; sleuth accepts and ignores it.
type RenderOp struct {
	Span
	Chart *Ident
	With  []*OpParam
}

// GetSchemaOp is getschema.
type GetSchemaOp struct {
	Span
}

// InvokeOp is invoke f(args): calls a tabular function with the pipe's input.
type InvokeOp struct {
	Span
	Call *CallExpr
}

// SampleOp is sample N.
type SampleOp struct {
	Span
	N Expr
}

func (*WhereOp) opNode()          {}
func (*ProjectOp) opNode()        {}
func (*ProjectAwayOp) opNode()    {}
func (*ProjectKeepOp) opNode()    {}
func (*ProjectRenameOp) opNode()  {}
func (*ProjectReorderOp) opNode() {}
func (*ExtendOp) opNode()         {}
func (*SummarizeOp) opNode()      {}
func (*CountOp) opNode()          {}
func (*DistinctOp) opNode()       {}
func (*TakeOp) opNode()           {}
func (*TopOp) opNode()            {}
func (*SortOp) opNode()           {}
func (*JoinOp) opNode()           {}
func (*LookupOp) opNode()         {}
func (*UnionOp) opNode()          {}
func (*MvExpandOp) opNode()       {}
func (*MvApplyOp) opNode()        {}
func (*ParseOp) opNode()          {}
func (*SerializeOp) opNode()      {}
func (*EvaluateOp) opNode()       {}
func (*MakeSeriesOp) opNode()     {}
func (*SearchOp) opNode()         {}
func (*AsOp) opNode()             {}
func (*RenderOp) opNode()         {}
func (*GetSchemaOp) opNode()      {}
func (*InvokeOp) opNode()         {}
func (*SampleOp) opNode()         {}
