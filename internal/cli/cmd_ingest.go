package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/ingest"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

const ingestHelp = `Reads security telemetry into the store: Sentinel and Defender exports (CSV,
NDJSON, JSON arrays), Windows event logs as OTRF/Mordor publish them
(nxlog, PowerShell export and winlogbeat JSON) and EVTX files. Formats are
recognised by content; directories are walked, and .zip, .tar, .tar.gz and
.gz archives are read in place. "-" reads standard input.

Windows events are normalised the way Microsoft's pipelines do it: Sysmon
events into the Defender Device* tables, Security events into SecurityEvent
(and logons into DeviceLogonEvents), and every event into WindowsEvent.
Exported rows go to --table, or to the table their Type column names;
columns the catalog does not know are kept in AdditionalFields.

A bad record is reported with its file and line and skipped (--strict stops
at it instead). Bytes that are not UTF-8, and \u escapes of half a UTF-16
surrogate pair, become U+FFFD; the rest of the record is kept. stdout has the rows written per table; the summary, progress
and errors go to stderr.

Examples:
  sleuth ingest ./otrf/apt29.zip
  sleuth ingest --table SigninLogs signins.csv
  sleuth ingest --format json logs/ exports/*.csv
  zcat events.ndjson.gz | sleuth ingest --table DeviceProcessEvents -`

// Memory for an ingest run (docs/PERFORMANCE.md "Ingest"). The ingest
// pipeline itself stays near 50 MB (bounded queues); Go gets a soft limit
// so its collector works harder before the heap grows. DuckDB gets 320 MB
// for the rows of its open transactions (the store's Appender commits a
// row group at a time and spills beyond the limit); outside that limit it
// holds up to 4 MB of staged rows per connection and the buffers of the
// commits running (the store runs one per core), which with the chunk
// arenas came to 200-300 MB at the peak of a 5M-event ingest. Go's memory
// was 120 MB there and the binary adds 100 MB, so peak RSS stays near
// 0.85 GB, under 1 GB whatever the input size (384 MB for DuckDB made the
// peaks 0.87-0.95 GB at the same speed). Within that
// limit Go's collector runs at GOGC=200 rather than 100 (unless GOGC is
// set): the ingest's live heap is small (30-40 MB) and its garbage large,
// so collecting half as often saved 5-7% of a 5M-event ingest's time
// (34-35 s against 35-37 s) for 30-60 MB more at the peak; the soft limit
// caps the heap either way.
//
// DuckDB gets one thread: a bulk load's DuckDB work (compressing row
// groups as each table's transaction commits) runs on the appending
// goroutines' threads anyway, and an idle DuckDB worker thread polling for
// tasks took CPU from the decoders (4-6% of an ingest's CPU, and lab
// generation 13.1-13.9 s -> 12.0-12.6 s).
const (
	ingestStoreMemory = "320MB"
	ingestGoMemory    = 256 << 20
	ingestGCPercent   = 200
	ingestThreads     = 1
)

// ingestStoreSQL tunes the store for a bulk load. Whole row groups reach
// the database file without passing through the write-ahead log, but rows
// committed in smaller steps (a table's last rows, a table that gains a
// column) do; DuckDB checkpoints when the log passes 16 MB, and at 256 MB
// it checkpoints a few times per gigabyte of those. Its allocator returns
// freed memory sooner.
var ingestStoreSQL = []string{"SET checkpoint_threshold = '256MB'", "SET allocator_flush_threshold = '32MB'"}

func (a *app) ingestCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "ingest",
		Usage:       "read logs and exports into the store",
		UsageText:   "sleuth ingest [--table T] [--input-format FORMAT] [--strict] [--format table|json] PATH...",
		Description: ingestHelp,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "table", Usage: "the catalog `TABLE` exported rows belong to (default: each row's Type column)"},
			&ucli.StringFlag{Name: "input-format", Value: string(ingest.FormatAuto),
				Usage: "the input `FORMAT`: auto, ndjson, json, csv, otrf or evtx"},
			&ucli.BoolFlag{Name: "strict", Usage: "stop at the first bad record instead of skipping it"},
			formatFlag(formatTable, formatJSON),
			&ucli.StringFlag{Name: "max-decompressed", Value: "4GiB", Usage: "cap on the `SIZE` decompressed from one file or archive member"},
			&ucli.IntFlag{Name: "max-ratio", Value: 200, Usage: "cap on one file's compression `RATIO` once past 64 MiB"},
			&ucli.StringFlag{Name: "max-record", Value: "64MiB", Usage: "cap on the `SIZE` of one record"},
		},
		Action: a.ingest,
	}
}

