package kql

// project parses project A, B = expr, (C, D) = f(…).
func (p *parser) project() Operator {
	return &ProjectOp{Cols: p.namedList()}
}

// projectRename parses project-rename New = Old, ….
func (p *parser) projectRename() Operator {
	op := &ProjectRenameOp{}
	for {
		start := p.tok().start
		nw := p.name("the new column name")
		p.expect("=", " between the new and the old name")
		old := p.name("the column to rename")
		op.Cols = append(op.Cols, &Rename{Span: Span{start, p.prevEnd()}, New: nw, Old: old})
		if !p.accept(",") {
			return op
		}
	}
}

// projectReorder parses project-reorder A, B* asc, C granny-desc.
func (p *parser) projectReorder() Operator {
	op := &ProjectReorderOp{}
	for {
		start := p.tok().start
		c := &ReorderCol{Name: p.wildName("a column to reorder")}
		if t := p.tok(); t.is("asc") || t.is("desc") {
			c.Order = p.next().text
		} else if t.is("granny") && p.adjacent() && p.peek(1).is("-") {
			if order := p.opName(); order == "granny-asc" || order == "granny-desc" {
				c.Order = order
			} else {
				p.failf(Span{t.start, p.prevEnd()}, "", "expected granny-asc or granny-desc, found '%s'", order)
			}
		}
		c.Span = Span{start, p.prevEnd()}
		op.Cols = append(op.Cols, c)
		if !p.accept(",") {
			return op
		}
	}
}

func (w *printer) project(o *ProjectOp) {
	w.str("project ")
	w.namedList(o.Cols)
}

func (w *printer) projectAway(o *ProjectAwayOp) {
	w.str("project-away ")
	list(w, o.Cols, w.wildIdent)
}

func (w *printer) projectKeep(o *ProjectKeepOp) {
	w.str("project-keep ")
	list(w, o.Cols, w.wildIdent)
}

func (w *printer) projectRename(o *ProjectRenameOp) {
	w.str("project-rename ")
	list(w, o.Cols, func(r *Rename) { w.part(r) })
}

func (w *printer) projectReorder(o *ProjectReorderOp) {
	w.str("project-reorder ")
	list(w, o.Cols, w.reorderCol)
}

func (w *printer) reorderCol(c *ReorderCol) {
	w.wildIdent(c.Name)
	if c.Order != "" {
		w.str(" " + c.Order)
	}
}
