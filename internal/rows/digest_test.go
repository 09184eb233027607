package rows

import (
	"testing"
	"time"
)

func TestSHA256(t *testing.T) {
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	set := func(v any) *Set {
		return &Set{Columns: []Column{{Name: "TimeGenerated", Type: "datetime"}, {Name: "Account", Type: "string"}},
			Rows: [][]any{{at, "alice"}, {at.Add(time.Second), v}}}
	}
	a, b := set("bob").SHA256(), set("bob").SHA256()
	if a != b || len(a) != 64 {
		t.Fatalf("the same rows give %s and %s", a, b)
	}
	if c := set("mallory").SHA256(); c == a {
		t.Error("a changed value keeps the digest")
	}
	renamed := set("bob")
	renamed.Columns[1].Name = "User"
	if renamed.SHA256() == a {
		t.Error("a renamed column keeps the digest")
	}
	swapped := set("bob")
	swapped.Rows[0], swapped.Rows[1] = swapped.Rows[1], swapped.Rows[0]
	if swapped.SHA256() == a {
		t.Error("reordered rows keep the digest")
	}
}
