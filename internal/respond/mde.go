package respond

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMDEURL is the Defender for Endpoint API (SLEUTH_MDE_URL overrides).
const DefaultMDEURL = "https://api.securitycenter.microsoft.com"

// MDE is the Defender for Endpoint connector: the machines API's isolate,
// unisolate, runAntiVirusScan and collectInvestigationPackage, then polling
// the machine action until it is Succeeded, Failed, Cancelled or TimeOut.
// It keeps to the documented rate limits (100 calls a minute, 1,500 an
// hour) and honours Retry-After.
type MDE struct {
	c         *apiClient
	pollFirst time.Duration
}

// NewMDE returns the connector for the API at base (DefaultMDEURL when "").
func NewMDE(base string, auth Authorizer, o HTTPOptions) *MDE {
	if base == "" {
		base = DefaultMDEURL
	}
	c := newAPIClient(ConnectorMDE, base, auth, o)
	c.limits = []*rate.Limiter{
		rate.NewLimiter(rate.Every(time.Minute/100), 100),
		rate.NewLimiter(rate.Every(time.Hour/1500), 1500),
	}
	c.hintAuth = "the token was rejected: run 'az login', check respond.mde's client id and secret, or refresh SLEUTH_MDE_TOKEN"
	c.hintForbidden = "the app or user lacks a permission: Machine.Read.All to resolve, Machine.Isolate, Machine.Scan or Machine.CollectForensics to act"
	return &MDE{c: c, pollFirst: o.PollInterval}
}

// Name implements Connector.
func (m *MDE) Name() string { return ConnectorMDE }

// Supports implements Connector.
func (m *MDE) Supports(t Type) bool { return connectorSupports(ConnectorMDE, t) }

// mdeMachine is the part of a machine entity sleuth reads.
type mdeMachine struct {
	ID              string    `json:"id"`
	ComputerDNSName string    `json:"computerDnsName"`
	HealthStatus    string    `json:"healthStatus"`
	LastSeen        time.Time `json:"lastSeen"`
	MachineTags     []string  `json:"machineTags"`
}

// mdeAction is the part of a machine action sleuth reads.
type mdeAction struct {
	ID               string    `json:"id"`
	Type             string    `json:"type"`
	Scope            string    `json:"scope"`
	Requestor        string    `json:"requestor"`
	RequestorComment string    `json:"requestorComment"`
	Status           string    `json:"status"`
	MachineID        string    `json:"machineId"`
	Created          time.Time `json:"creationDateTimeUtc"`
}

func (a mdeAction) running() bool { return a.Status == "Pending" || a.Status == "InProgress" }

func (a mdeAction) final() bool {
	switch a.Status {
	case "Succeeded", "Failed", "Cancelled", "TimeOut":
		return true
	}
	return false
}

// Resolve finds the machine id: an exact computerDnsName first, then, for a
// short name, the machines whose first DNS label is that name. Several
// matches are put to the prompter; sleuth never picks one itself.
func (m *MDE) Resolve(ctx context.Context, a *Action, p Prompter) (Target, error) {
	name := strings.ToLower(strings.TrimSpace(a.Target))
	found, err := m.machines(ctx, "computerDnsName eq "+odataQuote(name))
	if err != nil {
		return Target{}, err
	}
	if len(found) == 0 && !strings.Contains(name, ".") {
		prefixed, err := m.machines(ctx, "startswith(computerDnsName,"+odataQuote(name)+")")
		if err != nil {
			return Target{}, err
		}
		for _, mc := range prefixed {
			if label, _, _ := strings.Cut(strings.ToLower(mc.ComputerDNSName), "."); label == name {
				found = append(found, mc)
			}
		}
		if len(found) == 0 && len(prefixed) > 0 {
			return Target{}, errorf("respond.unknown_target", "similar machines: "+machineNames(prefixed)+"; name one of them exactly",
				"mde: no machine named %s", name)
		}
	}
	switch len(found) {
	case 0:
		return Target{}, errorf("respond.unknown_target", "check the name in the Defender portal's device inventory",
			"mde: no machine named %s", name)
	case 1:
		return machineTarget(found[0]), nil
	}
	sort.Slice(found, func(i, j int) bool { return found[i].LastSeen.After(found[j].LastSeen) })
	options := make([]string, len(found))
	for i, mc := range found {
		options[i] = fmt.Sprintf("%s (machine %s, %s, last seen %s)", mc.ComputerDNSName, mc.ID, mc.HealthStatus, mc.LastSeen.Format(time.RFC3339))
	}
	return choose(ctx, p, fmt.Sprintf("%d machines match %q; which one?", len(found), name), options, func(i int) Target { return machineTarget(found[i]) })
}

