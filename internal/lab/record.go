package lab

import (
	"crypto/sha256"
	binenc "encoding/binary"
	hexenc "encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Recorder is a Sink that keeps what it is given in memory: the rows of
// every table (unless DigestOnly), which instance each row belongs to, and
// an order-sensitive digest per table. Tests and detection-quality harnesses
// use it in place of the store.
type Recorder struct {
	// DigestOnly keeps digests and counts but not the rows, for large runs.
	DigestOnly bool

	mu     sync.Mutex
	tables map[string]*RecordedTable
}

// RecordedTable is what a Recorder received for one table.
type RecordedTable struct {
	Name      string
	Rows      [][]any
	Instances []string // parallel to Rows: the instance id, "" for background
	Count     int64
	Closed    bool

	keep bool
	h    hash.Hash
	buf  []byte
}

// Table implements Sink.
func (r *Recorder) Table(name string) (TableWriter, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tables == nil {
		r.tables = map[string]*RecordedTable{}
	}
	if _, dup := r.tables[name]; dup {
		return nil, fmt.Errorf("recorder: table %s opened twice", name)
	}
	t := &RecordedTable{Name: name, keep: !r.DigestOnly, h: sha256.New()}
	r.tables[name] = t
	return t, nil
}

// Tables returns the recorded tables sorted by name.
func (r *Recorder) Tables() []*RecordedTable {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*RecordedTable, 0, len(r.tables))
	for _, t := range r.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns the recorded table, or nil.
func (r *Recorder) Get(name string) *RecordedTable {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tables[name]
}

// Digests returns the hex digest of every table's rows and instances.
func (r *Recorder) Digests() map[string]string {
	out := map[string]string{}
	for _, t := range r.Tables() {
		out[t.Name] = hexenc.EncodeToString(t.h.Sum(nil))
	}
	return out
}

// Write implements TableWriter.
func (t *RecordedTable) Write(row []any, instance string) error {
	if t.Closed {
		return fmt.Errorf("recorder: write to closed table %s", t.Name)
	}
	t.buf = appendCanonical(t.buf[:0], row, instance)
	t.h.Write(t.buf)
	t.Count++
	if t.keep {
		t.Rows = append(t.Rows, row)
		t.Instances = append(t.Instances, instance)
	}
	return nil
}

// Close implements TableWriter.
func (t *RecordedTable) Close() error {
	t.Closed = true
	return nil
}

// appendCanonical encodes a row unambiguously: a type tag and a
// length-prefixed text per value.
func appendCanonical(b []byte, row []any, instance string) []byte {
	put := func(tag byte, s string) {
		b = append(b, tag)
		b = binenc.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	put('I', instance)
	for _, v := range row {
		switch x := v.(type) {
		case nil:
			b = append(b, 'N')
		case string:
			put('s', x)
		case int64:
			put('i', strconv.FormatInt(x, 10))
		case float64:
			put('f', strconv.FormatUint(math.Float64bits(x), 16))
		case bool:
			put('b', strconv.FormatBool(x))
		case time.Time:
			put('t', x.UTC().Format(time.RFC3339Nano))
		case time.Duration:
			put('d', strconv.FormatInt(int64(x), 10))
		case json.RawMessage:
			put('j', string(x))
		default:
			put('?', fmt.Sprintf("%T:%v", v, v))
		}
	}
	return append(b, '\n')
}
