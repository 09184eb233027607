package source

import (
	"encoding/json"
	"strings"
)

// maxMessage bounds what a service's error message may add to ours; some
// services echo the whole query back.
const maxMessage = 600

// ServiceMessage extracts the human-readable message from an error body:
// the OneAPI shape of Azure services ({"error":{"code","message",
// "innererror":{…}}}, the innermost message being the most specific),
// Elasticsearch's ({"error":{"type","reason","root_cause":[…]}}), or a
// plain string. It returns "" for bodies it does not recognise.
func ServiceMessage(body []byte) string {
	var doc struct {
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Error) == 0 {
		return clipMessage(strings.TrimSpace(string(body)))
	}
	var s string
	if json.Unmarshal(doc.Error, &s) == nil {
		return clipMessage(s)
	}
	var e errorObject
	if err := json.Unmarshal(doc.Error, &e); err != nil {
		return ""
	}
	return clipMessage(e.text())
}

type errorObject struct {
	Code       string         `json:"code"`
	Message    string         `json:"message"`
	Type       string         `json:"type"`
	Reason     string         `json:"reason"`
	InnerError *errorObject   `json:"innererror"`
	InnerAlt   *errorObject   `json:"innerError"`
	Details    []*errorObject `json:"details"`
	RootCause  []*errorObject `json:"root_cause"`
}

func (e *errorObject) text() string {
	if e.Reason != "" { // Elasticsearch
		if e.Type != "" {
			return e.Type + ": " + e.Reason
		}
		return e.Reason
	}
	msg := e.Message
	if e.Code != "" && msg == "" {
		msg = e.Code
	}
	inner := e.InnerError
	if inner == nil {
		inner = e.InnerAlt
	}
	if inner == nil && len(e.Details) > 0 {
		inner = e.Details[0]
	}
	if inner != nil {
		if t := inner.text(); t != "" && t != msg {
			if msg == "" {
				return t
			}
			return msg + ": " + t
		}
	}
	return msg
}

func clipMessage(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxMessage {
		s = s[:maxMessage] + "…"
	}
	return s
}
