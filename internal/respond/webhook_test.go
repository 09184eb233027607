package respond

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWebhookSignsThePayload(t *testing.T) {
	secret := []byte("shared-webhook-secret")
	var got webhookPayload
	var sig, key string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sig, key = r.Header.Get(SignatureHeader), r.Header.Get(IdempotencyHeader)
		if Sign(secret, body) != sig {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		json.Unmarshal(body, &got)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	e := testEngine(t, NewWebhook(srv.URL, secret, HTTPOptions{}))
	a := propose(t, e, &Action{Type: IsolateHost, Target: "ws1", Connector: ConnectorWebhook, FindingID: "F9", IsolationType: "Selective"})
	done, err := approveAndRun(t, e, a.ID)
	if err != nil || done.Status != Succeeded || !strings.Contains(done.Outcome, "cannot verify") {
		t.Fatalf("got %+v %v", done, err)
	}
	if !strings.HasPrefix(sig, "sha256=") || key != a.Key {
		t.Errorf("headers: signature %q key %q", sig, key)
	}
	if got.Event != "sleuth.action" || got.ID != a.ID || got.Type != IsolateHost || got.FindingID != "F9" || got.ApprovedBy != "alice" || got.IsolationType != "Selective" {
		t.Errorf("payload %+v", got)
	}
	if strings.Contains(auditText(t, e), string(secret)) {
		t.Error("the secret reached the audit log")
	}
}

func TestWebhookRejectedSignature(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"bad signature"}`, http.StatusUnauthorized)
	}))
	defer srv.Close()
	e := testEngine(t, NewWebhook(srv.URL, []byte("x"), HTTPOptions{}))
	a := propose(t, e, &Action{Type: DisableUser, Target: "bob", Connector: ConnectorWebhook})
	got, err := approveAndRun(t, e, a.ID)
	if Code(err) != "connector.unauthorized" || got.Status != Failed {
		t.Fatalf("got %+v %v", got, err)
	}
}
