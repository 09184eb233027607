// Package ingest reads security telemetry from files and writes it, as
// catalog rows, into a Sink (the CLI passes the embedded store).
//
// Readers, one file per family:
//   - reader_json.go: NDJSON, concatenated or pretty-printed JSON objects and
//     JSON arrays, split into records by a streaming scanner; jsonflat.go
//     decodes one record without building maps.
//   - reader_csv.go: CSV and TSV exports (Sentinel portal, pandas, Excel),
//     with quoted multi-line fields.
//   - reader_otrf.go: Windows events as OTRF/Mordor publish them (nxlog-flat,
//     the flat PowerShell export, winlogbeat 6 and 7+, evtx_dump JSON),
//     decoded into one flavour-neutral winEvent.
//   - reader_evtx.go: binary EVTX files, through a small interface over the
//     Velocidex parser.
//   - archive.go and inputs.go: files, directories, stdin, .zip, .tar(.gz),
//     .gz, with caps on decompressed size and ratio and no path ever
//     trusted from an archive.
//
// Normalisers turn a winEvent into rows the way Microsoft's own pipelines do:
// Sysmon events into the Defender Device* tables (normalise_sysmon.go),
// Security events into SecurityEvent and DeviceLogonEvents
// (normalise_security.go), and every event into WindowsEvent
// (normalise_winevent.go), so nothing is lost. Rows of a named catalog table
// (rows.go) match columns by name, ignoring case and export decorations, and
// keep what the catalog does not know in AdditionalFields.
//
// The pipeline (pipeline.go) reads on one goroutine, decodes on Workers
// goroutines and appends on one goroutine per table, with bounded channels,
// so memory stays flat whatever the input size. A bad record is counted,
// reported with its file and line, and skipped, unless Options.Strict.
package ingest
