package rows

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// SHA256 is a digest of the set's columns and rows, in order, for the audit
// log: it shows later that the rows a hunt saw are the rows a query gives,
// without storing them. Values are hashed in their JSON form (times in RFC
// 3339 with nanoseconds), so the same rows give the same digest whatever
// the source.
func (s *Set) SHA256() string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	if s == nil {
		return hex.EncodeToString(h.Sum(nil))
	}
	// Encoding the catalog's value types cannot fail; an exotic value that
	// does is hashed as its error text, which still changes the digest.
	if err := enc.Encode(s.Columns); err != nil {
		h.Write([]byte(err.Error()))
	}
	for _, r := range s.Rows {
		if err := enc.Encode(r); err != nil {
			h.Write([]byte(err.Error()))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
