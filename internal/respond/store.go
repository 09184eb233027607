package respond

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/audit/flock"
)

// Store keeps actions in a JSON file. Every change is a read-modify-write
// under an exclusive lock on FILE.lock, and the file is replaced atomically
// (write a temporary file, fsync, rename), so a reader never sees half a
// file and two processes never lose each other's changes.
type Store struct {
	path string
}

// fileVersion is bumped when the file's shape changes incompatibly.
const fileVersion = 1

// Ledger is the content of the actions file.
type Ledger struct {
	Version int       `json:"version"`
	NextID  int       `json:"next_id"`
	Actions []*Action `json:"actions"`
}

// OpenStore returns the store at path; the file is created on first write.
func OpenStore(path string) *Store { return &Store{path: path} }

// Path returns the actions file.
func (s *Store) Path() string { return s.path }

// Load reads every action.
func (s *Store) Load() (*Ledger, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Ledger{Version: fileVersion, NextID: 1}, nil
	}
	if err != nil {
		return nil, &Error{Code: "respond.store", Msg: "cannot read " + s.path, Err: err}
	}
	st := &Ledger{}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, &Error{Code: "respond.store", Msg: "cannot parse " + s.path, Err: err,
			Hint: "the actions file is damaged; the audit log holds every decision, so move the file aside to start afresh"}
	}
	if st.Version > fileVersion {
		return nil, errorf("respond.store", "upgrade sleuth", "%s was written by a newer sleuth (version %d)", s.path, st.Version)
	}
	if st.NextID < 1 {
		st.NextID = 1
	}
	return st, nil
}

// Update runs fn on the current state under the lock and writes the result
// when fn succeeds.
func (s *Store) Update(fn func(*Ledger) error) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return &Error{Code: "respond.store", Msg: "cannot create " + filepath.Dir(s.path), Err: err}
	}
	lf, err := os.OpenFile(s.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return &Error{Code: "respond.store", Msg: "cannot open the actions lock", Err: err}
	}
	defer lf.Close()
	if err := flock.Lock(lf); err != nil {
		return &Error{Code: "respond.store", Msg: "cannot lock the actions file", Err: err}
	}
	defer flock.Unlock(lf)
	st, err := s.Load()
	if err != nil {
		return err
	}
	if err := fn(st); err != nil {
		return err
	}
	return s.write(st)
}

func (s *Store) write(st *Ledger) error {
	st.Version = fileVersion
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(st); err != nil {
		return &Error{Code: "respond.store", Msg: "cannot encode the actions", Err: err}
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".actions-*.tmp")
	if err != nil {
		return &Error{Code: "respond.store", Msg: "cannot write the actions file", Err: err}
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(buf.Bytes())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		return &Error{Code: "respond.store", Msg: "cannot write " + s.path, Err: err}
	}
	syncDir(filepath.Dir(s.path))
	return nil
}

// syncDir makes the rename durable where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Add assigns the next id to a and appends it.
func (st *Ledger) Add(a *Action) {
	a.ID = "act-" + strconv.Itoa(st.NextID)
	st.NextID++
	st.Actions = append(st.Actions, a)
}

// Get finds an action by id; "3" and "act-3" name the same action.
func (st *Ledger) Get(id string) (*Action, error) {
	id = strings.TrimSpace(id)
	if _, err := strconv.Atoi(id); err == nil {
		id = "act-" + id
	}
	for _, a := range st.Actions {
		if strings.EqualFold(a.ID, id) {
			return a, nil
		}
	}
	return nil, errorf("respond.not_found", "'sleuth respond list' shows the actions", "no action %q", id)
}

// Find returns the actions matching keep, in id order.
func (st *Ledger) Find(keep func(*Action) bool) []*Action {
	var out []*Action
	for _, a := range st.Actions {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}
