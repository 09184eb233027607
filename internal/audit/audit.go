// Package audit is sleuth's tamper-evident audit log: append-only JSON lines
// in which every entry carries the SHA-256 of the entry before it and its
// own hash, so an edited, removed, inserted or reordered entry breaks the
// chain at a line that Verify names.
//
// Every step of a hunt and of a response is recorded: the hunt's start and
// plan, each query (its KQL, row count and a hash of the rows), each LLM
// call (model, tokens, cost and a hash of the prompt), the findings, the
// proposed actions, the analyst's decisions, every API call a connector
// makes (method, URL, status, action id) and the outcomes. Secrets never
// reach the log: Append redacts values under secret-looking keys and
// bearer credentials before anything is written.
//
// Each entry is one write(2) on a file opened with O_APPEND, made under an
// exclusive advisory lock and followed by fsync, so concurrent sleuth
// processes serialise and an acknowledged entry survives a crash. A small
// head file next to the log (FILE.head) records the last sequence number
// and hash, so that removing whole entries from the end is also detected.
//
// The line format, with fields in this order:
//
//	{"seq":1,"time":"…","kind":"…","actor":"…","data":{…},"prev":"<64 hex>","hash":"<64 hex>"}
//
// hash is the SHA-256 of the line's bytes up to the hash field, closed with
// "}" (that is, the entry without its hash); prev is the previous entry's
// hash, or 64 zeros for the first entry.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"sync"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/audit/flock"
)

// Genesis is the prev hash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one line of the log.
type Entry struct {
	Seq   int64           `json:"seq"`
	Time  time.Time       `json:"time"`
	Kind  string          `json:"kind"`
	Actor string          `json:"actor"`
	Data  json.RawMessage `json:"data"`
	Prev  string          `json:"prev"`
	Hash  string          `json:"hash"`
}

// body is an entry without its hash: the bytes the hash covers.
type body struct {
	Seq   int64           `json:"seq"`
	Time  string          `json:"time"`
	Kind  string          `json:"kind"`
	Actor string          `json:"actor"`
	Data  json.RawMessage `json:"data"`
	Prev  string          `json:"prev"`
}

