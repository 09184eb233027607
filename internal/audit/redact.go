package audit

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Redacted replaces every secret Append finds in entry data.
const Redacted = "[redacted]"

// secretKeys are object keys whose values are credentials, compared after
// lower-casing and dropping '_' and '-'. Counts such as "input_tokens" are
// not secrets, so the match is on whole keys, not substrings.
var secretKeys = map[string]bool{
	"token": true, "accesstoken": true, "refreshtoken": true, "idtoken": true, "bearertoken": true,
	"sastoken": true, "secret": true, "clientsecret": true, "password": true, "passwd": true,
	"apikey": true, "authorization": true, "cookie": true, "setcookie": true, "privatekey": true,
	"connectionstring": true, "signature": true, "xsleuthsignature": true,
}

// credentialPrefixes mark string values that carry a credential whatever
// key they sit under (an HTTP Authorization header pasted into a message).
var credentialPrefixes = []string{"bearer ", "apikey ", "basic "}

// redactedJSON encodes v and replaces secrets in it. Object keys come out
// sorted, so the same data always encodes to the same bytes.
func redactedJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(redact(generic))
}

func redact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if isSecretKey(k) {
				if e != nil && e != "" {
					x[k] = Redacted
				}
				continue
			}
			x[k] = redact(e)
		}
	case []any:
		for i, e := range x {
			x[i] = redact(e)
		}
	case string:
		return redactString(x)
	}
	return v
}

func isSecretKey(k string) bool {
	n := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(k))
	if secretKeys[n] {
		return true
	}
	for _, suffix := range []string{"secret", "password", "apikey", "token"} {
		if strings.HasSuffix(n, suffix) {
			return true
		}
	}
	return false
}

func redactString(s string) string {
	low := strings.ToLower(s)
	for _, p := range credentialPrefixes {
		if i := strings.Index(low, p); i >= 0 && i+len(p) < len(s) {
			return s[:i+len(p)] + Redacted
		}
	}
	return s
}
