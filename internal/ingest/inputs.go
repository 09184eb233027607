package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The reader goroutine: it walks the paths, opens archives, sniffs each
// stream's format and cuts it into chunks for the decoders.

type reader struct {
	p   *pipeline
	seq uint64
}

// maxNesting bounds archives inside archives.
const maxNesting = 4

func (p *pipeline) read(paths []string) {
	rd := &reader{p: p}
	defer close(p.chunks)
	p.totalBytes.Store(totalSize(paths))
	for _, path := range paths {
		if p.ctx.Err() != nil {
			return
		}
		rd.path(path)
	}
}

// totalSize adds up the sizes of the files under paths, for progress.
func totalSize(paths []string) int64 {
	var n int64
	for _, path := range paths {
		if path == "-" {
			continue
		}
		_ = filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if info, err := d.Info(); err == nil {
					n += info.Size()
				}
			}
			return nil
		})
	}
	return n
}

func (rd *reader) path(path string) {
	if path == "-" {
		if rd.p.opt.Stdin == nil {
			rd.fileError("stdin", errorf(CodeRead, "no standard input"))
			return
		}
		rd.p.sum.Files++
		rd.stream("stdin", &countReader{r: rd.p.opt.Stdin, total: &rd.p.readBytes}, nil, true, 0)
		return
	}
	info, err := os.Stat(path)
	if err != nil {
		rd.fileError(path, &Error{Code: CodeRead, Msg: "cannot open", Err: unwrapPathError(err)})
		return
	}
	if !info.IsDir() {
		rd.file(path, true)
		return
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			rd.fileError(p, &Error{Code: CodeRead, Msg: "cannot read", Err: unwrapPathError(err)})
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		rd.fileError(path, &Error{Code: CodeRead, Msg: "cannot walk the directory", Err: err})
	}
	sort.Strings(files)
	for _, f := range files {
		if rd.p.ctx.Err() != nil {
			return
		}
		rd.file(f, false)
	}
}

// file reads one file; explicit files were named by the user, so content
// we cannot read is an error rather than something to pass over.
func (rd *reader) file(path string, explicit bool) {
	f, err := os.Open(path)
	if err != nil {
		rd.fileError(path, &Error{Code: CodeRead, Msg: "cannot open", Err: unwrapPathError(err)})
		return
	}
	defer f.Close()
	rd.p.sum.Files++
	rd.stream(path, &countReader{r: f, total: &rd.p.readBytes}, f, explicit, 0)
}

// stream sniffs r and reads it as whatever it is. file is the open file
// when r reads a whole file from its start, so zip and EVTX need no spool.
func (rd *reader) stream(name string, r io.Reader, file *os.File, explicit bool, depth int) {
	rd.p.curFile.Store(&name)
	br := bufio.NewReaderSize(r, 1<<20)
	if be, ok := utf16BOM(br); ok {
		br = bufio.NewReaderSize(newUTF16Reader(br, be), 1<<20)
		file = nil
	}
	kind := sniff(br)
	if depth >= maxNesting && (kind == sniffGzip || kind == sniffZip || kind == sniffTar) {
		rd.fileError(name, errorf(CodeTooLarge, "archives nested more than %d deep", maxNesting))
		return
	}
	switch kind {
	case sniffEmpty:
		if explicit {
			rd.fileError(name, errorf(CodeEmpty, "the input is empty"))
		} else {
			rd.ignore(name, "it is empty")
		}
	case sniffGzip:
		rd.gzip(name, br, explicit, depth)
	case sniffZip:
		rd.zip(name, br, file, depth)
	case sniffTar:
		rd.tar(name, br, depth)
	case sniffOtherCompression:
		rd.fileError(name, errorf(CodeUnknownFormat, "compressed with a format sleuth does not read").
			withHint("decompress it first; sleuth reads .gz, .zip, .tar and .tar.gz"))
	default:
		rd.leaf(name, br, file, kind, explicit)
	}
}

// leaf reads a stream that is not an archive, honouring --input-format.
func (rd *reader) leaf(name string, br *bufio.Reader, file *os.File, kind sniffed, explicit bool) {
	switch rd.p.opt.Format {
	case FormatNDJSON, FormatJSON:
		kind = sniffJSON
	case FormatCSV:
		kind = sniffCSV
	case FormatOTRF:
		kind = sniffJSON
	case FormatEVTX:
		if kind != sniffEVTX {
			rd.fileError(name, errorf(CodeUnknownFormat, "not an EVTX file (no ElfFile header)"))
			return
		}
	}
	switch kind {
	case sniffEVTX:
		rd.evtx(name, br, file)
	case sniffJSON:
		rd.json(name, br, explicit)
	case sniffCSV:
		rd.csv(name, br, explicit)
	default:
		if !explicit {
			rd.ignore(name, "it is not a log format sleuth reads")
			return
		}
		rd.fileError(name, errorf(CodeUnknownFormat, "not JSON, NDJSON, CSV, EVTX or an archive of them").
			withHint("name the format with --input-format if sniffing got it wrong"))
	}
}