// choose asks the prompter to pick one candidate; without a prompter or a
// choice it fails with respond.ambiguous.
func choose(ctx context.Context, p Prompter, question string, options []string, pick func(int) Target) (Target, error) {
	if p != nil {
		i, err := p.Choose(ctx, question, options)
		if err != nil {
			return Target{}, err
		}
		if i >= 0 && i < len(options) {
			return pick(i), nil
		}
	}
	return Target{}, &Error{Code: "respond.ambiguous", Msg: question + "\n  " + strings.Join(options, "\n  "),
		Hint: "sleuth never guesses: name the target exactly (its full name), or approve from a terminal to choose"}
}

func machineTarget(mc mdeMachine) Target {
	return Target{ID: mc.ID, Name: mc.ComputerDNSName, Tags: mc.MachineTags}
}

func machineNames(ms []mdeMachine) string {
	var names []string
	for i, mc := range ms {
		if i == 5 {
			names = append(names, "…")
			break
		}
		names = append(names, mc.ComputerDNSName)
	}
	return strings.Join(names, ", ")
}

// machines lists machines matching an OData filter. The API answers 404
// when no machine matches.
func (m *MDE) machines(ctx context.Context, filter string) ([]mdeMachine, error) {
	var out struct {
		Value []mdeMachine `json:"value"`
	}
	_, err := m.c.do(ctx, http.MethodGet, "/api/machines?$filter="+queryEscape(filter), nil, &out)
	if Code(err) == "connector.not_found" {
		return nil, nil
	}
	return out.Value, err
}

// mdeVerbs maps action types to the machines API's verbs and machine action
// types.
var mdeVerbs = map[Type]struct{ path, actionType string }{
	IsolateHost:    {"isolate", "Isolate"},
	ReleaseHost:    {"unisolate", "Unisolate"},
	RunAVScan:      {"runAntiVirusScan", "RunAntiVirusScan"},
	CollectPackage: {"collectInvestigationPackage", "CollectInvestigationPackage"},
}

// Plan implements Connector.
func (m *MDE) Plan(a *Action, t Target) Call {
	id := t.ID
	if id == "" {
		id = "{machineId}"
	}
	body := map[string]string{"Comment": a.Comment()}
	switch a.Type {
	case IsolateHost:
		body["IsolationType"] = firstNonEmpty(a.IsolationType, "Full")
	case RunAVScan:
		body["ScanType"] = firstNonEmpty(a.ScanType, "Quick")
	}
	return Call{
		Method:   http.MethodPost,
		URL:      m.c.base + "/api/machines/" + id + "/" + mdeVerbs[a.Type].path,
		Resolved: describeTarget(t, "machine"),
		Body:     body,
		Note:     "then polls GET " + m.c.base + "/api/machineactions/{actionId} until Succeeded, Failed, Cancelled or TimeOut",
	}
}

func describeTarget(t Target, kind string) string {
	if t.ID == "" {
		return t.Name + " (not resolved)"
	}
	return fmt.Sprintf("%s (%s %s)", t.Name, kind, t.ID)
}

// Current reads the machine's actions: the call carrying the action's key,
// an isolation pending or in force (the latest Isolate or Unisolate that
// did not fail), or a scan or collection already running.
func (m *MDE) Current(ctx context.Context, a *Action, t Target) (State, error) {
	verb := mdeVerbs[a.Type]
	mine, err := m.actions(ctx, t.ID, verb.actionType)
	if err != nil {
		return State{}, err
	}
	for _, ma := range mine {
		if a.Key != "" && strings.Contains(ma.RequestorComment, a.Key) {
			return State{Effect: effectOf(ma), RemoteID: ma.ID, Ours: true, Detail: "machine action " + ma.ID + " is " + ma.Status}, nil
		}
	}
	switch a.Type {
	case IsolateHost, ReleaseHost:
		return m.isolationState(ctx, a, t, mine)
	}
	for _, ma := range mine {
		if ma.running() {
			return State{Effect: EffectPending, RemoteID: ma.ID, Detail: "machine action " + ma.ID + " is " + ma.Status}, nil
		}
	}
	return State{Effect: EffectAbsent, Detail: "no " + verb.actionType + " running"}, nil
}

