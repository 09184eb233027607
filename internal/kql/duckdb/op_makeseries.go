package duckdb

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/kql/check"
)

// makeSeries aggregates into bins of the axis, fills the bins without rows
// with the default, and collects each group's values (and the axis) into
// arrays ordered along the axis. Without from/to the axis spans the data.
func (c *compiler) makeSeries(x *kql.MakeSeriesOp, in *rel) *rel {
	info := c.ch.Info(x).(*check.MakeSeriesInfo)
	ex := ectx{}
	on := c.expr(info.On, ex)
	step := c.expr(info.Step, ex)
	dt := info.Axis.Type == catalog.Datetime || info.Axis.Type == catalog.Timespan
	// Bins are computed in microseconds (time axes) or as numbers.
	toNum := func(v string) string {
		if dt {
			return "epoch_us(" + v + ")"
		}
		return "CAST(" + v + " AS DOUBLE)"
	}
	stepN := "epoch_us(" + step + ")"
	if !dt {
		stepN = "CAST(" + step + " AS DOUBLE)"
	}
	from := "(SELECT min(" + toNum(on) + ") FROM " + in.name + ")"
	if info.From != nil {
		from = toNum(c.expr(info.From, ex))
	}
	to := "(SELECT max(" + toNum(on) + ") FROM " + in.name + ") + " + stepN
	if info.To != nil {
		to = toNum(c.expr(info.To, ex))
	}
	var keys, keyNames []string
	for _, k := range info.Keys {
		keys = append(keys, c.nonNull(c.expr(k.Expr, ex), k.Expr)+" AS "+quoteIdent(k.Name))
		keyNames = append(keyNames, quoteIdent(k.Name))
	}
	bounds := c.stage("make-series (axis)", "SELECT "+from+" AS \"__from\", "+to+" AS \"__to\", "+stepN+" AS \"__step\"", nil)
	binExpr := "(" + toNum(on) + " - b.\"__from\") // b.\"__step\""
	if !dt {
		binExpr = "CAST(floor((" + toNum(on) + " - b.\"__from\") / b.\"__step\") AS BIGINT)"
	}
	var aggs []string
	for i, a := range info.Aggs {
		aggs = append(aggs, c.expr(a.Expr, ex)+" AS \"__v"+itoa(i)+"\"")
	}
	groupSel := append(append([]string(nil), keys...), binExpr+" AS \"__bin\"")
	groupSel = append(groupSel, aggs...)
	ord := make([]string, len(keys)+1)
	for i := range ord {
		ord[i] = itoa(i + 1)
	}
	binned := c.stage("make-series (bins)", "SELECT "+join(groupSel)+" FROM "+in.name+", "+bounds.name+" AS b WHERE "+toNum(on)+" >= b.\"__from\" AND "+toNum(on)+" < b.\"__to\" GROUP BY "+join(ord), nil)
	groups := "SELECT DISTINCT " + join(keys) + " FROM " + in.name
	if len(keys) == 0 {
		groups = "SELECT DISTINCT 1 AS \"__one\" FROM " + in.name
	}
	grp := c.stage("make-series (groups)", groups, nil)
	nbins := "CAST(ceil((b.\"__to\" - b.\"__from\") / CAST(b.\"__step\" AS DOUBLE)) AS BIGINT)"
	grid := c.stage("make-series (grid)", "SELECT g.*, unnest(range("+nbins+")) AS \"__bin\" FROM "+grp.name+" AS g, "+bounds.name+" AS b", nil)
	var onKeys []string
	for _, k := range keyNames {
		onKeys = append(onKeys, "g."+k+" IS NOT DISTINCT FROM v."+k)
	}
	onKeys = append(onKeys, "g.\"__bin\" = v.\"__bin\"")
	var sel []string
	for _, k := range keyNames {
		sel = append(sel, "g."+k)
	}
	for i, a := range info.Aggs {
		def := "0"
		if a.Default != nil {
			def = c.expr(a.Default, ex)
		}
		v := "coalesce(v.\"__v" + itoa(i) + "\", " + def + ")"
		sel = append(sel, "to_json(list("+v+" ORDER BY g.\"__bin\")) AS "+quoteIdent(a.Name))
	}
	axis := "b.\"__from\" + g.\"__bin\" * b.\"__step\""
	switch info.Axis.Type {
	case catalog.Datetime:
		axis = "kql_datetime_json(make_timestamp(CAST(" + axis + " AS BIGINT)))"
	case catalog.Timespan:
		axis = "kql_timespan_str(to_microseconds(CAST(" + axis + " AS BIGINT)))"
	case catalog.Long, catalog.Int:
		axis = "CAST(" + axis + " AS BIGINT)"
	}
	sel = append(sel, "to_json(list("+axis+" ORDER BY g.\"__bin\")) AS "+quoteIdent(info.Axis.Name))
	var gb []string
	for i := range keyNames {
		gb = append(gb, itoa(i+1))
	}
	sql := "SELECT " + join(sel) + " FROM " + grid.name + " AS g CROSS JOIN " + bounds.name + " AS b LEFT JOIN " + binned.name + " AS v ON " + join2(onKeys, " AND ")
	if len(gb) > 0 {
		sql += " GROUP BY " + join(gb)
	}
	if len(keyNames) == 0 {
		sql += " HAVING count(*) > 0"
	}
	return c.stage("make-series", sql, c.schemaCols(x))
}

func join2(parts []string, sep string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += sep
		}
		s += p
	}
	return s
}