// json reads a JSON stream as Windows events or as rows of a table,
// whichever its first record is.
func (rd *reader) json(name string, br *bufio.Reader, explicit bool) {
	skipBOM(br)
	src := newSource(name)
	first, ok := firstRecord(br)
	isTable := func(s string) bool { return rd.p.tabs.fold(s) != nil }
	switch {
	case rd.p.opt.Format == FormatOTRF || (rd.p.opt.Format == FormatAuto && ok && looksLikeWinEvent(first, isTable)):
		src.kind = kindWinEvent
		if rd.p.opt.Table != "" && rd.p.opt.Format == FormatAuto {
			rd.p.opt.Notice(name + ": Windows event log; --table ignored, events are normalised into the Windows and Defender tables")
		}
	default:
		src.kind = kindJSONRows
		if !rd.rowsTarget(src, explicit, ok && namesTable(first, isTable)) {
			return
		}
	}
	rd.records(src, newJSONSplitter(br, rd.p.opt.MaxRecord))
}

// rowsTarget sets where a rows source goes: --table, or each row's Type.
// It reports false (having reported why) when neither is available.
func (rd *reader) rowsTarget(src *source, explicit, routable bool) bool {
	if rd.p.opt.Table != "" {
		src.table = rd.p.tabs.fold(rd.p.opt.Table)
		return true
	}
	if routable {
		return true
	}
	err := errorf(CodeNoTable, "rows of an unknown table: no --table and no Type column").
		withHint("pass --table NAME (see 'sleuth tables') to say which table these rows belong to")
	if !explicit {
		rd.ignore(src.name, "its rows name no table (pass --table to read it)")
		return false
	}
	rd.fileError(src.name, err)
	return false
}

// namesTable reports whether a record's Type or $table names a table.
func namesTable(fields []jfield, isTable func(string) bool) bool {
	for i := range fields {
		if k := string(fields[i].key); (k == "Type" || k == "$table") && isTable(fields[i].text(nil)) {
			return true
		}
	}
	return false
}

// firstRecord decodes the first JSON object of the stream, if it fits in the
// read buffer, to tell events from rows.
func firstRecord(br *bufio.Reader) ([]jfield, bool) {
	b, _ := br.Peek(br.Size())
	i := 0
	for i < len(b) && (isSpace(b[i]) || b[i] == '[') {
		i++
	}
	// decode may rewrite escapes in place, and the reader's buffer is not
	// ours: it decodes a copy of the first record.
	var d flatDecoder
	if end, ok := scanObjectEnd(b[i:]); ok {
		return d.fields, d.decode(bytes.Clone(b[i:i+end])) == nil
	}
	// A first record larger than the buffer: the members that fit in it are
	// enough to tell events from rows.
	_ = d.decode(bytes.Clone(b[i:]))
	return d.fields, len(d.fields) > 0
}

func (rd *reader) csv(name string, br *bufio.Reader, explicit bool) {
	skipBOM(br)
	sp := newCSVSplitter(br, rd.p.opt.MaxRecord)
	names, err := sp.readHeader()
	if err != nil {
		var ie *Error
		if errors.As(err, &ie) {
			rd.fileError(name, ie)
		} else {
			rd.fileError(name, &Error{Code: CodeRead, Msg: "read failed", Err: err})
		}
		return
	}
	h := &csvHeader{names: names, delim: sp.delim, route: -1}
	for i, n := range names {
		if c := cleanFieldName(n); c == "$table" || (c == "Type" && h.route < 0) {
			h.route = i
		}
	}
	src := newSource(name)
	src.kind, src.csv = kindCSVRows, h
	if !rd.rowsTarget(src, explicit, h.route >= 0) {
		return
	}
	rd.records(src, sp)
}

// splitter cuts a stream into records.
type splitter interface {
	fill(c *chunk, chunkBytes int) error
}

// records sends src's chunks until its splitter is exhausted.
func (rd *reader) records(src *source, sp splitter) {
	for {
		if rd.p.ctx.Err() != nil {
			return
		}
		c := getChunk()
		c.src = src
		err := sp.fill(c, chunkBytes)
		if err != nil && err != io.EOF {
			c.add(rawRecord{line: splitterLine(sp), err: asError(err), stream: true})
		}
		c.last = err != nil
		rd.send(c)
		if err != nil {
			return
		}
	}
}

func splitterLine(sp splitter) int64 {
	switch s := sp.(type) {
	case *jsonSplitter:
		return s.line
	case *csvSplitter:
		return s.line
	}
	return 0
}

func (rd *reader) send(c *chunk) {
	rd.seq++
	c.seq = rd.seq
	c.read = rd.p.readBytes.Load()
	select {
	case rd.p.chunks <- c:
	case <-rd.p.ctx.Done():
		putChunk(c)
	}
}

// fileError reports a problem with a whole input.
func (rd *reader) fileError(name string, err *Error) {
	c := getChunk()
	c.src = newSource(name)
	c.last = true
	c.add(rawRecord{err: err, stream: true})
	rd.send(c)
}

// ignore passes over a file found in a directory or archive that holds no
// logs, with a notice.
func (rd *reader) ignore(name, why string) {
	rd.p.sum.Ignored++
	rd.p.opt.Notice(fmt.Sprintf("%s: ignored: %s", name, why))
}

func newSource(name string) *source { return &source{name: name, clock: newClock()} }

func asError(err error) *Error {
	var ie *Error
	if errors.As(err, &ie) {
		return ie
	}
	return &Error{Code: CodeRead, Msg: "read failed", Err: err}
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// countReader counts the bytes read from an input, for progress.
type countReader struct {
	r     io.Reader
	n     int64
	total interface{ Add(int64) int64 }
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.total != nil {
		c.total.Add(int64(n))
	}
	return n, err
}

// memberName joins an archive's name and a member's, as errors show them.
func memberName(archive, member string) string {
	return archive + "!" + strings.TrimPrefix(member, "./")
}
