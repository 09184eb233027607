package respond

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// DefaultGraphURL is Microsoft Graph (SLEUTH_GRAPH_URL overrides).
const DefaultGraphURL = "https://graph.microsoft.com"

// Entra disables users and revokes their sign-in sessions in Entra ID
// through Microsoft Graph, then reads the user back to verify.
type Entra struct {
	c *apiClient
}

// NewEntra returns the connector for Graph at base (DefaultGraphURL when "").
func NewEntra(base string, auth Authorizer, o HTTPOptions) *Entra {
	if base == "" {
		base = DefaultGraphURL
	}
	c := newAPIClient(ConnectorEntra, base, auth, o)
	// Graph throttles per app and tenant and says so with 429 and
	// Retry-After; a gentle local pace avoids provoking it.
	c.limits = []*rate.Limiter{rate.NewLimiter(rate.Every(100*time.Millisecond), 10)}
	c.hintAuth = "the token was rejected: run 'az login', check respond.entra's client id and secret, or refresh SLEUTH_GRAPH_TOKEN"
	c.hintForbidden = "the app or user lacks a permission: User.Read.All to resolve, User.EnableDisableAccount.All (or User.ReadWrite.All) to disable, User.RevokeSessions.All to revoke sessions"
	return &Entra{c: c}
}

// Name implements Connector.
func (g *Entra) Name() string { return ConnectorEntra }

// Supports implements Connector.
func (g *Entra) Supports(t Type) bool { return connectorSupports(ConnectorEntra, t) }

// graphUser is the part of a user sleuth reads.
type graphUser struct {
	ID                string     `json:"id"`
	UserPrincipalName string     `json:"userPrincipalName"`
	AccountEnabled    *bool      `json:"accountEnabled"`
	SessionsValidFrom *time.Time `json:"signInSessionsValidFromDateTime"`
}

const userFields = "id,userPrincipalName,accountEnabled,signInSessionsValidFromDateTime"

// Resolve reads the user by UPN; a bare account name ("alice" or
// "CONTOSO\alice") is looked up as a UPN prefix, and several matches are
// put to the prompter.
func (g *Entra) Resolve(ctx context.Context, a *Action, p Prompter) (Target, error) {
	name := strings.TrimSpace(a.Target)
	if i := strings.LastIndexByte(name, '\\'); i >= 0 {
		name = name[i+1:]
	}
	if strings.Contains(name, "@") {
		u, err := g.user(ctx, name)
		if Code(err) == "connector.not_found" {
			return Target{}, errorf("respond.unknown_target", "check the user principal name in Entra ID", "entra: no user %s", name)
		}
		if err != nil {
			return Target{}, err
		}
		return Target{ID: u.ID, Name: u.UserPrincipalName}, nil
	}
	var out struct {
		Value []graphUser `json:"value"`
	}
	filter := "startswith(userPrincipalName," + odataQuote(name+"@") + ")"
	if _, err := g.c.do(ctx, http.MethodGet, "/v1.0/users?$filter="+queryEscape(filter)+"&$select="+userFields, nil, &out); err != nil {
		return Target{}, err
	}
	switch len(out.Value) {
	case 0:
		return Target{}, errorf("respond.unknown_target", "name the user by user principal name (alice@contoso.com)", "entra: no user %s", name)
	case 1:
		return Target{ID: out.Value[0].ID, Name: out.Value[0].UserPrincipalName}, nil
	}
	options := make([]string, len(out.Value))
	for i, u := range out.Value {
		options[i] = fmt.Sprintf("%s (user %s)", u.UserPrincipalName, u.ID)
	}
	return choose(ctx, p, fmt.Sprintf("%d users match %q; which one?", len(out.Value), name), options,
		func(i int) Target { return Target{ID: out.Value[i].ID, Name: out.Value[i].UserPrincipalName} })
}

func (g *Entra) user(ctx context.Context, idOrUPN string) (graphUser, error) {
	var u graphUser
	_, err := g.c.do(ctx, http.MethodGet, "/v1.0/users/"+url.PathEscape(idOrUPN)+"?$select="+userFields, nil, &u)
	return u, err
}

// Plan implements Connector.
func (g *Entra) Plan(a *Action, t Target) Call {
	id := firstNonEmpty(t.ID, "{userId}")
	readBack := "then reads the user back: GET " + g.c.base + "/v1.0/users/" + id + "?$select=" + userFields
	if a.Type == DisableUser {
		return Call{Method: http.MethodPatch, URL: g.c.base + "/v1.0/users/" + id, Resolved: describeTarget(t, "user"),
			Body: map[string]bool{"accountEnabled": false}, Note: readBack}
	}
	return Call{Method: http.MethodPost, URL: g.c.base + "/v1.0/users/" + id + "/revokeSignInSessions",
		Resolved: describeTarget(t, "user"), Note: readBack}
}

// Current reads the user: disabled already, or sessions revoked since the
// action started executing (then the revocation is this action's).
func (g *Entra) Current(ctx context.Context, a *Action, t Target) (State, error) {
	u, err := g.user(ctx, t.ID)
	if err != nil {
		return State{}, err
	}
	if a.Type == DisableUser {
		if u.AccountEnabled != nil && !*u.AccountEnabled {
			return State{Effect: EffectPresent, Detail: u.UserPrincipalName + " is disabled (accountEnabled false)"}, nil
		}
		return State{Effect: EffectAbsent, Detail: u.UserPrincipalName + " is enabled"}, nil
	}
	since := a.since(Executing)
	if u.SessionsValidFrom != nil && !since.IsZero() && !u.SessionsValidFrom.Before(since.Add(-time.Minute)) {
		return State{Effect: EffectPresent, Ours: true,
			Detail: "sessions valid only from " + u.SessionsValidFrom.UTC().Format(time.RFC3339)}, nil
	}
	detail := "sessions not revoked since this action started"
	if u.SessionsValidFrom != nil {
		detail = "sessions valid from " + u.SessionsValidFrom.UTC().Format(time.RFC3339)
	}
	return State{Effect: EffectAbsent, Detail: detail}, nil
}

// Execute implements Connector. Graph applies both changes synchronously,
// so there is no remote id to poll.
func (g *Entra) Execute(ctx context.Context, a *Action, t Target) (string, error) {
	call := g.Plan(a, t)
	path := strings.TrimPrefix(call.URL, g.c.base)
	if a.Type == DisableUser {
		_, err := g.c.do(ctx, http.MethodPatch, path, call.Body, nil)
		return "", err
	}
	var out struct {
		Value *bool `json:"value"`
	}
	if _, err := g.c.do(ctx, http.MethodPost, path, nil, &out); err != nil {
		return "", err
	}
	if out.Value != nil && !*out.Value {
		return "", errorf("respond.failed", "", "entra: revokeSignInSessions answered false for %s", t.Name)
	}
	return "", nil
}

// Wait implements Connector: Graph's changes are done when the call
// returns; the engine then verifies by reading the user back.
func (g *Entra) Wait(ctx context.Context, a *Action, t Target, remoteID string) (Result, error) {
	if a.Type == DisableUser {
		return Result{Done: true, OK: true, Detail: "accountEnabled set to false"}, nil
	}
	return Result{Done: true, OK: true, Detail: "sign-in sessions revoked"}, nil
}
