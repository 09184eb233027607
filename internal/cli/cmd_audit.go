package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/audit"
)

const auditHelp = `sleuth keeps a tamper-evident audit log of hunts and responses: every
query, LLM call, finding, proposed action, decision, API call and outcome,
one JSON line each, hash-chained so that editing, removing, inserting or
reordering lines is detected. It lives next to the store (audit.jsonl in
the directory of --db).

Examples:
  sleuth audit verify
  sleuth audit verify --path /evidence/case-42/audit.jsonl
  sleuth audit verify --format json`

const auditVerifyHelp = `Checks every line's hash, that sequence numbers run without gaps and that
each entry names its predecessor's hash, then compares the end of the log
with its head file (FILE.head). Exit 0 when the chain is intact; exit 1
with the first bad line and what is wrong with it otherwise.

Examples:
  sleuth audit verify
  sleuth audit verify --path copy-of-audit.jsonl`

func (a *app) auditCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "audit",
		Usage:       "check the tamper-evident audit log",
		UsageText:   "sleuth audit verify [--path FILE]",
		Description: auditHelp,
		Commands: []*ucli.Command{{
			Name:        "verify",
			Usage:       "verify the audit log's hash chain",
			UsageText:   "sleuth audit verify [--path FILE] [--format table|json]",
			Description: auditVerifyHelp,
			Flags: []ucli.Flag{
				&ucli.StringFlag{Name: "path", Usage: "the audit log `FILE` (default: audit.jsonl next to the store)"},
				formatFlag(formatTable, formatJSON),
			},
			Action: a.auditVerify,
		}},
	}
}

// auditLogPath is the audit log next to the store. Every command that
// records to the audit log (respond, hunt) uses it.
func (a *app) auditLogPath() string {
	return filepath.Join(filepath.Dir(a.dbPath), "audit.jsonl")
}

func (a *app) auditVerify(ctx context.Context, cmd *ucli.Command) error {
	if cmd.Args().Present() {
		return usagef("pass the file with --path", "unexpected argument %q", cmd.Args().First())
	}
	path := cmd.String("path")
	if path == "" {
		path = a.auditLogPath()
	}
	rep, err := audit.Verify(path)
	if err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(a.stderr, "sleuth: warning: %s\n", w)
	}
	if cmd.String("format") == formatJSON {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintf(a.stdout, "%s\n", b)
	} else if rep.OK {
		fmt.Fprintf(a.stdout, "ok: %s: %d entries, chain intact, last hash %s\n", path, rep.Entries, rep.LastHash)
	}
	return rep.Err()
}
