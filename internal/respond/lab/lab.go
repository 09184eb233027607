// Package lab is the response connector for the embedded lab: instead of
// calling an API it records each action in the store as the telemetry a
// real tenant would produce, so later hunts see a host as isolated or an
// account as disabled.
//
// What a hunter's query sees:
//
//	DeviceEvents | where ActionType in ("MachineIsolated", "MachineReleasedFromIsolation",
//	                                    "AntivirusScanCompleted", "InvestigationPackageCollected")
//	IdentityDirectoryEvents | where ActionType in ("Account Disabled changed", "User sign-in sessions revoked")
//
// AdditionalFields carries {"sleuth_action_id", "idempotency_key",
// "comment", "isolation_type" or "scan_type", "connector": "lab"}; the
// account-disabled event also carries "FROM Account Disabled" and
// "TO Account Disabled" as Defender for Identity does. Events are stamped
// at sleuth's reference time (--now), so hunts over the simulated week see
// them. "AntivirusScanCompleted" and "Account Disabled changed" are real
// Defender action types; the others follow their naming.
package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/respond"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// Action types the lab writes.
const (
	Isolated         = "MachineIsolated"
	Released         = "MachineReleasedFromIsolation"
	ScanCompleted    = "AntivirusScanCompleted"
	PackageCollected = "InvestigationPackageCollected"
	AccountDisabled  = "Account Disabled changed"
	SessionsRevoked  = "User sign-in sessions revoked"
)

// Connector records actions in a lab store.
type Connector struct {
	st  *store.Store
	now func() time.Time
}

// New returns the lab connector over st. now stamps the events (sleuth's
// reference time); time.Now when nil.
func New(st *store.Store, now func() time.Time) *Connector {
	if now == nil {
		now = time.Now
	}
	return &Connector{st: st, now: now}
}

// Name implements respond.Connector.
func (c *Connector) Name() string { return respond.ConnectorLab }

// Supports implements respond.Connector.
func (c *Connector) Supports(t respond.Type) bool { return !t.Recommendation() }

// hostSources are where lab hosts appear, best first.
var hostSources = []string{"DeviceInfo", "DeviceProcessEvents", "DeviceLogonEvents", "DeviceNetworkEvents", "DeviceEvents", "DeviceFileEvents"}

// userSources are (table, column) pairs naming users, best first.
var userSources = [][2]string{
	{"IdentityInfo", "AccountUpn"}, {"IdentityLogonEvents", "AccountUpn"}, {"AADSignInEventsBeta", "AccountUpn"},
	{"SigninLogs", "UserPrincipalName"}, {"IdentityInfo", "AccountName"}, {"DeviceLogonEvents", "AccountName"},
	{"DeviceProcessEvents", "AccountName"},
}

// has reports whether the catalog has table.column, in any letter case.
func (c *Connector) has(table, column string) bool {
	t, ok := c.st.Catalog().Table(table)
	if !ok {
		return false
	}
	// DuckDB identifiers are case-insensitive and Microsoft's schemas spell
	// some columns both ways (AccountUpn, AccountUPN).
	for _, col := range t.Columns {
		if strings.EqualFold(col.Name, column) {
			return true
		}
	}
	return false
}

// Resolve finds the host's DeviceId (or the user's name) in the lab's
// telemetry. Several distinct matches are put to the prompter.
func (c *Connector) Resolve(ctx context.Context, a *respond.Action, p respond.Prompter) (respond.Target, error) {
	if a.Type.Entity() == respond.User {
		return c.resolveUser(ctx, a, p)
	}
	name := strings.ToLower(strings.TrimSpace(a.Target))
	var parts []string
	for _, t := range hostSources {
		if c.has(t, "DeviceName") && c.has(t, "DeviceId") {
			parts = append(parts, fmt.Sprintf(`SELECT DISTINCT DeviceId AS id, lower(DeviceName) AS name FROM %q WHERE lower(DeviceName) = $1 OR split_part(lower(DeviceName), '.', 1) = $1`, t))
		}
	}
	if len(parts) == 0 {
		return respond.Target{}, notFound("host", name)
	}
	set, err := c.query(ctx, "SELECT DISTINCT id, name FROM ("+strings.Join(parts, " UNION ALL ")+") ORDER BY name, id", name)
	if err != nil {
		return respond.Target{}, err
	}
	var found []respond.Target
	for _, r := range set.Rows {
		id, host := str(r[0]), str(r[1])
		found = append(found, respond.Target{ID: firstNonEmpty(id, host), Name: host})
	}
	found = dedupe(found)
	switch len(found) {
	case 0:
		return respond.Target{}, notFound("host", name)
	case 1:
		found[0].Tags, err = c.hostTags(ctx, found[0].ID)
		return found[0], err
	}
	return c.choose(ctx, p, name, "hosts", found)
}

