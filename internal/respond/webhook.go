package respond

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"
)

// Webhook headers.
const (
	SignatureHeader   = "X-Sleuth-Signature"
	IdempotencyHeader = "X-Sleuth-Idempotency-Key"
)

// Webhook posts each approved action as JSON to a URL, signed with
// HMAC-SHA256 of the body in X-Sleuth-Signature ("sha256=<hex>"), so the
// receiver (a SOAR, a ticketing bridge) can check that sleuth sent it.
// Receivers should drop repeats of X-Sleuth-Idempotency-Key. A webhook
// cannot show the action's effect, so its actions succeed on delivery
// (a 2xx answer) and are not verified.
type Webhook struct {
	c      *apiClient
	secret []byte
}

// NewWebhook returns the connector for url, signing with secret.
func NewWebhook(url string, secret []byte, o HTTPOptions) *Webhook {
	c := newAPIClient(ConnectorWebhook, url, nil, o)
	c.hintAuth = "the receiver rejected the call; check the shared secret on both sides"
	c.hintForbidden = c.hintAuth
	return &Webhook{c: c, secret: secret}
}

// Name implements Connector.
func (w *Webhook) Name() string { return ConnectorWebhook }

// Supports implements Connector.
func (w *Webhook) Supports(t Type) bool { return connectorSupports(ConnectorWebhook, t) }

// Resolve implements Connector: the receiver resolves names itself.
func (w *Webhook) Resolve(_ context.Context, a *Action, _ Prompter) (Target, error) {
	return Target{ID: a.Target, Name: a.Target}, nil
}

// webhookPayload is the JSON a receiver gets.
type webhookPayload struct {
	Event         string    `json:"event"`
	ID            string    `json:"id"`
	Type          Type      `json:"type"`
	Target        string    `json:"target"`
	FindingID     string    `json:"finding_id,omitempty"`
	HuntID        string    `json:"hunt_id,omitempty"`
	IsolationType string    `json:"isolation_type,omitempty"`
	ScanType      string    `json:"scan_type,omitempty"`
	Comment       string    `json:"comment"`
	Key           string    `json:"idempotency_key"`
	ApprovedBy    string    `json:"approved_by,omitempty"`
	ApprovedAt    time.Time `json:"approved_at,omitzero"`
	Evidence      []string  `json:"evidence,omitempty"`
}

func (w *Webhook) payload(a *Action) webhookPayload {
	p := webhookPayload{Event: "sleuth.action", ID: a.ID, Type: a.Type, Target: a.Target, FindingID: a.FindingID,
		HuntID: a.HuntID, IsolationType: a.IsolationType, ScanType: a.ScanType, Comment: a.Comment(), Key: a.Key, Evidence: a.Evidence}
	for i := len(a.History) - 1; i >= 0; i-- {
		if a.History[i].Status == Approved {
			p.ApprovedBy, p.ApprovedAt = a.History[i].Actor, a.History[i].Time
			break
		}
	}
	return p
}

// Sign is the X-Sleuth-Signature value for body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Plan implements Connector.
func (w *Webhook) Plan(a *Action, _ Target) Call {
	return Call{
		Method: http.MethodPost, URL: w.c.base, Resolved: a.Target + " (resolved by the receiver)",
		Headers: map[string]string{SignatureHeader: "sha256=<HMAC-SHA256 of the body>", IdempotencyHeader: a.Key},
		Body:    w.payload(a),
	}
}

// Current implements Connector: a webhook cannot report state.
func (w *Webhook) Current(context.Context, *Action, Target) (State, error) {
	return State{Effect: EffectUnknown, Detail: "a webhook cannot report the action's effect"}, nil
}

// Execute posts the signed payload.
func (w *Webhook) Execute(ctx context.Context, a *Action, _ Target) (string, error) {
	body, err := json.Marshal(w.payload(a))
	if err != nil {
		return "", err
	}
	headers := map[string]string{SignatureHeader: Sign(w.secret, body), IdempotencyHeader: a.Key}
	_, err = w.c.doWith(ctx, http.MethodPost, "", headers, json.RawMessage(body), nil)
	return "", err
}

// Wait implements Connector: delivery is the end of a webhook's part.
func (w *Webhook) Wait(context.Context, *Action, Target, string) (Result, error) {
	return Result{Done: true, OK: true, Detail: "delivered to the webhook (2xx)"}, nil
}
