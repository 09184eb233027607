package ingest

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// Format names an input format (--input-format).
type Format string

// Input formats. Auto sniffs the content of every file.
const (
	FormatAuto   Format = "auto"
	FormatNDJSON Format = "ndjson"
	FormatJSON   Format = "json"
	FormatCSV    Format = "csv"
	FormatOTRF   Format = "otrf"
	FormatEVTX   Format = "evtx"
)

// Formats lists the accepted --input-format values.
var Formats = []Format{FormatAuto, FormatNDJSON, FormatJSON, FormatCSV, FormatOTRF, FormatEVTX}

// Sink receives rows. Writer is called from one goroutine, once per table;
// each TableWriter is then used by a single goroutine of its own. The store's
// Appender satisfies TableWriter.
type Sink interface {
	Writer(ctx context.Context, table string) (TableWriter, error)
}

// TableWriter appends rows, in catalog column order, to one table. The row
// slice is only valid during the call. Close commits; a TableWriter may
// commit before (the store's Appender commits whole row groups as they
// fill, which also bounds its memory).
type TableWriter interface {
	Append(row []any) error
	Close() error
}

// Options configure Run.
type Options struct {
	// Catalog defines the tables; nil means catalog.Default().
	Catalog *catalog.Catalog
	// Table, when set, is where NDJSON, JSON and CSV rows go. Without it,
	// rows are routed by their Type (or $table) column.
	Table string
	// Format forces an input format; "" or FormatAuto sniffs each file.
	Format Format
	// Strict stops at the first bad record.
	Strict bool
	// Workers is the number of decoding goroutines (default 2).
	Workers int
	// MaxRecord caps one record's size (default 64 MiB).
	MaxRecord int
	// MaxDecompressed caps the bytes decompressed from one archive member or
	// compressed file (default 4 GiB); MaxRatio caps its compression ratio
	// once past 64 MiB (default 200).
	MaxDecompressed int64
	MaxRatio        int64
	// Now is the TimeGenerated of rows that have no time at all, as Log
	// Analytics uses the ingestion time; zero means time.Now().
	Now time.Time
	// Stdin is read for the path "-".
	Stdin io.Reader
	// TempDir holds spooled archive members (default os.TempDir()).
	TempDir string
	// MaxErrors is how many errors the Summary keeps (default 20).
	MaxErrors int
	// Progress, when set, is called about four times a second.
	Progress func(Progress)
	// Notice, when set, receives one-line notices for the user.
	Notice func(string)

	ratioFloor int64 // decompressed bytes before MaxRatio applies; tests lower it
}

// Progress is a snapshot of a running ingest.
type Progress struct {
	File   string // the input being read
	Read   int64  // bytes read from the inputs so far
	Total  int64  // bytes of all inputs (0 when unknown, e.g. stdin)
	Events int64
	Rows   int64
}

// Summary is the outcome of Run.
type Summary struct {
	Tables  map[string]int64 // rows written per table
	Events  int64            // records read
	Skipped int64            // records or files skipped because of errors
	Errors  []*Error         // the first MaxErrors errors, in input order
	Files   int              // inputs read
	Ignored int              // files in directories and archives that held no data
	Bytes   int64            // input bytes read
	Elapsed time.Duration
	// NoTable is set when an input was rows without --table or a Type column.
	NoTable bool
}

// Rows returns the total number of rows written.
func (s *Summary) Rows() int64 {
	var n int64
	for _, v := range s.Tables {
		n += v
	}
	return n
}

// TableNames returns the tables written, sorted.
func (s *Summary) TableNames() []string {
	out := make([]string, 0, len(s.Tables))
	for t := range s.Tables {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func (o *Options) defaults() error {
	if o.Catalog == nil {
		o.Catalog = catalog.Default()
	}
	if o.Format == "" {
		o.Format = FormatAuto
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.MaxRecord <= 0 {
		o.MaxRecord = 64 << 20
	}
	if o.MaxDecompressed <= 0 {
		o.MaxDecompressed = 4 << 30
	}
	if o.MaxRatio <= 0 {
		o.MaxRatio = 200
	}
	if o.ratioFloor <= 0 {
		o.ratioFloor = 64 << 20
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = 20
	}
	if o.Notice == nil {
		o.Notice = func(string) {}
	}
	valid := false
	for _, f := range Formats {
		valid = valid || f == o.Format
	}
	if !valid {
		return errorf(CodeUnknownFormat, "unknown input format %q", o.Format).
			withHint(fmt.Sprintf("use one of %v", Formats))
	}
	if o.Table != "" {
		if _, ok := o.Catalog.TableFold(o.Table); !ok {
			return errorf(CodeUnknownTable, "unknown table %q", o.Table).
				withHint("run 'sleuth tables' for the catalog's tables")
		}
	}
	return nil
}

// Run reads every path (files, directories, archives, "-" for stdin) and
// writes their rows to sink. The returned error is nil unless the run had
// to stop: a sink failure, a cancelled context, or a bad record under
// Strict (reported with its file and line). The Summary is valid either way.
func Run(ctx context.Context, sink Sink, paths []string, opt Options) (*Summary, error) {
	start := time.Now()
	if err := opt.defaults(); err != nil {
		return &Summary{Tables: map[string]int64{}}, err
	}
	p := newPipeline(ctx, sink, opt)
	sum, err := p.run(paths)
	sum.Elapsed = time.Since(start)
	return sum, err
}