// hostTags reads the device's tags and machine group from DeviceInfo, for
// protected-asset patterns such as tag:domain-controller.
func (c *Connector) hostTags(ctx context.Context, id string) ([]string, error) {
	if !c.has("DeviceInfo", "RegistryDeviceTag") || !c.has("DeviceInfo", "MachineGroup") {
		return nil, nil
	}
	set, err := c.query(ctx, `SELECT DISTINCT RegistryDeviceTag, MachineGroup FROM DeviceInfo WHERE DeviceId = $1`, id)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var tags []string
	for _, r := range set.Rows {
		for _, v := range r {
			for _, t := range strings.FieldsFunc(str(v), func(r rune) bool { return r == ',' || r == ';' }) {
				if t = strings.TrimSpace(t); t != "" && !seen[strings.ToLower(t)] {
					seen[strings.ToLower(t)] = true
					tags = append(tags, t)
				}
			}
		}
	}
	sort.Strings(tags)
	return tags, nil
}

func (c *Connector) resolveUser(ctx context.Context, a *respond.Action, p respond.Prompter) (respond.Target, error) {
	name := strings.ToLower(strings.TrimSpace(a.Target))
	if i := strings.LastIndexByte(name, '\\'); i >= 0 {
		name = name[i+1:]
	}
	var parts []string
	for _, src := range userSources {
		if c.has(src[0], src[1]) {
			parts = append(parts, fmt.Sprintf(`SELECT DISTINCT lower(%q) AS name FROM %q WHERE lower(%q) = $1 OR lower(%q) LIKE $1 || '@%%'`, src[1], src[0], src[1], src[1]))
		}
	}
	if len(parts) == 0 {
		return respond.Target{}, notFound("user", name)
	}
	set, err := c.query(ctx, "SELECT DISTINCT name FROM ("+strings.Join(parts, " UNION ALL ")+") ORDER BY name", name)
	if err != nil {
		return respond.Target{}, err
	}
	var found []respond.Target
	for _, r := range set.Rows {
		found = append(found, respond.Target{ID: str(r[0]), Name: str(r[0])})
	}
	// A bare account name and the UPN it begins are one user.
	if len(found) > 1 {
		var upns []respond.Target
		for _, t := range found {
			if strings.Contains(t.Name, "@") {
				upns = append(upns, t)
			}
		}
		if len(upns) > 0 {
			found = upns
		}
	}
	switch len(found) {
	case 0:
		return respond.Target{}, notFound("user", name)
	case 1:
		return found[0], nil
	}
	return c.choose(ctx, p, name, "users", found)
}

func (c *Connector) choose(ctx context.Context, p respond.Prompter, name, what string, found []respond.Target) (respond.Target, error) {
	options := make([]string, len(found))
	for i, t := range found {
		options[i] = fmt.Sprintf("%s (id %s)", t.Name, t.ID)
	}
	q := fmt.Sprintf("%d lab %s match %q; which one?", len(found), what, name)
	if p != nil {
		i, err := p.Choose(ctx, q, options)
		if err != nil {
			return respond.Target{}, err
		}
		if i >= 0 && i < len(found) {
			return found[i], nil
		}
	}
	return respond.Target{}, &respond.Error{Code: "respond.ambiguous", Msg: q + "\n  " + strings.Join(options, "\n  "),
		Hint: "sleuth never guesses: name the target exactly (its full name), or approve from a terminal to choose"}
}

func notFound(what, name string) error {
	return &respond.Error{Code: "respond.unknown_target", Msg: fmt.Sprintf("lab: no %s named %s in the store", what, name),
		Hint: "'sleuth query' can list the lab's " + what + "s; the lab connector only acts on what the store holds"}
}