func effectOf(ma mdeAction) Effect {
	switch {
	case ma.running():
		return EffectPending
	case ma.Status == "Succeeded":
		return EffectPresent
	}
	return EffectAbsent
}

// isolationState decides from the latest isolation-related action whether
// the machine is isolated, being isolated, or free.
func (m *MDE) isolationState(ctx context.Context, a *Action, t Target, mine []mdeAction) (State, error) {
	other := "Unisolate"
	if a.Type == ReleaseHost {
		other = "Isolate"
	}
	theirs, err := m.actions(ctx, t.ID, other)
	if err != nil {
		return State{}, err
	}
	var latest *mdeAction
	for _, list := range [][]mdeAction{mine, theirs} {
		for i := range list {
			ma := &list[i]
			if ma.running() || ma.Status == "Succeeded" {
				if latest == nil || ma.Created.After(latest.Created) {
					latest = ma
				}
			}
		}
	}
	isolated := latest != nil && latest.Type == "Isolate"
	detail := "not isolated"
	if latest != nil {
		detail = fmt.Sprintf("latest %s action %s is %s (%s)", latest.Type, latest.ID, latest.Status, latest.Created.Format(time.RFC3339))
	}
	switch {
	case latest != nil && latest.running() && latest.Type == mdeVerbs[a.Type].actionType:
		return State{Effect: EffectPending, RemoteID: latest.ID, Detail: detail}, nil
	case isolated == (a.Type == IsolateHost) && (latest == nil || !latest.running()):
		return State{Effect: EffectPresent, RemoteID: idOf(latest), Detail: detail}, nil
	}
	return State{Effect: EffectAbsent, Detail: detail}, nil
}

func idOf(ma *mdeAction) string {
	if ma == nil {
		return ""
	}
	return ma.ID
}

// actions lists a machine's actions of one type, newest first.
func (m *MDE) actions(ctx context.Context, machineID, actionType string) ([]mdeAction, error) {
	var out struct {
		Value []mdeAction `json:"value"`
	}
	filter := "machineId eq " + odataQuote(machineID) + " and type eq " + odataQuote(actionType)
	_, err := m.c.do(ctx, http.MethodGet, "/api/machineactions?$filter="+queryEscape(filter), nil, &out)
	if Code(err) == "connector.not_found" {
		return nil, nil
	}
	sort.Slice(out.Value, func(i, j int) bool { return out.Value[i].Created.After(out.Value[j].Created) })
	return out.Value, err
}

// Execute posts the action. When Defender answers that the same action is
// already in progress, Execute returns that pending action instead.
func (m *MDE) Execute(ctx context.Context, a *Action, t Target) (string, error) {
	call := m.Plan(a, t)
	var ma mdeAction
	_, err := m.c.do(ctx, http.MethodPost, strings.TrimPrefix(call.URL, m.c.base), call.Body, &ma)
	if err != nil {
		if Code(err) == "connector.http" && strings.Contains(strings.ToLower(err.Error()), "already") {
			if st, cerr := m.Current(ctx, a, t); cerr == nil && st.Effect == EffectPending && st.RemoteID != "" {
				return st.RemoteID, nil
			}
		}
		return "", err
	}
	if ma.ID == "" {
		return "", errorf("connector.http", "", "mde: the %s response carried no machine action id", mdeVerbs[a.Type].path)
	}
	return ma.ID, nil
}

// Wait polls the machine action with growing waits.
func (m *MDE) Wait(ctx context.Context, a *Action, t Target, remoteID string) (Result, error) {
	var last mdeAction
	err := m.c.poll(ctx, m.pollFirst, func() (bool, error) {
		_, err := m.c.do(ctx, http.MethodGet, "/api/machineactions/"+remoteID, nil, &last)
		return err == nil && last.final(), err
	})
	detail := fmt.Sprintf("machine action %s is %s", remoteID, firstNonEmpty(last.Status, "unknown"))
	if err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		return Result{Detail: detail}, nil
	}
	if err != nil {
		return Result{Detail: detail}, err
	}
	return Result{Done: true, OK: last.Status == "Succeeded", Detail: detail}, nil
}
