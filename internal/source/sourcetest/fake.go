// Package sourcetest provides a source.Source for tests of the layers
// above the sources (the HTTP endpoint, the CLI): a table scan over rows
// held in memory that honours the time window and the row cap, answers
// schema discovery, and records every call.
package sourcetest

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// Call is one recorded Query call.
type Call struct {
	Text    string
	Options source.Options
}

// Fake is an in-memory source. Queries are checked against Cat like any
// source's; a query reading table T returns the rows of Tables[T] within
// the window, up to the query's final take and the row cap, whatever
// else it says (it is a scan, not an engine). A query containing getschema returns Cat's schema in the shape
// of source.SchemaQuery.
type Fake struct {
	FakeName string
	Cat      *catalog.Catalog
	Tables   map[string]*rows.Set
	// Err, when set, is returned by every Query after checking.
	Err error
	// Warnings are added to every result.
	Warnings []string
	// Delay is waited (or the context's end) before answering.
	Delay time.Duration

	mu    sync.Mutex
	calls []Call
}

// Calls returns the calls made so far.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

func (f *Fake) Name() string     { return f.FakeName }
func (f *Fake) Kind() string     { return "fake" }
func (f *Fake) Endpoint() string { return "memory" }
func (f *Fake) Close() error     { return nil }

// Catalog returns Cat.
func (f *Fake) Catalog(context.Context) (*catalog.Catalog, error) { return f.Cat, nil }

// Query checks q and scans the table it reads.
func (f *Fake) Query(ctx context.Context, q *kql.Query, opt source.Options) (*source.Result, error) {
	p, err := source.Prepare(q, opt, source.PrepareOptions{Catalog: f.Cat})
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.calls = append(f.calls, Call{Text: p.Text, Options: opt})
	f.mu.Unlock()
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-ctx.Done():
			return nil, source.TransportError(ctx, f.FakeName, ctx.Err())
		}
	}
	if f.Err != nil {
		return nil, f.Err
	}
	res := &source.Result{Text: p.Text, Warnings: append(append([]string(nil), p.Warnings...), f.Warnings...)}
	if strings.Contains(p.Text, "getschema") {
		res.Set = f.schema()
	} else {
		res.Set = f.scan(firstTable(p.Query, f.Cat), opt)
		if n := finalTake(p.Query); n >= 0 && len(res.Set.Rows) > n {
			res.Set.Rows = res.Set.Rows[:n]
		}
	}
	p.Cap(res.Set, &res.Warnings)
	res.Stats = source.Stats{Requests: 1, Rows: len(res.Set.Rows)}
	return res, nil
}

func (f *Fake) schema() *rows.Set {
	set := &rows.Set{Columns: []rows.Column{
		{Name: "TableName", Type: catalog.String}, {Name: "ColumnName", Type: catalog.String},
		{Name: "ColumnOrdinal", Type: catalog.Int}, {Name: "ColumnType", Type: catalog.String},
	}}
	for _, t := range f.Cat.Tables() {
		for i, c := range t.Columns {
			set.Rows = append(set.Rows, []any{t.Name, c.Name, int64(i), string(c.Type)})
		}
	}
	return set
}

func (f *Fake) scan(table string, opt source.Options) *rows.Set {
	src := f.Tables[table]
	if src == nil {
		return &rows.Set{}
	}
	out := &rows.Set{Columns: src.Columns}
	tg := src.Index("TimeGenerated")
	for _, r := range src.Rows {
		if tg >= 0 && opt.Windowed() {
			t, _ := r[tg].(time.Time)
			if (!opt.Start.IsZero() && t.Before(opt.Start)) || (!opt.End.IsZero() && !t.Before(opt.End)) {
				continue
			}
		}
		out.Rows = append(out.Rows, r)
	}
	return out
}

// finalTake returns the count of a take ending the query, or -1.
func finalTake(q *kql.Query) int {
	st, ok := q.Stmts[len(q.Stmts)-1].(*kql.ExprStmt)
	if !ok {
		return -1
	}
	p, ok := st.X.(*kql.PipeExpr)
	if !ok || len(p.Ops) == 0 {
		return -1
	}
	if t, ok := p.Ops[len(p.Ops)-1].(*kql.TakeOp); ok {
		if l, ok := t.N.(*kql.Literal); ok {
			if n, ok := l.Value.(int64); ok {
				return int(n)
			}
		}
	}
	return -1
}

// firstTable returns the first catalog table the query names.
func firstTable(q *kql.Query, cat *catalog.Catalog) string {
	name := ""
	kql.Walk(q, func(n kql.Node) bool {
		if id, ok := n.(*kql.Ident); ok && name == "" {
			if _, ok := cat.Table(id.Name); ok {
				name = id.Name
			}
		}
		return name == ""
	})
	return name
}