// Plan implements respond.Connector.
func (c *Connector) Plan(a *respond.Action, t respond.Target) respond.Call {
	table, row := c.event(a, t, 0)
	return respond.Call{Method: "INSERT", URL: "store:" + table, Resolved: describe(t), Body: row,
		Note: "the lab records the action as telemetry; later hunts see it"}
}

func describe(t respond.Target) string {
	if t.ID == "" || t.ID == t.Name {
		return t.Name
	}
	return fmt.Sprintf("%s (DeviceId %s)", t.Name, t.ID)
}

// actionTypes maps action types to the event each writes.
var actionTypes = map[respond.Type]string{
	respond.IsolateHost: Isolated, respond.ReleaseHost: Released, respond.RunAVScan: ScanCompleted,
	respond.CollectPackage: PackageCollected, respond.DisableUser: AccountDisabled, respond.RevokeSessions: SessionsRevoked,
}

// event is the row the action writes, as column → value.
func (c *Connector) event(a *respond.Action, t respond.Target, reportID int64) (string, map[string]any) {
	extra := map[string]any{"sleuth_action_id": a.ID, "idempotency_key": a.Key, "comment": a.Comment(), "connector": "lab"}
	now := c.now().UTC()
	if a.Type.Entity() == respond.User {
		if a.Type == respond.DisableUser {
			extra["FROM Account Disabled"], extra["TO Account Disabled"] = "false", "true"
		}
		return "IdentityDirectoryEvents", map[string]any{
			"TimeGenerated": now, "Timestamp": now, "ActionType": actionTypes[a.Type], "Application": "sleuth",
			"TargetAccountUpn": t.Name, "AccountUpn": a.Target, "ReportId": reportID, "AdditionalFields": extra,
		}
	}
	switch a.Type {
	case respond.IsolateHost:
		extra["isolation_type"] = a.IsolationType
	case respond.RunAVScan:
		extra["scan_type"] = a.ScanType
	}
	return "DeviceEvents", map[string]any{
		"TimeGenerated": now, "Timestamp": now, "DeviceId": t.ID, "DeviceName": t.Name, "ActionType": actionTypes[a.Type],
		"InitiatingProcessAccountName": "sleuth", "ReportId": reportID, "AdditionalFields": extra,
	}
}

// Current reads the lab's events: this action's own event (by key), the
// latest isolation event for isolate and release, or the account's latest
// disable event.
func (c *Connector) Current(ctx context.Context, a *respond.Action, t respond.Target) (respond.State, error) {
	table, col := "DeviceEvents", "DeviceId"
	if a.Type.Entity() == respond.User {
		table, col = "IdentityDirectoryEvents", "TargetAccountUpn"
	}
	if !c.has(table, "AdditionalFields") {
		return respond.State{Effect: respond.EffectAbsent}, nil
	}
	set, err := c.query(ctx, fmt.Sprintf(`SELECT ReportId FROM %q WHERE %q = $1 AND CAST(AdditionalFields AS VARCHAR) LIKE '%%' || $2 || '%%'`, table, col), t.ID, a.Key)
	if err != nil {
		return respond.State{}, err
	}
	if len(set.Rows) > 0 {
		return respond.State{Effect: respond.EffectPresent, Ours: true, RemoteID: "lab-" + str(set.Rows[0][0]),
			Detail: actionTypes[a.Type] + " recorded in " + table}, nil
	}
	switch a.Type {
	case respond.IsolateHost, respond.ReleaseHost:
		return c.isolation(ctx, a, t)
	case respond.DisableUser:
		return c.disabled(ctx, t)
	}
	return respond.State{Effect: respond.EffectAbsent, Detail: "not recorded yet"}, nil
}

func (c *Connector) isolation(ctx context.Context, a *respond.Action, t respond.Target) (respond.State, error) {
	set, err := c.query(ctx, `SELECT ActionType, TimeGenerated FROM DeviceEvents WHERE DeviceId = $1 AND ActionType IN ($2, $3)
		ORDER BY TimeGenerated DESC, ReportId DESC LIMIT 1`, t.ID, Isolated, Released)
	if err != nil {
		return respond.State{}, err
	}
	isolated := len(set.Rows) == 1 && str(set.Rows[0][0]) == Isolated
	detail := t.Name + " is not isolated"
	if isolated {
		detail = fmt.Sprintf("%s isolated since %v", t.Name, set.Rows[0][1])
	}
	if isolated == (a.Type == respond.IsolateHost) {
		return respond.State{Effect: respond.EffectPresent, Detail: detail}, nil
	}
	return respond.State{Effect: respond.EffectAbsent, Detail: detail}, nil
}

