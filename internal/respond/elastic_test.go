package respond

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const kibanaKey = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="

// fakeKibana speaks Elastic Defend's endpoint metadata and response
// actions APIs: ApiKey auth, the kbn-xsrf header on writes, actions that
// complete after a poll.
type fakeKibana struct {
	*httptest.Server
	mu        sync.Mutex
	endpoints []map[string]any
	actions   []map[string]any
	posts     int
}

func newFakeKibana(t *testing.T) *fakeKibana {
	k := &fakeKibana{}
	k.Server = httptest.NewServer(http.HandlerFunc(k.serve))
	t.Cleanup(k.Close)
	return k
}

func (k *fakeKibana) addEndpoint(agent, host string, isolated, requested bool) {
	k.endpoints = append(k.endpoints, map[string]any{"host_status": "healthy", "metadata": map[string]any{
		"agent": map[string]any{"id": agent, "type": "endpoint", "version": "8.15.0"},
		"host":  map[string]any{"hostname": host, "name": host},
		"Endpoint": map[string]any{"state": map[string]any{"isolation": isolated},
			"configuration": map[string]any{"isolation": requested}, "status": "enrolled"}}})
}

func kbnError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"statusCode": status, "error": http.StatusText(status), "message": msg})
}

func (k *fakeKibana) serve(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r.Header.Get("Authorization") != "ApiKey "+kibanaKey {
		kbnError(w, 401, "[security_exception]: unable to authenticate with provided credentials")
		return
	}
	if r.Method == "POST" && r.Header.Get("kbn-xsrf") == "" {
		kbnError(w, 400, `Request must contain a kbn-xsrf header.`)
		return
	}
	p := r.URL.Path
	switch {
	case r.Method == "GET" && p == "/api/endpoint/metadata":
		kuery := r.URL.Query().Get("kuery")
		out := []map[string]any{}
		for _, e := range k.endpoints {
			host := e["metadata"].(map[string]any)["host"].(map[string]any)["hostname"].(string)
			if kuery == `united.endpoint.host.hostname:"`+host+`"` ||
				(strings.HasSuffix(kuery, ".*") && strings.HasPrefix(host, strings.TrimSuffix(strings.TrimPrefix(kuery, "united.endpoint.host.hostname:"), "*"))) {
				out = append(out, e)
			}
		}
		writeJSON(w, 200, map[string]any{"data": out, "total": len(out), "page": 1, "pageSize": 50})
	case r.Method == "GET" && strings.HasPrefix(p, "/api/endpoint/metadata/"):
		id := strings.TrimPrefix(p, "/api/endpoint/metadata/")
		for _, e := range k.endpoints {
			if e["metadata"].(map[string]any)["agent"].(map[string]any)["id"] == id {
				writeJSON(w, 200, e)
				return
			}
		}
		kbnError(w, 404, "Endpoint "+id+" not found")
	case r.Method == "GET" && p == "/api/endpoint/action":
		out := []map[string]any{}
		for _, a := range k.actions {
			if a["agents"].([]string)[0] == r.URL.Query().Get("agentIds") && a["command"] == r.URL.Query().Get("commands") {
				out = append(out, a)
			}
		}
		writeJSON(w, 200, map[string]any{"data": out, "total": len(out)})
	case r.Method == "GET" && strings.HasPrefix(p, "/api/endpoint/action/"):
		id := strings.TrimPrefix(p, "/api/endpoint/action/")
		for _, a := range k.actions {
			if a["id"] == id {
				a["isCompleted"], a["wasSuccessful"] = true, true
				k.setIsolation(a["agents"].([]string)[0], a["command"] == "isolate")
				writeJSON(w, 200, map[string]any{"data": a})
				return
			}
		}
		kbnError(w, 404, "Action "+id+" not found")
	case r.Method == "POST" && (p == "/api/endpoint/action/isolate" || p == "/api/endpoint/action/unisolate"):
		var body struct {
			EndpointIDs []string `json:"endpoint_ids"`
			Comment     string   `json:"comment"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.EndpointIDs) != 1 {
			kbnError(w, 400, "[request body.endpoint_ids]: array size is [0], but should be between [1] and [50]")
			return
		}
		k.posts++
		a := map[string]any{"id": fmt.Sprintf("ka-%d", len(k.actions)+1), "agents": body.EndpointIDs, "command": strings.TrimPrefix(p, "/api/endpoint/action/"),
			"comment": body.Comment, "isCompleted": false, "wasSuccessful": false, "isExpired": false, "createdBy": "elastic"}
		k.actions = append(k.actions, a)
		writeJSON(w, 200, map[string]any{"action": "", "data": a})
	default:
		kbnError(w, 404, "Not Found")
	}
}

func (k *fakeKibana) setIsolation(agent string, on bool) {
	for _, e := range k.endpoints {
		md := e["metadata"].(map[string]any)
		if md["agent"].(map[string]any)["id"] == agent {
			ep := md["Endpoint"].(map[string]any)
			ep["state"].(map[string]any)["isolation"] = on
			ep["configuration"].(map[string]any)["isolation"] = on
		}
	}
}

func elasticSetup(t *testing.T, key string) (*fakeKibana, *Engine) {
	k := newFakeKibana(t)
	k.addEndpoint("agent-1", "ws1.contoso.com", false, false)
	k.addEndpoint("agent-2", "ws2.contoso.com", true, true)
	k.addEndpoint("agent-3", "ws3.contoso.com", false, true)
	return k, testEngine(t, NewElastic(k.URL, "", APIKey(key), HTTPOptions{Sleep: (&sleeps{}).sleep}))
}

func TestElasticIsolateAndRelease(t *testing.T) {
	k, e := elasticSetup(t, kibanaKey)
	a := propose(t, e, &Action{Type: IsolateHost, Target: "ws1", Connector: ConnectorElastic})
	got, err := approveAndRun(t, e, a.ID)
	if err != nil || got.Status != Succeeded || got.Resolved.ID != "agent-1" || k.posts != 1 || !strings.Contains(got.Outcome, "verified") {
		t.Fatalf("isolate: %+v %v", got, err)
	}
	if !strings.Contains(k.actions[0]["comment"].(string), a.Key) {
		t.Errorf("comment %q lacks the key", k.actions[0]["comment"])
	}
	got, err = e.Release(t.Context(), "ws1.contoso.com", ApproveOptions{Yes: true, Connector: ConnectorElastic})
	if err != nil || got.Status != Succeeded || k.posts != 2 || k.actions[1]["command"] != "unisolate" {
		t.Fatalf("release: %+v %v", got, err)
	}
}

func TestElasticAlreadyIsolatedOrPending(t *testing.T) {
	k, e := elasticSetup(t, kibanaKey)
	for _, host := range []string{"ws2.contoso.com", "ws3.contoso.com"} {
		a := propose(t, e, &Action{Type: IsolateHost, Target: host, Connector: ConnectorElastic})
		got, err := approveAndRun(t, e, a.ID)
		if err != nil || got.Status != Succeeded || !strings.Contains(got.Outcome, "no-op") {
			t.Fatalf("%s: %+v %v", host, got, err)
		}
	}
	if k.posts != 0 {
		t.Fatalf("%d posts", k.posts)
	}
}

func TestElasticUnauthorized(t *testing.T) {
	_, e := elasticSetup(t, "bad-key")
	a := propose(t, e, &Action{Type: IsolateHost, Target: "ws1", Connector: ConnectorElastic})
	_, err := e.Approve(t.Context(), a.ID, ApproveOptions{Yes: true})
	if Code(err) != "connector.unauthorized" || strings.Contains(err.Error(), "bad-key") {
		t.Fatalf("got %v", err)
	}
}

func TestElasticPlanHasXSRFHeader(t *testing.T) {
	k, e := elasticSetup(t, kibanaKey)
	a := propose(t, e, &Action{Type: IsolateHost, Target: "ws1.contoso.com", Connector: ConnectorElastic})
	call, err := e.Preview(t.Context(), a, "")
	if err != nil {
		t.Fatal(err)
	}
	s := call.String()
	if !strings.Contains(s, "POST "+k.URL+"/api/endpoint/action/isolate") || !strings.Contains(s, "kbn-xsrf: true") || !strings.Contains(s, `"endpoint_ids":["agent-1"]`) {
		t.Fatalf("plan:\n%s", s)
	}
}
