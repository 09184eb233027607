package ingest

import (
	"fmt"
	"strings"
	"sync"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// srcKind says how a source's records decode.
type srcKind uint8

const (
	kindJSONRows srcKind = iota + 1 // JSON objects that are rows of a table
	kindCSVRows                     // CSV records that are rows of a table
	kindWinEvent                    // Windows events as JSON (OTRF flavours, evtx_dump, EVTX)
)

// source is one input being read.
type source struct {
	name  string
	kind  srcKind
	table *tableInfo // where rows go; nil routes each row by its Type column
	csv   *csvHeader
	clock *clock // used by the collector only
}

// csvHeader is a CSV source's header and its bindings per table.
type csvHeader struct {
	names []string
	delim byte
	route int // the Type or $table column, or -1

	mu    sync.Mutex
	binds map[*tableInfo][]fieldBinding
}

func (h *csvHeader) binding(ti *tableInfo) []fieldBinding {
	h.mu.Lock()
	defer h.mu.Unlock()
	if b, ok := h.binds[ti]; ok {
		return b
	}
	if h.binds == nil {
		h.binds = map[*tableInfo][]fieldBinding{}
	}
	b := make([]fieldBinding, len(h.names))
	for i, n := range h.names {
		b[i] = bindField(ti, n)
	}
	h.binds[ti] = b
	return b
}

// worker decodes chunks on one goroutine; its buffers are reused between
// records.
type worker struct {
	p      *pipeline
	d      flatDecoder
	ev     winEvent
	norm   *normaliser
	strs   interner
	mem    arena // the text and boxes of this worker's rows
	binds  map[*tableInfo]map[string]fieldBinding
	fields []string
	cols   *[colCacheSize]colCacheEntry // lent to each batch's row builder
}

func newWorker(p *pipeline) *worker {
	return &worker{p: p, norm: newNormaliser(p.tabs), binds: map[*tableInfo]map[string]fieldBinding{}}
}

func (w *worker) chunk(c *chunk) *batch {
	b := getBatch(c)
	b.last = c.last
	if w.cols == nil {
		w.cols = new([colCacheSize]colCacheEntry)
	}
	b.rb.cols, b.rb.mem = w.cols, &w.mem
	for i := range c.recs {
		w.record(c.src, &c.recs[i], b)
	}
	return b
}

// record decodes one record. A panic in a decoder is a bug, but it must not
// cost the other records: it becomes this record's error.
func (w *worker) record(src *source, rec *rawRecord, b *batch) {
	if rec.err != nil {
		b.readerError(rec.line, rec.err.at(src.name, rec.line), rec.stream)
		return
	}
	b.beginItem(rec.line)
	defer func() {
		if r := recover(); r != nil {
			b.open = false
			b.fail(&Error{Code: CodeBadRecord, File: src.name, Line: rec.line,
				Msg: fmt.Sprintf("internal error decoding this record: %v", r), Hint: "this is a bug in sleuth; please report it with the record"})
		}
	}()
	var err *Error
	switch src.kind {
	case kindJSONRows:
		err = w.jsonRow(src, rec.data, b)
	case kindCSVRows:
		err = w.csvRow(src, rec.data, b)
	case kindWinEvent:
		err = w.winEvent(rec.data, b)
	}
	if err != nil {
		b.fail(err.at(src.name, rec.line))
	}
}

// winEvent decodes and normalises one Windows event.
func (w *worker) winEvent(data []byte, b *batch) *Error {
	if err := w.d.decode(data); err != nil {
		return badJSON(err)
	}
	w.ev.reset(&w.strs, &w.mem)
	if err := decodeWinEvent(w.d.fields, &w.ev); err != nil {
		var ie *Error
		if e, ok := err.(*Error); ok {
			ie = e
		} else {
			ie = errorf(CodeBadRecord, "%v", err)
		}
		return ie
	}
	e := &w.ev
	w.norm.event(e, b)
	b.setTime(evTime{utc: e.utc, exact: e.exact, wall: e.wall, host: e.computer,
		anchor: !e.utc.IsZero() && !e.wall.IsZero() && e.eventID != 3})
	return nil
}

func badJSON(err error) *Error {
	if je, ok := err.(*jsonError); ok {
		return errorf(CodeBadRecord, "invalid JSON at byte %d: %s", je.off+1, je.msg)
	}
	return errorf(CodeBadRecord, "invalid JSON: %v", err)
}

// jsonRow maps one JSON object onto a table row.
func (w *worker) jsonRow(src *source, data []byte, b *batch) *Error {
	if err := w.d.decode(data); err != nil {
		return badJSON(err)
	}
	ti := src.table
	if ti == nil {
		var err *Error
		if ti, err = w.route(w.d.fields); err != nil {
			return err
		}
	}
	binds := w.binds[ti]
	if binds == nil {
		binds = map[string]fieldBinding{}
		w.binds[ti] = binds
	}
	r := b.row(ti)
	for i := range w.d.fields {
		f := &w.d.fields[i]
		bd, ok := binds[string(f.key)]
		if !ok {
			bd = bindField(ti, string(f.key))
			binds[string(f.key)] = bd
		}
		switch {
		case bd.drop || f.kind == jNull:
		case bd.addl:
			r.mergeAdditional([]byte(f.text(nil)), f.kind == jString)
		case bd.col < 0:
			r.extraRaw(view(f.key), f.raw)
		case bd.twin && r.vals[bd.col] != nil:
		case f.kind == jString:
			r.setText(bd.col, view(f.key), f.text(&w.mem))
		default:
			r.setJSON(bd.col, view(f.key), f.raw)
		}
	}
	w.fillTime(r)
	b.end()
	return nil
}

// route finds the table a row names in its Type (or $table) member.
func (w *worker) route(fields []jfield) (*tableInfo, *Error) {
	for i := range fields {
		k := string(fields[i].key)
		if k != "Type" && k != "$table" {
			continue
		}
		name := fields[i].text(nil)
		if ti := w.p.tabs.fold(name); ti != nil {
			return ti, nil
		}
		return nil, errorf(CodeUnknownTable, "the row's %s %q is not a catalog table", k, clip(name, 60)).
			withHint("pass --table to choose the table")
	}
	return nil, errorf(CodeNoTable, "the row names no table (no Type column)").
		withHint("pass --table to choose the table")
}

// csvRow maps one CSV record onto a table row.
func (w *worker) csvRow(src *source, data []byte, b *batch) *Error {
	h := src.csv
	w.fields = splitCSV(data, h.delim, w.fields, &w.mem)
	if len(w.fields) != len(h.names) {
		return errorf(CodeBadRecord, "the record has %d fields, the header has %d", len(w.fields), len(h.names)).
			withHint("check the quoting of this line; a field with the delimiter or a line break must be quoted")
	}
	ti := src.table
	if ti == nil {
		name := w.fields[h.route]
		if ti = w.p.tabs.fold(name); ti == nil {
			return errorf(CodeUnknownTable, "the row's %s %q is not a catalog table", h.names[h.route], clip(name, 60)).
				withHint("pass --table to choose the table")
		}
	}
	binds := h.binding(ti)
	r := b.row(ti)
	for i, v := range w.fields {
		bd := binds[i]
		switch {
		case bd.drop || v == "":
		case bd.addl:
			r.mergeAdditional([]byte(v), true)
		case bd.col < 0:
			r.extraString(h.names[i], v)
		case bd.twin && r.vals[bd.col] != nil:
		default:
			r.setText(bd.col, h.names[i], v)
		}
	}
	w.fillTime(r)
	b.end()
	return nil
}

// fillTime gives a row without TimeGenerated one: the first time the row
// itself has (a column with the time role, then Timestamp, then any other
// datetime column, in catalog order), else the ingestion time, as Log
// Analytics does.
func (w *worker) fillTime(r *rowBuilder) {
	tg := r.col("TimeGenerated")
	if tg < 0 || r.vals[tg] != nil {
		return
	}
	cols := r.ti.t.Columns
	pick := func(ok func(c catalog.Column) bool) bool {
		for i, c := range cols {
			if i != tg && c.Type == catalog.Datetime && r.vals[i] != nil && ok(c) {
				r.vals[tg] = r.vals[i]
				return true
			}
		}
		return false
	}
	if pick(func(c catalog.Column) bool { return c.Role == catalog.RoleTime }) ||
		pick(func(c catalog.Column) bool { return c.Name == "Timestamp" }) ||
		pick(func(catalog.Column) bool { return true }) {
		return
	}
	r.vals[tg] = r.mem.time(w.p.opt.Now)
}

// fieldBinding says where one exported field goes in a table.
type fieldBinding struct {
	col  int  // column index, or -1 for AdditionalFields
	drop bool // a pandas index column or the $table routing column
	addl bool // the record's own AdditionalFields, merged
	twin bool // X_string next to X_dynamic: fills X only when X is empty
}

// bindField matches an exported field name to a column: exactly, then
// ignoring case, after removing the decorations exports add (" [UTC]",
// "_dynamic", "_string").
func bindField(ti *tableInfo, raw string) fieldBinding {
	name := cleanFieldName(raw)
	switch {
	case name == "" || name == "$table":
		return fieldBinding{col: -1, drop: true}
	case strings.EqualFold(name, "AdditionalFields") && ti.addl >= 0:
		return fieldBinding{col: -1, addl: true}
	}
	if c, ok := ti.t.ColumnFold(name); ok {
		return fieldBinding{col: ti.t.ColumnIndex(c.Name)}
	}
	if alias, ok := exportAliases[name]; ok {
		if i := ti.t.ColumnIndex(alias); i >= 0 {
			return fieldBinding{col: i, twin: true}
		}
	}
	for _, suffix := range []string{"_dynamic", "_string"} {
		if len(name) > len(suffix) && strings.EqualFold(name[len(name)-len(suffix):], suffix) {
			if c, ok := ti.t.ColumnFold(name[:len(name)-len(suffix)]); ok {
				return fieldBinding{col: ti.t.ColumnIndex(c.Name), twin: suffix == "_string"}
			}
		}
	}
	return fieldBinding{col: -1}
}

// exportAliases map the field names of the raw Defender for Endpoint sensor
// export (CreatedProcess*, ComputerDnsName, ReportTime, …) to the columns of
// the advanced hunting tables. An alias applies only when the table has the
// column and no field of the column's own name is present.
var exportAliases = map[string]string{
	"ComputerDnsName":                           "DeviceName",
	"MachineId":                                 "DeviceId",
	"ReportTime":                                "Timestamp",
	"ReportIndex":                               "ReportId",
	"CreatedProcessName":                        "FileName",
	"CreatedProcessFilePath":                    "FolderPath",
	"CreatedProcessCommandLine":                 "ProcessCommandLine",
	"CreatedProcessId":                          "ProcessId",
	"CreatedProcessCreationTime":                "ProcessCreationTime",
	"CreatedProcessIntegrityLevel":              "ProcessIntegrityLevel",
	"CreatedProcessTokenElevationType":          "ProcessTokenElevation",
	"CreatedProcessAccountName":                 "AccountName",
	"CreatedProcessAccountDomainName":           "AccountDomain",
	"CreatedProcessAccountSid":                  "AccountSid",
	"CreatedProcessAccountUpn":                  "AccountUpn",
	"CreatedProcessAccountAzureADId":            "AccountObjectId",
	"CreatedProcessFileMd5":                     "MD5",
	"CreatedProcessFileSha1":                    "SHA1",
	"CreatedProcessFileSha256":                  "SHA256",
	"CreatedProcessFileSize":                    "FileSize",
	"CreatedProcessVersionInfoCompanyName":      "ProcessVersionInfoCompanyName",
	"CreatedProcessVersionInfoProductName":      "ProcessVersionInfoProductName",
	"CreatedProcessVersionInfoProductVersion":   "ProcessVersionInfoProductVersion",
	"CreatedProcessVersionInfoInternalFileName": "ProcessVersionInfoInternalFileName",
	"CreatedProcessVersionInfoOriginalFileName": "ProcessVersionInfoOriginalFileName",
	"CreatedProcessVersionInfoFileDescription":  "ProcessVersionInfoFileDescription",
	"InitiatingProcessName":                     "InitiatingProcessFileName",
	"InitiatingProcessImageMd5":                 "InitiatingProcessMD5",
	"InitiatingProcessImageSha1":                "InitiatingProcessSHA1",
	"InitiatingProcessImageSha256":              "InitiatingProcessSHA256",
	"InitiatingProcessImageFileSizeInBytes":     "InitiatingProcessFileSize",
	"InitiatingProcessAccountDomainName":        "InitiatingProcessAccountDomain",
	"InitiatingProcessParentProcessId":          "InitiatingProcessParentId",
	"InitiatingProcessParentProcessName":        "InitiatingProcessParentFileName",
}

// cleanFieldName removes what exports add to column names: a byte-order
// mark, surrounding space, and a bracketed unit such as " [UTC]".
func cleanFieldName(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))
	if i := strings.LastIndex(s, " ["); i > 0 && strings.HasSuffix(s, "]") {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