// Options configure OpenWith.
type Options struct {
	// Actor is recorded on every entry Append writes; the OS user when empty.
	Actor string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Log is an open audit log. It is safe for concurrent use, and several
// processes may append to the same file.
type Log struct {
	path  string
	actor string
	now   func() time.Time

	mu sync.Mutex
	f  *os.File
}

// Error is an audit failure with a stable code: audit.open, audit.write,
// audit.damaged, audit.tampered.
type Error struct {
	Code string
	Msg  string
	Hint string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the stable code, for the CLI's exit-code mapping.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorHint returns a suggestion for the user, or "".
func (e *Error) ErrorHint() string { return e.Hint }

// Open opens or creates the log at path, recording the OS user as actor.
func Open(path string) (*Log, error) { return OpenWith(path, Options{}) }

// OpenWith opens or creates the log at path.
func OpenWith(path string, opt Options) (*Log, error) {
	if opt.Actor == "" {
		opt.Actor = OSUser()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &Error{Code: "audit.open", Msg: "cannot create the audit log's directory", Err: err}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_RDWR, 0o600)
	if err != nil {
		return nil, &Error{Code: "audit.open", Msg: "cannot open the audit log " + path, Err: err}
	}
	return &Log{path: path, actor: opt.Actor, now: opt.Now, f: f}, nil
}

// OSUser is the name of the user running sleuth, the default actor.
func OSUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "unknown"
}

// Path returns the file the log is written to.
func (l *Log) Path() string { return l.path }

// Actor returns the actor Append records.
func (l *Log) Actor() string { return l.actor }

// Close releases the log.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Append records one entry of kind with data (any JSON-encodable value) as
// the log's actor.
func (l *Log) Append(kind string, data any) error {
	return l.AppendAs(l.actor, kind, data)
}

// AppendAs records one entry on behalf of actor, for steps a policy or a
// connector takes rather than the person running sleuth.
func (l *Log) AppendAs(actor, kind string, data any) error {
	raw, err := redactedJSON(data)
	if err != nil {
		return &Error{Code: "audit.write", Msg: "cannot encode " + kind + " data", Err: err}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return &Error{Code: "audit.write", Msg: "the audit log is closed"}
	}
	if err := flock.Lock(l.f); err != nil {
		return &Error{Code: "audit.write", Msg: "cannot lock the audit log", Err: err}
	}
	defer flock.Unlock(l.f)
	// Another process may have appended since our last write, so the tail
	// is read under the lock every time.
	seq, prev, err := lastEntry(l.f)
	if err != nil {
		return err
	}
	line, hash, err := encodeLine(body{Seq: seq + 1, Time: l.now().UTC().Format(time.RFC3339Nano), Kind: kind, Actor: actor, Data: raw, Prev: prev})
	if err != nil {
		return &Error{Code: "audit.write", Msg: "cannot encode " + kind, Err: err}
	}
	if _, err := l.f.Write(line); err != nil {
		return &Error{Code: "audit.write", Msg: "cannot write the audit log", Err: err}
	}
	if err := l.f.Sync(); err != nil {
		return &Error{Code: "audit.write", Msg: "cannot sync the audit log", Err: err}
	}
	return writeHead(l.path, head{Seq: seq + 1, Hash: hash})
}

// encodeLine renders an entry as one line and returns it with its hash.
func encodeLine(b body) ([]byte, string, error) {
	if len(b.Data) == 0 {
		b.Data = json.RawMessage("null")
	}
	js, err := json.Marshal(b)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(js)
	hash := hex.EncodeToString(sum[:])
	line := make([]byte, 0, len(js)+len(hash)+12)
	line = append(line, js[:len(js)-1]...)
	line = append(line, `,"hash":"`...)
	line = append(line, hash...)
	line = append(line, "\"}\n"...)
	return line, hash, nil
}

// hashSuffix is the length of `,"hash":"<64 hex>"}`.
const hashSuffix = len(`,"hash":"`) + 64 + len(`"}`)

// splitLine separates a line (without its newline) into the bytes the hash
// covers and the recorded hash.
func splitLine(line []byte) (covered []byte, hash string, ok bool) {
	if len(line) < hashSuffix+2 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, "", false
	}
	tail := line[len(line)-hashSuffix:]
	if !bytes.HasPrefix(tail, []byte(`,"hash":"`)) {
		return nil, "", false
	}
	hash = string(tail[len(`,"hash":"`) : len(tail)-2])
	if !isHex64(hash) {
		return nil, "", false
	}
	covered = make([]byte, 0, len(line)-hashSuffix+1)
	covered = append(covered, line[:len(line)-hashSuffix]...)
	covered = append(covered, '}')
	return covered, hash, true
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// lastEntry reads the sequence number and hash of the log's last entry, or
// (0, Genesis) for an empty log.
func lastEntry(f *os.File) (int64, string, error) {
	line, err := lastLine(f)
	if err != nil {
		return 0, "", err
	}
	if line == nil {
		return 0, Genesis, nil
	}
	_, hash, ok := splitLine(line)
	var e struct {
		Seq int64 `json:"seq"`
	}
	if !ok || json.Unmarshal(line, &e) != nil || e.Seq <= 0 {
		return 0, "", &Error{Code: "audit.damaged", Msg: "the audit log's last entry is unreadable",
			Hint: damagedHint}
	}
	return e.Seq, hash, nil
}

// lastLine returns the last complete line of f without its newline, nil
// for an empty file, and audit.damaged when the file ends mid-line.
func lastLine(f *os.File) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{Code: "audit.write", Msg: "cannot read the audit log", Err: err}
	}
	size := st.Size()
	if size == 0 {
		return nil, nil
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], size-1); err != nil {
		return nil, &Error{Code: "audit.write", Msg: "cannot read the audit log", Err: err}
	}
	if last[0] != '\n' {
		return nil, &Error{Code: "audit.damaged", Msg: "the audit log ends with a partial entry",
			Hint: damagedHint}
	}
	// Read backwards in growing chunks until the previous newline.
	for chunk := int64(4096); ; chunk *= 4 {
		start := max(size-1-chunk, 0)
		buf := make([]byte, size-1-start)
		if _, err := f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return nil, &Error{Code: "audit.write", Msg: "cannot read the audit log", Err: err}
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			return buf[i+1:], nil
		}
		if start == 0 {
			return buf, nil
		}
	}
}

const damagedHint = "run 'sleuth audit verify' to see what is wrong; move the file aside (keep it as evidence) and sleuth starts a new log"

// head is the content of FILE.head.
type head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

func headPath(path string) string { return path + ".head" }

// writeHead replaces the head file atomically. It runs under the log's lock.
func writeHead(path string, h head) error {
	b, _ := json.Marshal(h)
	tmp := headPath(path) + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return &Error{Code: "audit.write", Msg: "cannot write the audit head", Err: err}
	}
	if err := os.Rename(tmp, headPath(path)); err != nil {
		return &Error{Code: "audit.write", Msg: "cannot write the audit head", Err: err}
	}
	return nil
}

func readHead(path string) (head, bool, error) {
	b, err := os.ReadFile(headPath(path))
	if errors.Is(err, os.ErrNotExist) {
		return head{}, false, nil
	}
	if err != nil {
		return head{}, false, err
	}
	var h head
	if err := json.Unmarshal(b, &h); err != nil || h.Seq < 0 || !isHex64(h.Hash) {
		return head{}, true, fmt.Errorf("unreadable head file %s", headPath(path))
	}
	return h, true, nil
}
