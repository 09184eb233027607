package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/audit"
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/config"
	"github.com/sleuth-hunt/sleuth/internal/respond"
	"github.com/sleuth-hunt/sleuth/internal/respond/lab"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

const respondHelp = `Containment proposed by hunts (isolate a host, release it, run an antivirus
scan, collect an investigation package, disable a user, revoke their
sessions, recommend blocking an IP) runs only after approval, through a
connector: Defender for Endpoint (mde), Entra ID (entra), Elastic Defend
(elastic), a signed webhook, or the embedded lab. Every step is recorded
in the audit log; actions are kept in actions.json next to the store.

An action moves proposed → approved | denied → executing → succeeded |
failed. Approving shows the exact API call first; without a terminal and
without --yes, approve and release are dry runs that show the call and
send nothing. The respond: section of the config sets the policy: enabled
connectors, allowed actions, protected assets, limits.

Examples:
  sleuth respond list
  sleuth respond propose findings.jsonl            # rules of thumb → proposals
  sleuth respond approve act-3                     # shows the call, asks, runs, verifies
  sleuth respond approve act-3 --yes --connector mde
  sleuth respond deny act-4 --reason "service account, expected"
  sleuth respond release ws1.contoso.com --yes

Environment:
  SLEUTH_MDE_URL, SLEUTH_MDE_TOKEN          Defender API and a bearer token (else az login / client secret)
  SLEUTH_GRAPH_URL, SLEUTH_GRAPH_TOKEN      Microsoft Graph, for entra
  SLEUTH_KIBANA_URL, SLEUTH_KIBANA_API_KEY  Kibana, for elastic
  SLEUTH_WEBHOOK_URL, SLEUTH_WEBHOOK_SECRET the webhook and its HMAC secret`

func (a *app) respondCmd() *ucli.Command {
	return &ucli.Command{
		Name:        "respond",
		Usage:       "review, approve and run response actions",
		UsageText:   "sleuth respond list|show|propose|approve|deny|release ...",
		Description: respondHelp,
		Commands: []*ucli.Command{
			a.respondListCmd(), a.respondShowCmd(), a.respondProposeCmd(),
			a.respondApproveCmd(), a.respondDenyCmd(), a.respondReleaseCmd(),
		},
	}
}

func (a *app) respondListCmd() *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "list actions and their status",
		UsageText: "sleuth respond list [--status STATUS] [--format table|json]",
		Description: `Lists every action, oldest first. --format json is an array of objects with
id, type, target, status, finding_id and connector (and more).

Examples:
  sleuth respond list
  sleuth respond list --status proposed --format json`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "status", Usage: "only actions with `STATUS` (proposed, approved, denied, executing, succeeded, failed)"},
			formatFlag(formatTable, formatJSON),
		},
		Action: a.respondList,
	}
}

func (a *app) respondShowCmd() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show one action with its history",
		UsageText: "sleuth respond show ID [--format table|json]",
		Description: `Shows an action's target, finding, rule, connector, outcome and every
transition with its time, actor and reason.

Examples:
  sleuth respond show act-3
  sleuth respond show 3 --format json`,
		Flags:  []ucli.Flag{formatFlag(formatTable, formatJSON)},
		Action: a.respondShow,
	}
}

func (a *app) respondProposeCmd() *ucli.Command {
	return &ucli.Command{
		Name:      "propose",
		Usage:     "propose actions for findings",
		UsageText: "sleuth respond propose [--format table|json] FILE",
		Description: `Reads findings (a JSON array, one JSON object a line, or a hunt's report
with its "findings"; "-" for stdin) and proposes actions by sleuth's rules
of thumb: credential dumping on a host → isolate it, disable the user and
revoke their sessions; a compromised cloud account → revoke sessions and
disable it; ransomware → isolate; lateral movement → isolate source and
target; a malicious public IP → recommend blocking it. Only the entities a
finding lists (hosts, users, ips, or the report's entities) become
targets. The policy's refusals are recorded with their reasons.

A finding:
  {"id":"F1","title":"LSASS dumped on ws1","severity":"high","confidence":0.9,
   "techniques":["T1003.001"],"hosts":["ws1"],"users":["bob@contoso.com"],"evidence":["q3"]}

Examples:
  sleuth respond propose findings.jsonl
  sleuth respond propose report.json
  jq -c ".findings[]" report.json | sleuth respond propose -`,
		Flags:  []ucli.Flag{formatFlag(formatTable, formatJSON)},
		Action: a.respondPropose,
	}
}

func approvalFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "connector", Usage: "run it through connector `NAME` (lab, mde, entra, elastic, webhook)"},
		&ucli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "approve without a prompt"},
		&ucli.BoolFlag{Name: "dry-run", Usage: "show the exact call and send nothing"},
		&ucli.StringFlag{Name: "confirm-protected", Usage: "second confirmation for a protected asset: its `NAME`"},
		&ucli.StringFlag{Name: "reason", Usage: "the `TEXT` recorded with the decision"},
		formatFlag(formatTable, formatJSON),
	}
}

func (a *app) respondApproveCmd() *ucli.Command {
	return &ucli.Command{
		Name:      "approve",
		Usage:     "approve an action, execute it and verify the result",
		UsageText: "sleuth respond approve ID [--connector NAME] [--yes] [--dry-run] [--confirm-protected NAME] [--reason TEXT]",
		Description: `Checks the policy, resolves the target (a short host name that matches
several machines is asked about, never guessed), shows the exact API call
and asks. Then it executes, waits for the connector and reads the result
back. A host already isolated is not isolated again: the no-op is recorded.
Approving an action left executing (an interrupted sleuth, a wait that
timed out) looks for its call at the connector and resumes it; the call is
never sent twice. A block-IP recommendation is acknowledged, never run.

Examples:
  sleuth respond approve act-3
  sleuth respond approve act-3 --dry-run
  sleuth respond approve act-3 --yes --reason "confirmed with the desk"
  sleuth respond approve act-5 --yes --confirm-protected dc01.contoso.com`,
		Flags:  approvalFlags(),
		Action: a.respondApprove,
	}
}

func (a *app) respondDenyCmd() *ucli.Command {
	return &ucli.Command{
		Name:      "deny",
		Usage:     "deny a proposed action",
		UsageText: "sleuth respond deny ID [--reason TEXT]",
		Description: `Records the denial and its reason; a denied action never runs.

Examples:
  sleuth respond deny act-4 --reason "service account, expected behaviour"`,
		Flags:  []ucli.Flag{&ucli.StringFlag{Name: "reason", Usage: "why, recorded in the audit log (`TEXT`)"}},
		Action: a.respondDeny,
	}
}

func (a *app) respondReleaseCmd() *ucli.Command {
	return &ucli.Command{
		Name:      "release",
		Usage:     "release a host from isolation",
		UsageText: "sleuth respond release HOST [--connector NAME] [--yes] [--dry-run] [--reason TEXT]",
		Description: `Records a release action, asks (or takes --yes), executes and verifies.
Releasing a host that is not isolated is a recorded no-op.

Examples:
  sleuth respond release ws1.contoso.com
  sleuth respond release ws1 --connector mde --yes --reason "reimaged"`,
		Flags:  approvalFlags(),
		Action: a.respondRelease,
	}
}

// respondSession is an engine with what it opened, for one command.
type respondSession struct {
	*respond.Engine
	closers []func() error
}

func (s *respondSession) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	return errors.Join(errs...)
}

// newRespondSession builds the response engine from the config: the
// policy, the actions file and audit log next to the store, the analyst
// (config analyst:, else the OS user), a terminal prompter when stdin is a
// terminal, and connectors built on first use. The hunt command uses it
// too.
func (a *app) newRespondSession() (*respondSession, error) {
	cfg, _, err := config.Load(a.configPath)
	if err != nil {
		return nil, err
	}
	pol, err := respond.PolicyFromConfig(cfg.Respond)
	if err != nil {
		return nil, err
	}
	actor := cfg.Analyst
	if actor == "" {
		actor = audit.OSUser()
	}
	log, err := audit.OpenWith(a.auditLogPath(), audit.Options{Actor: actor})
	if err != nil {
		return nil, err
	}
	s := &respondSession{closers: []func() error{log.Close}}
	s.Engine = &respond.Engine{
		Store:  respond.OpenStore(filepath.Join(filepath.Dir(a.dbPath), "actions.json")),
		Audit:  log,
		Policy: pol,
		Actor:  actor,
	}
	if a.stdinIsTerminal() {
		s.Prompter = respond.NewTerminalPrompter(a.stdin, a.stderr)
	}
	s.Build = func(name string) (respond.Connector, error) { return a.buildConnector(s, cfg.Respond, name) }
	return s, nil
}

func (a *app) stdinIsTerminal() bool { return isTerminal(a.stdin) }

