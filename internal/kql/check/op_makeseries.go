package check

import (
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// MakeSeriesInfo is the resolution of make-series.
type MakeSeriesInfo struct {
	Keys []KeyCol
	Aggs []SeriesAggInfo
	// Axis is the axis column's output name and element type.
	Axis               Column
	On, From, To, Step kql.Expr
}

// SeriesAggInfo is one aggregate series.
type SeriesAggInfo struct {
	Name    string
	Type    catalog.Type // of the elements
	Expr    kql.Expr     // the aggregate expression
	Default kql.Expr     // fill value; nil means 0
}

// makeSeries outputs the by columns, one dynamic array per aggregate, and
// the axis as a dynamic array, as Kusto does.
func (c *checker) makeSeries(x *kql.MakeSeriesOp, in *Schema, sc *scope) *Schema {
	info := &MakeSeriesInfo{}
	out := &Schema{}
	taken := func(n string) bool { return out.Index(n) >= 0 }
	nm := &namer{taken: taken}
	r := sc.rowScope(in)
	x.On = c.expr(x.On, r)
	axisT := c.typeOf(x.On)
	if axisT != Unknown && axisT != catalog.Datetime && axisT != catalog.Timespan && !axisT.Numeric() {
		c.errorf(kql.CodeTypeMismatch, x.On, "", "the axis of make-series must be a datetime, timespan or number, found %s", axisT)
	}
	cs := newScope(sc)
	for _, e := range []*kql.Expr{&x.From, &x.To, &x.Step} {
		if *e != nil {
			*e = c.expr(*e, cs)
		}
	}
	if x.Step == nil {
		c.errorf(kql.CodeSyntax, x, "add step 1h (or another bin size)", "make-series needs a step")
	}
	info.On, info.From, info.To, info.Step = x.On, x.From, x.To, x.Step
	for _, ne := range x.By {
		ne.X = c.expr(ne.X, r)
		names := c.itemNames(ne, nm)
		c.out.names[ne] = names
		out.Columns = append(out.Columns, Column{Name: names[0], Type: c.typeOf(ne.X)})
		info.Keys = append(info.Keys, KeyCol{Name: names[0], Type: c.typeOf(ne.X), Expr: ne.X})
	}
	ra := sc.rowScope(in)
	ra.agg = true
	for _, sa := range x.Aggs {
		item := c.aggItem(sa.Agg, in, ra, nil, nm)
		if item == nil {
			continue
		}
		if item.Multi {
			c.errorf(kql.CodeUnsupported, sa.Agg, "use a numeric aggregate such as count(), sum(X) or avg(X)", "make-series needs aggregates with one numeric result")
			continue
		}
		if sa.Default != nil {
			sa.Default = c.expr(sa.Default, cs)
		}
		name := unique(item.Cols[0].Name, taken)
		c.out.names[sa.Agg] = []string{name}
		out.Columns = append(out.Columns, Column{Name: name, Type: catalog.Dynamic})
		info.Aggs = append(info.Aggs, SeriesAggInfo{Name: name, Type: item.Cols[0].Type, Expr: sa.Agg.X, Default: sa.Default})
	}
	axisName := autoName(x.On)
	if axisName == "" {
		axisName = nm.next()
	}
	axisName = unique(axisName, taken)
	info.Axis = Column{Name: axisName, Type: axisT}
	out.Columns = append(out.Columns, Column{Name: axisName, Type: catalog.Dynamic})
	c.out.info[x] = info
	return out
}