func (a *app) ingest(ctx context.Context, cmd *ucli.Command) error {
	paths := cmd.Args().Slice()
	if len(paths) == 0 {
		return usagef("name files, directories or archives to read, or - for stdin", "ingest needs at least one PATH")
	}
	opt, err := a.ingestOptions(cmd)
	if err != nil {
		return err
	}
	start := time.Now()
	initSQL := append(append([]string(nil), a.storeInitSQL()...), ingestStoreSQL...)
	st, err := store.Open(ctx, a.dbPath, store.Options{InitSQL: initSQL, MemoryLimit: ingestStoreMemory, Threads: ingestThreads})
	if err != nil {
		return err
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(ingestGoMemory))
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(ingestGCPercent))
	}
	opt.Catalog = st.Catalog()

	out := &ingestReporter{w: a.stderr}
	opt.Notice = out.notice
	if isTerminal(a.stderr) {
		opt.Progress = out.progress
	}
	sum, runErr := ingest.Run(ctx, storeSink{st}, paths, opt)
	out.done()
	// Closing writes the store's last checkpoint; it is part of the run's
	// time, and a failure there loses the rows.
	if err := st.Close(); err != nil && runErr == nil {
		runErr = withCode("store.close", "the store may be incomplete; run the ingest again", err)
	}
	sum.Elapsed = time.Since(start)
	if err := writeIngestResult(a.stdout, cmd.String("format"), sum); err != nil {
		return err
	}
	out.summary(sum)
	return ingestOutcome(sum, runErr)
}

// ingestOptions reads and checks the flags.
func (a *app) ingestOptions(cmd *ucli.Command) (ingest.Options, error) {
	opt := ingest.Options{Stdin: a.stdin, Strict: cmd.Bool("strict"), Format: ingest.Format(cmd.String("input-format"))}
	if a.nowSet {
		opt.Now = a.now
	}
	if !validFormat(opt.Format) {
		return opt, usagef(fmt.Sprintf("use one of %s", formatNames()), "unknown input format %q", opt.Format)
	}
	if t := cmd.String("table"); t != "" {
		tab, ok := catalog.Default().TableFold(t)
		if !ok {
			return opt, usagef("run 'sleuth tables' for the catalog's tables", "unknown table %q", t)
		}
		opt.Table = tab.Name
	}
	var err error
	if opt.MaxDecompressed, err = parseSize(cmd.String("max-decompressed")); err != nil {
		return opt, usagef("use a size such as 4GiB, 500MB or 1048576", "bad --max-decompressed: %v", err)
	}
	max, err := parseSize(cmd.String("max-record"))
	if err != nil || max > 1<<30 {
		return opt, usagef("use a size up to 1GiB, such as 64MiB", "bad --max-record %q", cmd.String("max-record"))
	}
	opt.MaxRecord = int(max)
	if opt.MaxRatio = int64(cmd.Int("max-ratio")); opt.MaxRatio < 1 {
		return opt, usagef("use a ratio of at least 1", "bad --max-ratio %d", opt.MaxRatio)
	}
	return opt, nil
}

func validFormat(f ingest.Format) bool {
	for _, k := range ingest.Formats {
		if f == k {
			return true
		}
	}
	return false
}

func formatNames() string {
	var s []string
	for _, f := range ingest.Formats {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}

// parseSize reads 4GiB, 500MB, 64k or a plain number of bytes.
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return n * mult, nil
}

// ingestOutcome decides the exit: 0 when anything was ingested, a usage
// error when the inputs only needed --table, else failure.
func ingestOutcome(sum *ingest.Summary, runErr error) error {
	if runErr != nil {
		return runErr
	}
	if sum.Rows() > 0 {
		return nil
	}
	onlyNoTable := sum.NoTable
	for _, e := range sum.Errors {
		onlyNoTable = onlyNoTable && e.Code == ingest.CodeNoTable
	}
	if onlyNoTable {
		return usagef("pass --table NAME (see 'sleuth tables') to say which table the rows belong to",
			"the input's rows name no table")
	}
	if len(sum.Errors) > 0 {
		return silentExit(ExitFailed)
	}
	return withCode("ingest.nothing", "check the paths; sleuth reads CSV, NDJSON, JSON, OTRF JSON and EVTX",
		fmt.Errorf("nothing was ingested"))
}