// buildConnector makes one connector from the config and the environment.
// Tokens and secrets come from the environment first and are never
// printed.
func (a *app) buildConnector(s *respondSession, c config.Respond, name string) (respond.Connector, error) {
	env := func(k string) string { return strings.TrimSpace(a.getenv(k)) }
	switch name {
	case respond.ConnectorLab:
		if !a.storeExists() {
			return nil, &respond.Error{Code: "connector.unavailable", Msg: "the lab store " + a.dbPath + " does not exist",
				Hint: "build it with 'sleuth lab generate' or 'sleuth ingest', or point --db at it"}
		}
		st, err := store.Open(context.Background(), a.dbPath, store.Options{InitSQL: a.storeInitSQL()})
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, st.Close)
		now := a.now
		return lab.New(st, func() time.Time { return now }), nil
	case respond.ConnectorMDE:
		auth, err := azureAuth(env("SLEUTH_MDE_TOKEN"), c.MDE, env, respond.ScopeMDE)
		if err != nil {
			return nil, err
		}
		return respond.NewMDE(firstNonBlank(env("SLEUTH_MDE_URL"), c.MDE.URL), auth, respond.HTTPOptions{}), nil
	case respond.ConnectorEntra:
		auth, err := azureAuth(env("SLEUTH_GRAPH_TOKEN"), c.Entra, env, respond.ScopeGraph)
		if err != nil {
			return nil, err
		}
		return respond.NewEntra(firstNonBlank(env("SLEUTH_GRAPH_URL"), c.Entra.URL), auth, respond.HTTPOptions{}), nil
	case respond.ConnectorElastic:
		url := firstNonBlank(env("SLEUTH_KIBANA_URL"), c.Elastic.URL)
		key := firstNonBlank(env("SLEUTH_KIBANA_API_KEY"), env(c.Elastic.APIKeyEnv), c.Elastic.APIKey)
		if url == "" || key == "" {
			return nil, &respond.Error{Code: "connector.unavailable", Msg: "elastic needs Kibana's URL and an API key",
				Hint: "set SLEUTH_KIBANA_URL and SLEUTH_KIBANA_API_KEY, or respond.elastic.url and api_key_env"}
		}
		return respond.NewElastic(url, c.Elastic.Space, respond.APIKey(key), respond.HTTPOptions{}), nil
	case respond.ConnectorWebhook:
		url := firstNonBlank(env("SLEUTH_WEBHOOK_URL"), c.Webhook.URL)
		secret := firstNonBlank(env("SLEUTH_WEBHOOK_SECRET"), env(c.Webhook.SecretEnv), c.Webhook.Secret)
		if url == "" || secret == "" {
			return nil, &respond.Error{Code: "connector.unavailable", Msg: "the webhook needs a URL and a signing secret",
				Hint: "set respond.webhook.url and SLEUTH_WEBHOOK_SECRET (or respond.webhook.secret_env)"}
		}
		return respond.NewWebhook(url, []byte(secret), respond.HTTPOptions{}), nil
	}
	return nil, &respond.Error{Code: "connector.unavailable", Msg: "unknown connector " + name,
		Hint: "use one of " + strings.Join(respond.ConnectorNames, ", ")}
}

// azureAuth prefers a bearer token from the environment, then a client
// secret from the config, then DefaultAzureCredential.
func azureAuth(token string, app config.AzureApp, env func(string) string, scope string) (respond.Authorizer, error) {
	if token != "" {
		return respond.BearerToken(token), nil
	}
	secret := firstNonBlank(env(app.ClientSecretEnv), app.ClientSecret)
	cred, err := respond.NewAzureCredential(app.TenantID, app.ClientID, secret)
	if err != nil {
		return nil, &respond.Error{Code: "auth.unavailable", Msg: "no Azure credential", Err: err,
			Hint: "run 'az login', set a client id and client_secret_env in the respond: section, or a bearer token in the environment"}
	}
	return respond.AzureCredential(cred, scope), nil
}

