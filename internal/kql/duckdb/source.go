package duckdb

import (
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// datatable is a VALUES list with every value cast to its column's type.
func (c *compiler) datatable(x *kql.DatatableExpr) *rel {
	cols := c.schemaCols(x)
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = quoteIdent(col.Name)
	}
	if len(x.Values) == 0 || len(cols) == 0 {
		sel := make([]string, len(cols))
		for i, col := range cols {
			sel[i] = nullOf(col.Type) + " AS " + names[i]
		}
		return c.stage("datatable", "SELECT "+join(sel)+" WHERE FALSE", cols)
	}
	var rows []string
	for i := 0; i+len(cols) <= len(x.Values); i += len(cols) {
		vals := make([]string, len(cols))
		for j, col := range cols {
			vals[j] = c.constAs(x.Values[i+j], col.Type)
		}
		rows = append(rows, "("+join(vals)+")")
	}
	sql := "SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") AS t(" + join(names) + ")"
	return c.stage("datatable", sql, cols)
}

// constAs renders a constant as a value of type t.
func (c *compiler) constAs(e kql.Expr, t catalog.Type) string {
	v := c.expr(e, ectx{})
	if l, ok := unparen(e).(*kql.Literal); ok {
		if l.Value == nil {
			return nullOf(t)
		}
		if l.Type == t {
			return v
		}
	}
	return "CAST(" + v + " AS " + sqlType(t) + ")"
}

func (c *compiler) print(x *kql.PrintExpr) *rel {
	sel := make([]string, len(x.Cols))
	for i, ne := range x.Cols {
		sel[i] = c.nonNull(c.expr(ne.X, ectx{}), ne.X) + " AS " + quoteIdent(c.ch.Names(ne)[0])
	}
	return c.stage("print", "SELECT "+join(sel), c.schemaCols(x))
}

// rangeSource generates from..to (inclusive) by step.
func (c *compiler) rangeSource(x *kql.RangeExpr) *rel {
	cols := c.schemaCols(x)
	name := quoteIdent(cols[0].Name)
	from, to, step := c.expr(x.From, ectx{}), c.expr(x.To, ectx{}), c.expr(x.Step, ectx{})
	var sql string
	// The generate_series table function streams its rows, so a take after
	// a long range stops early.
	switch cols[0].Type {
	case catalog.Datetime:
		sql = "SELECT generate_series AS " + name + " FROM generate_series(" + from + ", " + to + ", " + step + ")"
	case catalog.Long, catalog.Int:
		sql = "SELECT generate_series AS " + name + " FROM generate_series(" + c.asLong(x.From) + ", " + c.asLong(x.To) + ", " + c.asLong(x.Step) + ")"
	case catalog.Timespan:
		sql = "SELECT to_microseconds(generate_series) AS " + name + " FROM generate_series(epoch_us(" + from + "), epoch_us(" + to + "), epoch_us(" + step + "))"
	default:
		sql = "SELECT CAST(" + from + " AS DOUBLE) + i * CAST(" + step + " AS DOUBLE) AS " + name +
			" FROM range(0, CAST(floor((CAST(" + to + " AS DOUBLE) - " + from + ") / " + step + ") AS BIGINT) + 1) AS t(i)"
	}
	return c.stage("range", sql, cols)
}

// asLong lowers an integer bound of range as a BIGINT.
func (c *compiler) asLong(e kql.Expr) string {
	if l, ok := unparen(e).(*kql.Literal); ok && l.Value != nil {
		return numLit(l.Value, catalog.Long, false)
	}
	v := c.expr(e, ectx{})
	if c.typ(e) == catalog.Long {
		return v
	}
	return "CAST(" + v + " AS BIGINT)"
}