func (c *Connector) disabled(ctx context.Context, t respond.Target) (respond.State, error) {
	set, err := c.query(ctx, `SELECT AdditionalFields FROM IdentityDirectoryEvents WHERE TargetAccountUpn = $1 AND ActionType = $2
		ORDER BY TimeGenerated DESC, ReportId DESC LIMIT 1`, t.ID, AccountDisabled)
	if err != nil {
		return respond.State{}, err
	}
	if len(set.Rows) == 1 && jsonField(set.Rows[0][0], "TO Account Disabled") == "true" {
		return respond.State{Effect: respond.EffectPresent, Detail: t.Name + " is disabled"}, nil
	}
	return respond.State{Effect: respond.EffectAbsent, Detail: t.Name + " is enabled"}, nil
}

// Execute appends the action's event.
func (c *Connector) Execute(ctx context.Context, a *respond.Action, t respond.Target) (string, error) {
	id, err := c.nextReportID(ctx, a)
	if err != nil {
		return "", err
	}
	table, row := c.event(a, t, id)
	err = c.append(ctx, table, row)
	respond.ReportCall(ctx, respond.APICall{Connector: respond.ConnectorLab, Method: "INSERT", URL: "store:" + table, Err: err})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("lab-%d", id), nil
}

// nextReportID orders the lab's own events when they share a timestamp.
func (c *Connector) nextReportID(ctx context.Context, a *respond.Action) (int64, error) {
	q := `SELECT coalesce(max(ReportId), 0) + 1 FROM DeviceEvents`
	if a.Type.Entity() == respond.User {
		q = `SELECT coalesce(max(TRY_CAST(ReportId AS BIGINT)), 0) + 1 FROM IdentityDirectoryEvents`
	}
	set, err := c.query(ctx, q)
	if err != nil || len(set.Rows) == 0 {
		return 0, err
	}
	n, _ := set.Rows[0][0].(int64)
	return n, nil
}

func (c *Connector) append(ctx context.Context, table string, row map[string]any) error {
	t, ok := c.st.Catalog().Table(table)
	if !ok {
		return &respond.Error{Code: "respond.failed", Msg: "lab: the catalog has no " + table + " table"}
	}
	byName := make(map[string]any, len(row))
	for k, v := range row {
		byName[strings.ToLower(k)] = v
	}
	vals := make([]any, len(t.Columns))
	for i, col := range t.Columns {
		v := byName[strings.ToLower(col.Name)]
		// AdditionalFields is a string in some schemas and dynamic in
		// others; either way it holds the same JSON.
		if m, ok := v.(map[string]any); ok {
			b, err := json.Marshal(m)
			if err != nil {
				return err
			}
			if col.Type == catalog.Dynamic {
				v = json.RawMessage(b)
			} else {
				v = string(b)
			}
		}
		vals[i] = v
	}
	app, err := c.st.Appender(ctx, table)
	if err != nil {
		return err
	}
	if err := app.Append(vals); err != nil {
		app.Close()
		return err
	}
	return app.Close()
}

// Wait implements respond.Connector: the event is written when Execute
// returns.
func (c *Connector) Wait(context.Context, *respond.Action, respond.Target, string) (respond.Result, error) {
	return respond.Result{Done: true, OK: true, Detail: "recorded in the lab store"}, nil
}

func (c *Connector) query(ctx context.Context, q string, args ...any) (*rows.Set, error) {
	return c.st.Query(ctx, q, 0, args...)
}

// jsonField reads a field of a JSON object held as a decoded dynamic value
// or as JSON text.
func jsonField(v any, key string) string {
	m, ok := v.(map[string]any)
	if s, isText := v.(string); isText {
		json.Unmarshal([]byte(s), &m)
	} else if !ok {
		return ""
	}
	return str(m[key])
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func dedupe(ts []respond.Target) []respond.Target {
	seen := map[string]bool{}
	var out []respond.Target
	for _, t := range ts {
		k := t.ID + "\x00" + t.Name
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}
