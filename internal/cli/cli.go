// Package cli implements sleuth's command line: one file per command, the
// global flags, error reporting and the mapping from errors to exit codes.
//
// stdout carries data only; progress, logs, notices and errors go to stderr.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/term"
)

// Run runs sleuth with args (args[0] is the program name) and returns the
// process exit code. It never panics: a panic is reported as an internal error.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "sleuth: error: internal error: %v\n", r)
			if a.getenv("SLEUTH_DEBUG") != "" {
				stderr.Write(debug.Stack())
			}
			fmt.Fprintln(stderr, "sleuth: hint: this is a bug in sleuth; please report it with the command you ran")
			code = ExitInternal
		}
	}()
	err := a.root().Run(ctx, args)
	if err != nil {
		report(stderr, err)
	}
	return exitCode(err)
}

// app carries the process's streams and the resolved global flags to every
// command.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	dbPath     string
	configPath string
	now        time.Time // the reference time for everything relative
	nowSet     bool      // --now or SLEUTH_NOW was given
	log        *slog.Logger
}

const rootHelp = `sleuth plans and runs threat hunts over security telemetry. It speaks KQL,
runs Sigma rules, groups what it finds into findings mapped to MITRE ATT&CK and
writes a report with the exact query behind every finding. With nothing
configured it hunts "the lab", a simulated enterprise in an embedded store.

Examples:
  sleuth hunt "anything suspicious this week?"   # generates the lab on first use
  sleuth hunt "suspicious sign-ins in the last 24 hours" --format json
  sleuth detect --window 3d --level high  # the rules alone, as signals
  sleuth respond list                     # containment waiting for approval
  sleuth lab generate                     # build the lab: a week of telemetry with attacks woven in
  sleuth tables                           # what is in the store
  sleuth schema SigninLogs                # columns, types and entity roles of a table
  sleuth ingest --table SigninLogs export.csv
  sleuth ingest ./otrf/apt29.zip          # Windows event logs (OTRF/Mordor JSON, EVTX)
  sleuth query 'SigninLogs | where ResultType != "0" | summarize count() by UserPrincipalName'

Environment:
  SLEUTH_DB      the store (default $XDG_DATA_HOME/sleuth/sleuth.duckdb)
  SLEUTH_CONFIG  the config file (default ~/.config/sleuth/config.yaml)
  SLEUTH_NOW     the reference time for relative windows, RFC 3339
  SLEUTH_DEBUG   print stack traces for internal errors

Exit codes: 0 ok, 1 failed, 2 usage, 3 query or rule error, 4 source, store or
connector unavailable, 5 internal error.`

func (a *app) root() *ucli.Command {
	root := &ucli.Command{
		Name:                  "sleuth",
		Usage:                 "an agentic threat hunter for SOC analysts",
		Description:           rootHelp,
		Version:               version(),
		HideVersion:           true,
		Reader:                a.stdin,
		Writer:                a.stdout,
		ErrWriter:             a.stderr,
		ExitErrHandler:        func(context.Context, *ucli.Command, error) {},
		OnUsageError:          onUsageError,
		Suggest:               true,
		EnableShellCompletion: true,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "db", Usage: "the embedded store `FILE`", Sources: ucli.EnvVars("SLEUTH_DB")},
			&ucli.StringFlag{Name: "config", Usage: "the config `FILE`", Sources: ucli.EnvVars("SLEUTH_CONFIG")},
			&ucli.StringFlag{Name: "now", Usage: "the reference `TIME` for relative windows (RFC 3339)", Sources: ucli.EnvVars("SLEUTH_NOW")},
			&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log what sleuth does to stderr"},
		},
		Before:   a.before,
		Commands: a.commands(),
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			if cmd.Args().Present() {
				return usagef("run 'sleuth --help' for the commands", "unknown command %q", cmd.Args().First())
			}
			if isTerminal(a.stdin) && isTerminal(a.stdout) {
				return a.interactive(ctx)
			}
			return ucli.ShowRootCommandHelp(cmd)
		},
	}
	inheritUsageErrors(root.Commands)
	return root
}

// inheritUsageErrors gives every subcommand the root's usage-error handler,
// which urfave/cli does not pass down, so a bad flag anywhere exits 2.
func inheritUsageErrors(cmds []*ucli.Command) {
	for _, c := range cmds {
		if c.OnUsageError == nil {
			c.OnUsageError = onUsageError
		}
		inheritUsageErrors(c.Commands)
	}
}

// commands lists every subcommand; each lives in its own cmd_*.go file.
func (a *app) commands() []*ucli.Command {
	return []*ucli.Command{
		a.huntCmd(),
		a.versionCmd(),
		a.labCmd(),
		a.ingestCmd(),
		a.modelsCmd(),
		a.tablesCmd(),
		a.schemaCmd(),
		a.rulesCmd(),
		a.respondCmd(),
		a.auditCmd(),
		a.sourcesCmd(),
		a.serveCmd(),
		a.queryCmd(),
		a.detectCmd(),
	}
}

func onUsageError(_ context.Context, cmd *ucli.Command, err error, _ bool) error {
	return usagef(fmt.Sprintf("run '%s --help' for usage", cmd.FullName()), "%s", lowerFirst(err.Error()))
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func (a *app) before(ctx context.Context, cmd *ucli.Command) (context.Context, error) {
	level := slog.LevelWarn
	if cmd.Bool("verbose") {
		level = slog.LevelDebug
	}
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))

	a.dbPath = cmd.String("db")
	if a.dbPath == "" {
		a.dbPath = filepath.Join(a.dataDir(), "sleuth.duckdb")
	}
	a.configPath = cmd.String("config")
	if a.configPath == "" {
		a.configPath = filepath.Join(a.configDir(), "config.yaml")
	}
	a.now = time.Now().UTC()
	if s := cmd.String("now"); s != "" {
		t, err := parseTime(s)
		if err != nil {
			return ctx, usagef("use RFC 3339, e.g. --now 2024-05-01T12:00:00Z", "bad --now %q: %v", s, err)
		}
		a.now, a.nowSet = t, true
	}
	return ctx, nil
}

// dataDir is $XDG_DATA_HOME/sleuth, else ~/.local/share/sleuth.
func (a *app) dataDir() string {
	if d := a.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "sleuth")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "sleuth-data"
	}
	return filepath.Join(home, ".local", "share", "sleuth")
}

// configDir is $XDG_CONFIG_HOME/sleuth, else ~/.config/sleuth.
func (a *app) configDir() string {
	if d := a.getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "sleuth")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "sleuth-config"
	}
	return filepath.Join(home, ".config", "sleuth")
}

// parseTime accepts RFC 3339 and, for convenience, a date or a date and time
// without a zone, both read as UTC.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("not an RFC 3339 time")
}

// isTerminal reports whether a stream is a terminal, for colour, progress
// bars and the interactive session.
func isTerminal(stream any) bool {
	if t, ok := stream.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal() // a stand-in terminal, in tests
	}
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
