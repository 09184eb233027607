package lab

// Sink receives the generated rows. Generate opens one TableWriter per
// table it writes and may use the writers of different tables from
// different goroutines at once; each writer is used by one goroutine at a
// time. In production the sink is the store's Appender per table; tests use
// a Recorder, which also keeps which scenario or decoy each row belongs to,
// so ground truth can be checked without a hidden column in the data.
type Sink interface {
	Table(name string) (TableWriter, error)
}

// TableWriter receives the rows of one table in time order.
type TableWriter interface {
	// Write takes one row in the catalog's column order (values as the
	// store's Appender accepts them: string, int64, float64, bool,
	// time.Time, time.Duration, json.RawMessage or nil) and the id of the
	// scenario or decoy instance it belongs to, "" for background. The lab
	// does not touch the slice afterwards.
	Write(row []any, instance string) error
	// Close flushes the table; Generate calls it once, also after an error.
	Close() error
}