func firstNonBlank(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// oneArg returns the command's single argument.
func oneArg(cmd *ucli.Command, what string) (string, error) {
	if cmd.Args().Len() != 1 {
		return "", usagef("usage: "+cmd.UsageText, "%s needs exactly one %s", cmd.FullName(), what)
	}
	return cmd.Args().First(), nil
}

var actionColumns = []rows.Column{
	{Name: "id", Type: catalog.String}, {Name: "type", Type: catalog.String}, {Name: "target", Type: catalog.String},
	{Name: "status", Type: catalog.String}, {Name: "finding_id", Type: catalog.String}, {Name: "connector", Type: catalog.String},
	{Name: "rule", Type: catalog.String}, {Name: "updated", Type: catalog.Datetime}, {Name: "reason", Type: catalog.String},
	{Name: "outcome", Type: catalog.String},
}

func actionSet(actions []*respond.Action) *rows.Set {
	set := &rows.Set{Columns: actionColumns}
	for _, x := range actions {
		set.Rows = append(set.Rows, []any{x.ID, string(x.Type), x.Target, string(x.Status), x.FindingID, x.Connector,
			x.Rule, x.Updated(), x.LastReason(), x.Outcome})
	}
	return set
}

func (a *app) respondList(ctx context.Context, cmd *ucli.Command) error {
	if cmd.Args().Present() {
		return usagef("usage: "+cmd.UsageText, "unexpected argument %q", cmd.Args().First())
	}
	st, err := respond.OpenStore(filepath.Join(filepath.Dir(a.dbPath), "actions.json")).Load()
	if err != nil {
		return err
	}
	want := respond.Status(strings.ToLower(cmd.String("status")))
	list := st.Find(func(x *respond.Action) bool { return want == "" || x.Status == want })
	if len(list) == 0 && cmd.String("format") == formatTable {
		fmt.Fprintln(a.stderr, "sleuth: no actions yet; hunts propose them, or 'sleuth respond propose FILE'")
	}
	return writeSet(a.stdout, cmd.String("format"), actionSet(list))
}

func (a *app) respondShow(ctx context.Context, cmd *ucli.Command) error {
	id, err := oneArg(cmd, "action ID")
	if err != nil {
		return err
	}
	st, err := respond.OpenStore(filepath.Join(filepath.Dir(a.dbPath), "actions.json")).Load()
	if err != nil {
		return err
	}
	x, err := st.Get(id)
	if err != nil {
		return err
	}
	return a.writeAction(cmd.String("format"), x, true)
}

// writeAction prints one action: JSON, a detailed view, or one line.
func (a *app) writeAction(format string, x *respond.Action, detail bool) error {
	if format == formatJSON {
		b, err := json.MarshalIndent(x, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	if !detail {
		_, err := fmt.Fprintf(a.stdout, "%s %s: %s\n", x.ID, x.Status, firstNonBlank(x.Outcome, x.LastReason(), x.Describe()))
		return err
	}
	w := bufio.NewWriter(a.stdout)
	fmt.Fprintf(w, "%s  %s\n", x.ID, x.Describe())
	for _, kv := range [][2]string{{"status", string(x.Status)}, {"target", x.Target}, {"finding", x.FindingID},
		{"related", strings.Join(x.Related, ", ")}, {"rule", x.Rule}, {"why", x.Why}, {"connector", x.Connector},
		{"protection", x.Protection}, {"key", x.Key}, {"remote id", x.RemoteID}, {"outcome", x.Outcome},
		{"evidence", strings.Join(x.Evidence, ", ")}} {
		if kv[1] != "" {
			fmt.Fprintf(w, "  %-10s %s\n", kv[0]+":", kv[1])
		}
	}
	if x.Resolved != nil {
		fmt.Fprintf(w, "  %-10s %s (%s)\n", "resolved:", x.Resolved.Name, x.Resolved.ID)
	}
	fmt.Fprintln(w, "  history:")
	for _, h := range x.History {
		fmt.Fprintf(w, "    %s  %-9s  %s  %s\n", formatDatetime(h.Time), h.Status, h.Actor, h.Reason)
	}
	return w.Flush()
}

func (a *app) respondPropose(ctx context.Context, cmd *ucli.Command) error {
	path, err := oneArg(cmd, "FILE of findings")
	if err != nil {
		return err
	}
	findings, err := a.readFindings(path)
	if err != nil {
		return err
	}
	s, err := a.newRespondSession()
	if err != nil {
		return err
	}
	defer s.Close()
	actions := respond.Propose(findings, s.Policy)
	if err := s.Submit(ctx, actions); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "sleuth: %d findings, %d actions proposed\n", len(findings), len(actions))
	return writeSet(a.stdout, cmd.String("format"), actionSet(actions))
}

// readFindings reads a JSON array of findings or one finding a line.
func (a *app) readFindings(path string) ([]respond.Finding, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(a.stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, withCode("respond.input", "name a JSON or JSON-lines file of findings", err)
	}
	trimmed := bytes.TrimSpace(b)
	if bytes.HasPrefix(trimmed, []byte("[")) {
		var fs []respond.Finding
		if err := json.Unmarshal(trimmed, &fs); err != nil {
			return nil, withCode("respond.input", "the file must be a JSON array of findings or one finding a line", fmt.Errorf("%s: %w", path, err))
		}
		return fs, nil
	}
	// A whole report ({"findings": [...]}) is accepted too.
	var report struct {
		Findings []respond.Finding `json:"findings"`
	}
	if json.Unmarshal(trimmed, &report) == nil && report.Findings != nil {
		return report.Findings, nil
	}
	var fs []respond.Finding
	for i, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var f respond.Finding
		if err := json.Unmarshal(line, &f); err != nil {
			return nil, withCode("respond.input", `each line must be one finding: {"id":"F1","techniques":["T1003.001"],"hosts":["ws1"]}`,
				fmt.Errorf("%s:%d: %w", path, i+1, err))
		}
		fs = append(fs, f)
	}
	return fs, nil
}

func approveOptions(cmd *ucli.Command) respond.ApproveOptions {
	return respond.ApproveOptions{Connector: cmd.String("connector"), Reason: cmd.String("reason"),
		Yes: cmd.Bool("yes"), ConfirmName: cmd.String("confirm-protected")}
}

// dryRun reports whether approval should only show the call: asked for,
// or no terminal and no --yes under a policy that makes that a dry run.
func (s *respondSession) dryRun(cmd *ucli.Command) (bool, error) {
	switch {
	case cmd.Bool("dry-run"):
		return true, nil
	case cmd.Bool("yes") || s.Prompter != nil:
		return false, nil
	case s.Policy.DryRunOutsideTerminal:
		return true, nil
	}
	return false, usagef("pass --yes to approve without a terminal", "approval needs a terminal or --yes")
}

// showDryRun prints the exact call an action would make.
func (a *app) showDryRun(ctx context.Context, s *respondSession, x *respond.Action, connector, format string) error {
	call, err := s.Preview(ctx, x, connector)
	if call.Method == "" {
		return err // no connector to show a call for
	}
	if format == formatJSON {
		b, _ := json.MarshalIndent(map[string]any{"action": x, "call": call, "dry_run": true}, "", "  ")
		fmt.Fprintf(a.stdout, "%s\n", b)
	} else {
		fmt.Fprintf(a.stdout, "%s  %s\n%s", firstNonBlank(x.ID, "(new)"), x.Describe(), call.String())
	}
	fmt.Fprintln(a.stderr, "sleuth: dry run: nothing was sent; approve from a terminal or with --yes to execute")
	return err
}

func (a *app) respondApprove(ctx context.Context, cmd *ucli.Command) error {
	id, err := oneArg(cmd, "action ID")
	if err != nil {
		return err
	}
	s, err := a.newRespondSession()
	if err != nil {
		return err
	}
	defer s.Close()
	x, err := s.Get(id)
	if err != nil {
		return err
	}
	dry, err := s.dryRun(cmd)
	if err != nil {
		return err
	}
	if dry && x.Status != respond.Executing {
		return a.showDryRun(ctx, s, x, cmd.String("connector"), cmd.String("format"))
	}
	x, err = s.Approve(ctx, x.ID, approveOptions(cmd))
	if err != nil {
		return err
	}
	if x.Status == respond.Denied || x.Type.Recommendation() {
		return a.writeAction(cmd.String("format"), x, false)
	}
	return a.runApproved(ctx, s, x.ID, cmd.String("format"))
}

// runApproved executes an approved action and reports how it ended.
func (a *app) runApproved(ctx context.Context, s *respondSession, id, format string) error {
	x, err := s.Execute(ctx, id)
	if x != nil {
		if werr := a.writeAction(format, x, false); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if x.Status == respond.Executing {
		return &respond.Error{Code: "respond.pending", Msg: x.ID + " is still running at " + x.Connector,
			Hint: "'sleuth respond approve " + x.ID + "' checks again and records the result"}
	}
	return nil
}

func (a *app) respondDeny(ctx context.Context, cmd *ucli.Command) error {
	id, err := oneArg(cmd, "action ID")
	if err != nil {
		return err
	}
	s, err := a.newRespondSession()
	if err != nil {
		return err
	}
	defer s.Close()
	x, err := s.Deny(ctx, id, cmd.String("reason"))
	if err != nil {
		return err
	}
	return a.writeAction(formatTable, x, false)
}

func (a *app) respondRelease(ctx context.Context, cmd *ucli.Command) error {
	host, err := oneArg(cmd, "HOST")
	if err != nil {
		return err
	}
	s, err := a.newRespondSession()
	if err != nil {
		return err
	}
	defer s.Close()
	dry, err := s.dryRun(cmd)
	if err != nil {
		return err
	}
	o := approveOptions(cmd)
	if dry {
		return a.showDryRun(ctx, s, s.NewRelease(host, o.Connector, o.Reason), o.Connector, cmd.String("format"))
	}
	x, err := s.Release(ctx, host, o)
	if x != nil && x.Status != respond.Proposed {
		if werr := a.writeAction(cmd.String("format"), x, false); werr != nil {
			return werr
		}
	}
	return err
}
