package ingest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/Velocidex/ordereddict"
	"www.velocidex.com/golang/evtx"
)

// EVTX files. The parser is the Velocidex one, hidden behind evtxParser so
// the rest of the package sees only JSON events in the evtx_dump shape,
// which the "evtx" flavour of reader_otrf.go decodes.

// evtxParser yields the events of one EVTX file, a chunk (64 KiB of the
// file) at a time.
type evtxParser interface {
	// next returns the next chunk's records; io.EOF after the last chunk.
	next() ([]evtxRecord, error)
}

// evtxRecord is one event as JSON, or the error that made a part of the
// file unreadable.
type evtxRecord struct {
	id   int64
	data []byte
	err  *Error
}

// velocidexParser is evtxParser over www.velocidex.com/golang/evtx.
type velocidexParser struct {
	fd     io.ReadSeeker
	chunks []*evtx.Chunk
	i      int
}

func newEVTXParser(fd io.ReadSeeker) (evtxParser, error) {
	chunks, err := safeGetChunks(fd)
	if err != nil {
		return nil, err
	}
	return &velocidexParser{fd: fd, chunks: chunks}, nil
}

func safeGetChunks(fd io.ReadSeeker) (chunks []*evtx.Chunk, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt EVTX header: %v", r)
		}
	}()
	return evtx.GetChunks(fd)
}

func (v *velocidexParser) next() ([]evtxRecord, error) {
	if v.i >= len(v.chunks) {
		return nil, io.EOF
	}
	c := v.chunks[v.i]
	v.i++
	recs, err := parseChunk(c)
	if err != nil {
		return []evtxRecord{{id: int64(c.Header.FirstEventRecID), err: errorf(CodeBadRecord, "EVTX chunk %d is corrupt: %v; its records are skipped", v.i, err)}}, nil
	}
	out := make([]evtxRecord, 0, len(recs))
	for _, r := range recs {
		out = append(out, recordJSON(r))
	}
	return out, nil
}

// parseChunk parses one chunk; the parser panics on some corrupt input,
// which costs only that chunk.
func parseChunk(c *evtx.Chunk) (recs []*evtx.EventRecord, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return c.Parse(0)
}

func recordJSON(r *evtx.EventRecord) (out evtxRecord) {
	out.id = int64(r.Header.RecordID)
	defer func() {
		if p := recover(); p != nil {
			out.err = errorf(CodeBadRecord, "EVTX record %d is corrupt: %v", out.id, p)
		}
	}()
	d, ok := r.Event.(*ordereddict.Dict)
	if !ok {
		out.err = errorf(CodeBadRecord, "EVTX record %d has no event", out.id)
		return out
	}
	if ev, ok := d.Get("Event"); ok {
		evtx.NormalizeEventData(ev)
		if ev, ok := ev.(*ordereddict.Dict); ok {
			renderHex(ev)
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		out.err = errorf(CodeBadRecord, "EVTX record %d: %v", out.id, err)
		return out
	}
	out.data = b
	return out
}

// renderHex writes the members Windows types as hexadecimal integers the
// way the event's XML (and every other export) renders them: "0x3e7", not
// 999. The parser turns HexInt32/64 into plain integers, so they are known
// by name: the System Keywords, and per provider the EventData members its
// manifests declare hexadecimal.
func renderHex(ev *ordereddict.Dict) {
	provider := ""
	if sys, ok := ordereddict.GetMap(ev, "System"); ok {
		if kw, ok := sys.Get("Keywords"); ok {
			if h, ok := hexText(kw); ok {
				sys.Set("Keywords", h)
			}
		}
		provider, _ = ordereddict.GetString(sys, "Provider.Name")
	}
	names := hexMembers[provider]
	data, ok := ordereddict.GetMap(ev, "EventData")
	if !ok || names == nil {
		return
	}
	for _, k := range data.Keys() {
		if !names[k] {
			continue
		}
		if v, _ := data.Get(k); v != nil {
			if h, ok := hexText(v); ok {
				data.Set(k, h)
			}
		}
	}
}

func hexText(v any) (string, bool) {
	switch n := v.(type) {
	case uint64:
		return fmt.Sprintf("0x%x", n), true
	case uint32:
		return fmt.Sprintf("0x%x", n), true
	case uint16:
		return fmt.Sprintf("0x%x", n), true
	case int64:
		return fmt.Sprintf("0x%x", uint64(n)), true
	case int:
		return fmt.Sprintf("0x%x", uint64(n)), true
	}
	return "", false
}

// hexMembers are EventData members whose manifest type is HexInt32/64.
var hexMembers = map[string]map[string]bool{
	"Microsoft-Windows-Security-Auditing": setOf("SubjectLogonId", "TargetLogonId", "TargetLinkedLogonId", "LogonId",
		"ProcessId", "NewProcessId", "CallerProcessId", "Status", "SubStatus", "AccessMask", "HandleId",
		"TicketOptions", "TicketEncryptionType", "OldUacValue", "NewUacValue", "UserAccountControl",
		"SessionId", "ClientProcessId", "ParentProcessId", "TransactionId", "ObjectType"),
	"Microsoft-Windows-Sysmon": setOf("LogonId", "GrantedAccess"),
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// evtxSplitter feeds an EVTX file's events to the pipeline; a record's
// "line" is its event record id.
type evtxSplitter struct {
	p       evtxParser
	pending []evtxRecord
}

func (s *evtxSplitter) fill(c *chunk, chunkBytes int) error {
	for len(c.buf) < chunkBytes && len(c.recs) < maxChunkRecords {
		if len(s.pending) == 0 {
			recs, err := s.p.next()
			if err == io.EOF {
				if len(c.recs) > 0 {
					return nil
				}
				return io.EOF
			}
			if err != nil {
				return err
			}
			s.pending = recs
			continue
		}
		r := s.pending[0]
		s.pending = s.pending[1:]
		if r.err != nil {
			c.add(rawRecord{line: r.id, err: r.err})
			continue
		}
		off := len(c.buf)
		c.buf = append(c.buf, r.data...)
		c.recs = append(c.recs, rawRecord{line: r.id, data: c.buf[off:]})
	}
	return nil
}

// evtx reads an EVTX file. The parser seeks, so a stream that is not the
// file itself (an archive member, stdin) is spooled first.
func (rd *reader) evtx(name string, br *bufio.Reader, file *os.File) {
	var fd io.ReadSeeker
	if file != nil {
		if off, err := file.Seek(0, io.SeekCurrent); err == nil && off == int64(br.Buffered()) {
			fd = file
			rd.p.readBytes.Add(-off) // counted again as the parser reads
			fd = &countSeeker{f: file, total: &rd.p.readBytes}
		}
	}
	if fd == nil {
		spool, _, err := rd.spool(name, br)
		if err != nil {
			rd.fileError(name, err)
			return
		}
		defer removeSpool(spool)
		fd = spool
	}
	p, err := newEVTXParser(fd)
	if err != nil {
		rd.fileError(name, &Error{Code: CodeUnknownFormat, Msg: "not a readable EVTX file", Err: err})
		return
	}
	src := newSource(name)
	src.kind = kindWinEvent
	rd.records(src, &evtxSplitter{p: p})
}

// countSeeker counts bytes read from a file read in place.
type countSeeker struct {
	f     *os.File
	total interface{ Add(int64) int64 }
}

func (c *countSeeker) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.total.Add(int64(n))
	return n, err
}

func (c *countSeeker) Seek(off int64, whence int) (int64, error) { return c.f.Seek(off, whence) }
