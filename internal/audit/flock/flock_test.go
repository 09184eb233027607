package flock

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestLockSerialises holds the lock through one descriptor and checks that
// a second descriptor on the same file waits until it is released. flock
// locks belong to open file descriptions, so two os.Open calls in one
// process contend exactly as two processes would.
func TestLockSerialises(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	a, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := os.OpenFile(p, os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	if err := Lock(a); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := Lock(b); err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		order = append(order, "b")
		mu.Unlock()
		Unlock(b)
	}()
	// Give the goroutine time to block on the lock; if locking were a
	// no-op it would record "b" first.
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	order = append(order, "a")
	mu.Unlock()
	if err := Unlock(a); err != nil {
		t.Fatal(err)
	}
	<-done
	if len(order) != 2 || order[0] != "a" || order[1] != "b" {
		t.Fatalf("order = %v, want [a b]", order)
	}
}

func TestSharedLocksCoexist(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	a, _ := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	defer a.Close()
	b, _ := os.OpenFile(p, os.O_RDWR, 0o600)
	defer b.Close()
	if err := RLock(a); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- RLock(b) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a second shared lock blocked")
	}
}
