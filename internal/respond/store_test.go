package respond

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestStoreConcurrentUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "actions.json")
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := OpenStore(path) // each with its own lock file description
			for i := 0; i < 10; i++ {
				err := s.Update(func(st *Ledger) error {
					st.Add(&Action{Type: IsolateHost, Target: fmt.Sprintf("w%d-%d", w, i), Status: Proposed})
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	st, err := OpenStore(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, a := range st.Actions {
		ids[a.ID] = true
	}
	if len(st.Actions) != 40 || len(ids) != 40 || st.NextID != 41 {
		t.Fatalf("%d actions, %d distinct ids, next %d", len(st.Actions), len(ids), st.NextID)
	}
	if a, err := st.Get("7"); err != nil || a.ID != "act-7" {
		t.Fatalf("Get(7) = %v %v", a, err)
	}
	if _, err := st.Get("act-99"); Code(err) != "respond.not_found" {
		t.Fatalf("Get(act-99) = %v", err)
	}
}

func TestStoreDamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "actions.json")
	os.WriteFile(path, []byte(`{"version":1,"actions":[{"id":`), 0o600)
	s := OpenStore(path)
	if _, err := s.Load(); Code(err) != "respond.store" {
		t.Fatalf("got %v", err)
	}
	if err := s.Update(func(*Ledger) error { return nil }); Code(err) != "respond.store" {
		t.Fatalf("Update over a damaged file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != `{"version":1,"actions":[{"id":` {
		t.Fatal("a failed update rewrote the damaged file")
	}
}
