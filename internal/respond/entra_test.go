package respond

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const graphToken = "graph-secret-token-123"

// fakeGraph speaks the part of Microsoft Graph's users API the Entra
// connector uses: GET by id or UPN with $select, a startswith filter,
// PATCH accountEnabled, POST revokeSignInSessions.
type fakeGraph struct {
	*httptest.Server
	mu       sync.Mutex
	users    map[string]map[string]any // by id
	forbid   map[string]bool           // "METHOD" → 403
	requests []string
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{users: map[string]map[string]any{}, forbid: map[string]bool{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGraph) addUser(id, upn string, enabled bool) {
	g.users[id] = map[string]any{"id": id, "userPrincipalName": upn, "accountEnabled": enabled,
		"signInSessionsValidFromDateTime": "2024-01-01T00:00:00Z", "displayName": upn}
}

var reUPNPrefix = regexp.MustCompile(`^startswith\(userPrincipalName,'(.*)'\)$`)

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests = append(g.requests, r.Method+" "+r.URL.RequestURI())
	if r.Header.Get("Authorization") != "Bearer "+graphToken {
		msError(w, 401, "InvalidAuthenticationToken", "Access token is empty.")
		return
	}
	if g.forbid[r.Method] {
		msError(w, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/v1.0/users")
	if rest == "" && r.Method == "GET" {
		m := reUPNPrefix.FindStringSubmatch(r.URL.Query().Get("$filter"))
		out := []map[string]any{}
		for _, u := range g.users {
			if m != nil && strings.HasPrefix(strings.ToLower(u["userPrincipalName"].(string)), strings.ToLower(m[1])) {
				out = append(out, u)
			}
		}
		writeJSON(w, 200, map[string]any{"value": out})
		return
	}
	id, action, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	var u map[string]any
	for _, x := range g.users {
		if x["id"] == id || strings.EqualFold(x["userPrincipalName"].(string), id) {
			u = x
		}
	}
	if u == nil {
		msError(w, 404, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
		return
	}
	switch {
	case r.Method == "GET" && action == "":
		writeJSON(w, 200, u)
	case r.Method == "PATCH" && action == "":
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		for k, v := range body {
			u[k] = v
		}
		w.WriteHeader(204)
	case r.Method == "POST" && action == "revokeSignInSessions":
		u["signInSessionsValidFromDateTime"] = time.Now().UTC().Format(time.RFC3339)
		writeJSON(w, 200, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean", "value": true})
	default:
		msError(w, 400, "BadRequest", "unsupported")
	}
}

func entraSetup(t *testing.T) (*fakeGraph, *Engine) {
	g := newFakeGraph(t)
	g.addUser("u1", "alice@contoso.com", true)
	e := testEngine(t, NewEntra(g.URL, BearerToken(graphToken), HTTPOptions{Sleep: (&sleeps{}).sleep}))
	e.Now = time.Now // Graph stamps revocations with the real clock
	return g, e
}

func TestEntraDisableUser(t *testing.T) {
	g, e := entraSetup(t)
	a := propose(t, e, &Action{Type: DisableUser, Target: "alice@contoso.com", Connector: ConnectorEntra})
	got, err := approveAndRun(t, e, a.ID)
	if err != nil || got.Status != Succeeded || !strings.Contains(got.Outcome, "verified") || g.users["u1"]["accountEnabled"] != false {
		t.Fatalf("got %+v %v", got, err)
	}
	patched := false
	for _, r := range g.requests {
		patched = patched || r == "PATCH /v1.0/users/u1"
	}
	if !patched {
		t.Errorf("requests %v lack PATCH /v1.0/users/u1", g.requests)
	}
	// Disabling a disabled user sends nothing.
	n := len(g.requests)
	b := propose(t, e, &Action{Type: DisableUser, Target: "alice", Connector: ConnectorEntra})
	got, err = approveAndRun(t, e, b.ID)
	if err != nil || !strings.Contains(got.Outcome, "no-op") {
		t.Fatalf("second disable: %+v %v", got, err)
	}
	for _, r := range g.requests[n:] {
		if strings.HasPrefix(r, "PATCH") {
			t.Errorf("second disable sent %s", r)
		}
	}
}

func TestEntraRevokeSessions(t *testing.T) {
	g, e := entraSetup(t)
	a := propose(t, e, &Action{Type: RevokeSessions, Target: "ALICE@contoso.com", Connector: ConnectorEntra})
	got, err := approveAndRun(t, e, a.ID)
	if err != nil || got.Status != Succeeded || !strings.Contains(got.Outcome, "verified: sessions valid only from") {
		t.Fatalf("got %+v %v", got, err)
	}
	if g.users["u1"]["signInSessionsValidFromDateTime"] == "2024-01-01T00:00:00Z" {
		t.Error("sessions not revoked")
	}
}

func TestEntraFailures(t *testing.T) {
	g, e := entraSetup(t)
	g.forbid["PATCH"] = true
	a := propose(t, e, &Action{Type: DisableUser, Target: "alice@contoso.com", Connector: ConnectorEntra})
	got, err := approveAndRun(t, e, a.ID)
	var re *Error
	if Code(err) != "connector.forbidden" || !errorsAs(err, &re) || !strings.Contains(re.Hint, "User.EnableDisableAccount.All") || got.Status != Failed {
		t.Fatalf("403: %+v %v", got, err)
	}
	b := propose(t, e, &Action{Type: DisableUser, Target: "bob@contoso.com", Connector: ConnectorEntra})
	if _, err := e.Approve(context.Background(), b.ID, ApproveOptions{Yes: true}); Code(err) != "respond.unknown_target" {
		t.Fatalf("404: %v", err)
	}
	e.Connectors[ConnectorEntra] = NewEntra(g.URL, BearerToken("wrong"), HTTPOptions{})
	if _, err := e.Approve(context.Background(), b.ID, ApproveOptions{Yes: true}); Code(err) != "connector.unauthorized" {
		t.Fatalf("401: %v", err)
	}
}

func TestEntraShortNameIsAmbiguous(t *testing.T) {
	g, e := entraSetup(t)
	g.addUser("u2", "alice@fabrikam.com", true)
	a := propose(t, e, &Action{Type: DisableUser, Target: `CONTOSO\alice`, Connector: ConnectorEntra})
	if _, err := e.Approve(context.Background(), a.ID, ApproveOptions{Yes: true}); Code(err) != "respond.ambiguous" {
		t.Fatalf("got %v", err)
	}
}