// ingestJSON is the --format json document; its shape is a contract.
type ingestJSON struct {
	Tables  map[string]int64  `json:"tables"`
	Skipped int64             `json:"skipped"`
	Errors  []ingestJSONError `json:"errors"`
}

type ingestJSONError struct {
	File    string `json:"file"`
	Line    int64  `json:"line"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeIngestResult(w io.Writer, format string, sum *ingest.Summary) error {
	if format == formatJSON {
		doc := ingestJSON{Tables: sum.Tables, Skipped: sum.Skipped, Errors: []ingestJSONError{}}
		for _, e := range sum.Errors {
			msg := e.Msg
			if e.Err != nil {
				msg += ": " + e.Err.Error()
			}
			doc.Errors = append(doc.Errors, ingestJSONError{File: e.File, Line: e.Line, Code: e.Code, Message: msg})
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	set := &rows.Set{Columns: []rows.Column{{Name: "Table", Type: catalog.String}, {Name: "Rows", Type: catalog.Long}}}
	for _, t := range sum.TableNames() {
		set.Rows = append(set.Rows, []any{t, sum.Tables[t]})
	}
	return writeSet(w, formatTable, set)
}

// storeSink writes through the store's appenders, one per table.
type storeSink struct{ st *store.Store }

func (s storeSink) Writer(ctx context.Context, table string) (ingest.TableWriter, error) {
	a, err := s.st.Appender(ctx, table)
	if err != nil {
		return nil, err
	}
	a.TrustText() // the ingest hands over valid UTF-8 only (its fuzz targets check)
	return a, nil
}

// ingestReporter writes notices, progress and the summary to stderr; the
// pipeline calls it from more than one goroutine.
type ingestReporter struct {
	mu      sync.Mutex
	w       io.Writer
	bar     *progressbar.ProgressBar
	notices int
}

const maxNotices = 20

func (r *ingestReporter) notice(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices++
	if r.notices > maxNotices {
		return
	}
	if r.bar != nil {
		_ = r.bar.Clear()
	}
	fmt.Fprintf(r.w, "sleuth: %s\n", msg)
}

func (r *ingestReporter) progress(p ingest.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar == nil {
		max := p.Total
		if max <= 0 {
			max = -1
		}
		r.bar = progressbar.NewOptions64(max, progressbar.OptionSetWriter(r.w), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("ingest"), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
	}
	r.bar.Describe(fmt.Sprintf("ingest %s events", humanCount(p.Events)))
	_ = r.bar.Set64(p.Read)
}

func (r *ingestReporter) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		_ = r.bar.Finish()
		_ = r.bar.Clear()
	}
	if r.notices > maxNotices {
		fmt.Fprintf(r.w, "sleuth: … and %d more notices\n", r.notices-maxNotices)
	}
}

// summary is the human account of the run.
func (r *ingestReporter) summary(sum *ingest.Summary) {
	secs := sum.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(sum.Events) / secs
	}
	fmt.Fprintf(r.w, "sleuth: ingested %s rows into %d tables from %s events in %d files, %s, %s events/s\n",
		humanCount(sum.Rows()), len(sum.Tables), humanCount(sum.Events), sum.Files,
		sum.Elapsed.Round(time.Millisecond), humanCount(int64(rate)))
	if sum.Skipped == 0 {
		return
	}
	fmt.Fprintf(r.w, "sleuth: skipped %s records or files:\n", humanCount(sum.Skipped))
	for _, e := range sum.Errors {
		fmt.Fprintf(r.w, "sleuth:   %s (%s)\n", e.Error(), e.Code)
	}
	if int64(len(sum.Errors)) < sum.Skipped {
		fmt.Fprintf(r.w, "sleuth:   … and %s more\n", humanCount(sum.Skipped-int64(len(sum.Errors))))
	}
	if h := firstHint(sum.Errors); h != "" {
		fmt.Fprintf(r.w, "sleuth: hint: %s\n", h)
	}
}

func firstHint(errs []*ingest.Error) string {
	for _, e := range errs {
		if e.Hint != "" {
			return e.Hint
		}
	}
	return ""
}

// humanCount writes 1234567 as 1,234,567.
func humanCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
