package respond

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/audit"
)

// testClock ticks a second per call from a fixed start.
func testClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// sleeps records the waits a connector asked for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// testEngine builds an engine over a temporary actions file and audit log
// with the given connectors enabled.
func testEngine(t *testing.T, conns ...Connector) *Engine {
	t.Helper()
	dir := t.TempDir()
	log, err := audit.OpenWith(filepath.Join(dir, "audit.jsonl"), audit.Options{Actor: "alice", Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	p := DefaultPolicy()
	p.Connectors = nil
	m := map[string]Connector{}
	for _, c := range conns {
		p.Connectors = append(p.Connectors, c.Name())
		m[c.Name()] = c
	}
	return &Engine{Store: OpenStore(filepath.Join(dir, "actions.json")), Audit: log, Policy: p, Connectors: m, Actor: "alice", Now: testClock()}
}

// auditText returns the engine's audit log and checks that it verifies.
func auditText(t *testing.T, e *Engine) string {
	t.Helper()
	l := e.Audit.(*audit.Log)
	rep, err := audit.Verify(l.Path())
	if err != nil || !rep.OK {
		t.Fatalf("audit log does not verify: %+v %v", rep, err)
	}
	b, _ := os.ReadFile(l.Path())
	return string(b)
}

// propose submits one proposal and returns it with its id.
func propose(t *testing.T, e *Engine, a *Action) *Action {
	t.Helper()
	if a.Status == "" {
		a.Status = Proposed
	}
	if err := e.Submit(context.Background(), []*Action{a}); err != nil {
		t.Fatal(err)
	}
	return a
}

// approveAndRun approves with --yes and executes.
func approveAndRun(t *testing.T, e *Engine, id string) (*Action, error) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Approve(ctx, id, ApproveOptions{Yes: true}); err != nil {
		return nil, err
	}
	return e.Execute(ctx, id)
}

// scriptedPrompter answers from fixed lists and records the questions.
type scriptedPrompter struct {
	confirms []bool
	choices  []int
	names    []string
	asked    []string
}

func (p *scriptedPrompter) Confirm(_ context.Context, q string) (bool, error) {
	p.asked = append(p.asked, q)
	if len(p.confirms) == 0 {
		return false, nil
	}
	a := p.confirms[0]
	p.confirms = p.confirms[1:]
	return a, nil
}

func (p *scriptedPrompter) Choose(_ context.Context, q string, options []string) (int, error) {
	p.asked = append(p.asked, q+"\n"+strings.Join(options, "\n"))
	if len(p.choices) == 0 {
		return -1, nil
	}
	a := p.choices[0]
	p.choices = p.choices[1:]
	return a, nil
}

func (p *scriptedPrompter) ConfirmName(_ context.Context, q, name string) (bool, error) {
	p.asked = append(p.asked, q)
	if len(p.names) == 0 {
		return false, nil
	}
	a := p.names[0]
	p.names = p.names[1:]
	return strings.EqualFold(a, name), nil
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
