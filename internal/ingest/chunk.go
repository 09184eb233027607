package ingest

import "sync"

// Chunks carry raw records from the reader goroutine to the decoders. A
// chunk owns the bytes its records alias, so it can be recycled as a whole.

const (
	chunkBytes      = 512 << 10 // a chunk's target size: large enough to amortise channel hand-offs
	maxChunkRecords = 2048
)

// rawRecord is one undecoded record, or an error the reader met at its place
// in the input (err set, data nil), so errors keep their order with records.
type rawRecord struct {
	data []byte
	line int64
	err  *Error
	// stream marks an error of the whole input (unreadable, over a cap)
	// rather than of one record.
	stream bool
}

// chunk is a run of records from one source.
type chunk struct {
	seq  uint64
	src  *source
	recs []rawRecord
	buf  []byte
	// read is the number of input bytes consumed up to the end of this chunk,
	// for progress.
	read int64
	last bool // the source's final chunk
}

func (c *chunk) add(r rawRecord) { c.recs = append(c.recs, r) }

var chunkPool = sync.Pool{New: func() any { return &chunk{buf: make([]byte, 0, chunkBytes+64<<10)} }}

func getChunk() *chunk {
	c := chunkPool.Get().(*chunk)
	c.recs, c.buf, c.src, c.seq, c.read, c.last = c.recs[:0], c.buf[:0], nil, 0, 0, false
	return c
}

func putChunk(c *chunk) {
	if cap(c.buf) > 4*chunkBytes {
		c.buf = make([]byte, 0, chunkBytes+64<<10) // a huge record passed through; do not keep its buffer
	}
	for i := range c.recs {
		c.recs[i] = rawRecord{}
	}
	chunkPool.Put(c)
}
