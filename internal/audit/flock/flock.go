// Package flock provides advisory whole-file locks, so that several sleuth
// processes appending to the audit log or rewriting the actions file take
// turns instead of interleaving their writes.
//
// The locks are advisory (flock(2) on Unix, LockFileEx on Windows): they
// order sleuth processes among themselves and do not stop other programs.
package flock

import (
	"fmt"
	"os"
)

// Lock blocks until it holds an exclusive lock on f. The lock is released
// by Unlock or when f is closed.
func Lock(f *os.File) error {
	if err := lock(f, true); err != nil {
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return nil
}

// RLock blocks until it holds a shared lock on f.
func RLock(f *os.File) error {
	if err := lock(f, false); err != nil {
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return nil
}

// Unlock releases a lock taken by Lock or RLock.
func Unlock(f *os.File) error {
	if err := unlock(f); err != nil {
		return fmt.Errorf("unlock %s: %w", f.Name(), err)
	}
	return nil
}
