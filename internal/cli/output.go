package cli

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/rows"
)

// Output formats of tabular commands.
const (
	formatTable  = "table"
	formatJSON   = "json"
	formatNDJSON = "ndjson"
	formatCSV    = "csv"
)

// formatFlag is the --format flag of a command whose output is tabular.
func formatFlag(allowed ...string) *ucli.StringFlag {
	if len(allowed) == 0 {
		allowed = []string{formatTable, formatJSON, formatNDJSON, formatCSV}
	}
	return &ucli.StringFlag{
		Name:  "format",
		Usage: "output `FORMAT`: " + strings.Join(allowed, ", "),
		Value: allowed[0],
		Validator: func(s string) error {
			for _, f := range allowed {
				if s == f {
					return nil
				}
			}
			return fmt.Errorf("unknown format %q; use one of %s", s, strings.Join(allowed, ", "))
		},
	}
}

// writeSet writes a result in one of the tabular formats. json is an array
// of objects keyed by column name, in column order; ndjson is one such
// object a line; csv has a header row; table is aligned text for people.
func writeSet(w io.Writer, format string, set *rows.Set) error {
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case formatJSON:
		err = writeJSON(bw, set, false)
	case formatNDJSON:
		err = writeJSON(bw, set, true)
	case formatCSV:
		err = writeCSV(bw, set)
	default:
		err = writeTable(bw, set)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func writeJSON(w *bufio.Writer, set *rows.Set, lines bool) error {
	keys := make([][]byte, len(set.Columns))
	for i, c := range set.Columns {
		keys[i], _ = json.Marshal(c.Name)
	}
	if !lines {
		w.WriteByte('[')
	}
	for r, row := range set.Rows {
		if !lines && r > 0 {
			w.WriteByte(',')
		}
		if !lines {
			w.WriteString("\n  ")
		}
		w.WriteByte('{')
		for i, v := range row {
			if i > 0 {
				w.WriteByte(',')
			}
			w.Write(keys[i])
			w.WriteByte(':')
			b, err := json.Marshal(jsonValue(v))
			if err != nil {
				return fmt.Errorf("column %s: %w", set.Columns[i].Name, err)
			}
			w.Write(b)
		}
		w.WriteByte('}')
		if lines {
			w.WriteByte('\n')
		}
	}
	if !lines {
		if len(set.Rows) > 0 {
			w.WriteByte('\n')
		}
		w.WriteString("]\n")
	}
	return nil
}

// jsonValue renders datetimes and timespans the way Kusto's JSON does.
func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return formatDatetime(x)
	case time.Duration:
		return formatTimespan(x)
	}
	return v
}

func writeCSV(w io.Writer, set *rows.Set) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(set.Columns))
	for i, c := range set.Columns {
		head[i] = c.Name
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(set.Columns))
	for _, row := range set.Rows {
		for i, v := range row {
			rec[i] = cell(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// maxCell keeps one long value (a command line, a JSON bag) from making a
// table unreadable; json, ndjson and csv are never cut.
const maxCell = 80

func writeTable(w io.Writer, set *rows.Set) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, c := range set.Columns {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, c.Name)
	}
	fmt.Fprintln(tw)
	for _, row := range set.Rows {
		for i, v := range row {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, clip(oneLine(cell(v)), maxCell))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// cell renders one value as text for csv and table output.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return formatDatetime(x)
	case time.Duration:
		return formatTimespan(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// formatDatetime prints a datetime as Kusto does: ISO 8601 in UTC with the
// fraction only when there is one.
func formatDatetime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.9999999Z")
}

// formatTimespan prints a timespan as Kusto does: [-][d.]hh:mm:ss[.fffffff].
func formatTimespan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days > 0 {
		fmt.Fprintf(&b, "%d.", days)
	}
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, s)
	if frac := d % time.Second; frac > 0 {
		fmt.Fprintf(&b, ".%07d", frac/100)
	}
	return b.String()
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎", "\t", " ").Replace(s)
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
