package respond

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeMDE speaks the Defender for Endpoint machines API as documented:
// OData filters on computerDnsName and on machineId and type, 201 with a
// machine action on POST, 404 with an error body for unknown machines and
// for machine lists with no match, and machine actions that move from
// Pending to a final status after a number of polls.
type fakeMDE struct {
	*httptest.Server
	t     *testing.T
	token string

	mu        sync.Mutex
	machines  []map[string]any
	actions   []map[string]any
	polls     map[string]int
	fail      map[string][]int // "METHOD /path" → statuses to answer first
	posts     int
	pollsDone int    // polls before an action reaches final
	final     string // the final status (Succeeded when "")
	onPost    func(w http.ResponseWriter) bool
	requests  []string
}

func newFakeMDE(t *testing.T, token string) *fakeMDE {
	f := &fakeMDE{t: t, token: token, polls: map[string]int{}, fail: map[string][]int{}, pollsDone: 2}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// setOnPost sets the hook the next POSTs go through; the server's handlers
// read it under the lock, a handler of a hijacked connection included.
func (f *fakeMDE) setOnPost(fn func(w http.ResponseWriter) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onPost = fn
}

func (f *fakeMDE) addMachine(id, name string, tags ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.machines = append(f.machines, map[string]any{"id": id, "computerDnsName": name, "healthStatus": "Active",
		"lastSeen": "2024-05-01T10:00:00Z", "machineTags": tags, "osPlatform": "Windows11"})
}

func (f *fakeMDE) addAction(id, typ, machine, status, comment string, created time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, map[string]any{"id": id, "type": typ, "machineId": machine, "status": status,
		"requestorComment": comment, "requestor": "someone@contoso.com", "creationDateTimeUtc": created.Format(time.RFC3339Nano)})
}

func (f *fakeMDE) failNext(route string, statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[route] = append(f.fail[route], statuses...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func msError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg, "target": "a1b2"}})
}

var (
	reEq         = regexp.MustCompile(`^computerDnsName eq '(.*)'$`)
	reStarts     = regexp.MustCompile(`^startswith\(computerDnsName,'(.*)'\)$`)
	reActionList = regexp.MustCompile(`^machineId eq '(.*)' and type eq '(.*)'$`)
	reMachineOp  = regexp.MustCompile(`^/api/machines/([^/]+)/(isolate|unisolate|runAntiVirusScan|collectInvestigationPackage)$`)
)

func (f *fakeMDE) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	route := r.Method + " " + r.URL.Path
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		msError(w, 401, "Unauthorized", "Authorization header is missing or the token is invalid")
		return
	}
	if q := f.fail[route]; len(q) > 0 {
		f.fail[route] = q[1:]
		switch q[0] {
		case 429:
			w.Header().Set("Retry-After", "7")
			msError(w, 429, "TooManyRequests", "Rate limit is exceeded. Try again in 7 seconds.")
		case 403:
			msError(w, 403, "Forbidden", "The application does not have any of the required application permissions (Machine.Isolate) to access the resource.")
		default:
			msError(w, q[0], "InternalServerError", "")
		}
		return
	}
	filter := r.URL.Query().Get("$filter")
	switch {
	case route == "GET /api/machines":
		var out []map[string]any
		for _, m := range f.machines {
			name := m["computerDnsName"].(string)
			if g := reEq.FindStringSubmatch(filter); g != nil && name == g[1] {
				out = append(out, m)
			}
			if g := reStarts.FindStringSubmatch(filter); g != nil && strings.HasPrefix(name, g[1]) {
				out = append(out, m)
			}
		}
		if len(out) == 0 {
			msError(w, 404, "ResourceNotFound", "No machines found")
			return
		}
		writeJSON(w, 200, map[string]any{"@odata.context": "https://api.securitycenter.microsoft.com/api/$metadata#Machines", "value": out})
	case route == "GET /api/machineactions":
		g := reActionList.FindStringSubmatch(filter)
		if g == nil {
			msError(w, 400, "InvalidFilter", "bad filter "+filter)
			return
		}
		out := []map[string]any{}
		for _, a := range f.actions {
			if a["machineId"] == g[1] && a["type"] == g[2] {
				out = append(out, a)
			}
		}
		writeJSON(w, 200, map[string]any{"value": out})
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/machineactions/"):
		id := strings.TrimPrefix(r.URL.Path, "/api/machineactions/")
		for _, a := range f.actions {
			if a["id"] == id {
				f.polls[id]++
				if a["status"] == "Pending" && f.polls[id] >= f.pollsDone {
					a["status"] = firstNonEmpty(f.final, "Succeeded")
				}
				writeJSON(w, 200, a)
				return
			}
		}
		msError(w, 404, "ResourceNotFound", "Machine action "+id+" was not found")
	case r.Method == "POST" && reMachineOp.MatchString(r.URL.Path):
		f.post(w, r)
	default:
		msError(w, 404, "ResourceNotFound", "no route "+route)
	}
}

func (f *fakeMDE) post(w http.ResponseWriter, r *http.Request) {
	g := reMachineOp.FindStringSubmatch(r.URL.Path)
	found := false
	for _, m := range f.machines {
		found = found || m["id"] == g[1]
	}
	if !found {
		msError(w, 404, "ResourceNotFound", "Machine "+g[1]+" was not found")
		return
	}
	var body map[string]string
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["Comment"] == "" {
		msError(w, 400, "InvalidRequestBody", "Comment is required")
		return
	}
	if r.Header.Get("Content-Type") != "application/json" {
		msError(w, 415, "UnsupportedMediaType", "")
		return
	}
	types := map[string]string{"isolate": "Isolate", "unisolate": "Unisolate", "runAntiVirusScan": "RunAntiVirusScan", "collectInvestigationPackage": "CollectInvestigationPackage"}
	typ := types[g[2]]
	for _, a := range f.actions {
		if a["machineId"] == g[1] && a["type"] == typ && a["status"] == "Pending" {
			msError(w, 400, "ActiveRequestAlreadyExists", "Action is already in progress")
			return
		}
	}
	f.posts++
	if f.onPost != nil && f.onPost(w) {
		return
	}
	scope := body["IsolationType"] + body["ScanType"]
	a := map[string]any{"id": fmt.Sprintf("ma-%d", len(f.actions)+1), "type": typ, "scope": scope, "machineId": g[1],
		"status": "Pending", "requestorComment": body["Comment"], "requestor": "sleuth-app",
		"creationDateTimeUtc": time.Now().UTC().Format(time.RFC3339Nano), "computerDnsName": ""}
	f.actions = append(f.actions, a)
	writeJSON(w, 201, a)
}

// count returns the number of actions of a type on a machine.
func (f *fakeMDE) count(machine, typ string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, a := range f.actions {
		if a["machineId"] == machine && a["type"] == typ {
			n++
		}
	}
	return n
}
