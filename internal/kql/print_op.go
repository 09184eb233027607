package kql

// op prints one tabular operator.
func (w *printer) op(o Operator) {
	switch o := o.(type) {
	case *WhereOp:
		w.where(o)
	case *ProjectOp:
		w.project(o)
	case *ProjectAwayOp:
		w.projectAway(o)
	case *ProjectKeepOp:
		w.projectKeep(o)
	case *ProjectRenameOp:
		w.projectRename(o)
	case *ProjectReorderOp:
		w.projectReorder(o)
	case *ExtendOp:
		w.extend(o)
	case *SummarizeOp:
		w.summarize(o)
	case *CountOp:
		w.str("count")
	case *DistinctOp:
		w.distinct(o)
	case *TakeOp:
		w.take(o)
	case *TopOp:
		w.top(o)
	case *SortOp:
		w.sort(o)
	case *JoinOp:
		w.join(o)
	case *LookupOp:
		w.lookup(o)
	case *UnionOp:
		w.unionOp(o)
	case *MvExpandOp:
		w.mvExpand(o)
	case *MvApplyOp:
		w.mvApply(o)
	case *ParseOp:
		w.parse(o)
	case *SerializeOp:
		w.serialize(o)
	case *EvaluateOp:
		w.evaluate(o)
	case *MakeSeriesOp:
		w.makeSeries(o)
	case *SearchOp:
		w.searchOp(o)
	case *AsOp:
		w.as(o)
	case *RenderOp:
		w.render(o)
	case *GetSchemaOp:
		w.str("getschema")
	case *InvokeOp:
		w.invoke(o)
	case *SampleOp:
		w.sample(o)
	}
}

// tabular prints the expressions that only occur as tabular sources.
func (w *printer) tabular(e Expr) {
	switch e := e.(type) {
	case *PipeExpr:
		w.pipe(e)
	case *FuncExpr:
		w.funcExpr(e)
	case *DatatableExpr:
		w.datatable(e)
	case *ExternalDataExpr:
		w.externalData(e)
	case *UnionExpr:
		w.unionExpr(e)
	case *PrintExpr:
		w.printExpr(e)
	case *RangeExpr:
		w.rangeExpr(e)
	case *SearchExpr:
		w.searchExpr(e)
	}
}

func (w *printer) pipe(e *PipeExpr) {
	sep := " | "
	if w.pretty && w.nested == 0 {
		sep = "\n| "
	}
	w.expr(e.Source, precPipe)
	for _, op := range e.Ops {
		w.str(sep)
		w.op(op)
	}
}

func (w *printer) funcExpr(f *FuncExpr) {
	w.nested++
	w.str("(")
	list(w, f.Params, w.funcParam)
	w.str(") { ")
	w.stmts(f.Body, "; ")
	w.str(" }")
	w.nested--
}

func (w *printer) funcParam(prm *Param) {
	w.ident(prm.Name)
	w.str(":")
	switch {
	case prm.Star:
		w.str("(*)")
	case prm.Type == "":
		w.str("(")
		list(w, prm.Columns, w.columnDecl)
		w.str(")")
	default:
		w.str(prm.Type)
	}
	if prm.Default != nil {
		w.str(" = ")
		w.expr(prm.Default, precOr)
	}
}
