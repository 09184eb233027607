package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/attack"
	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/detect"
	"github.com/sleuth-hunt/sleuth/internal/hunt"
	"github.com/sleuth-hunt/sleuth/internal/lab"
	"github.com/sleuth-hunt/sleuth/internal/source/embedded"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

// StoreSink writes a lab into a store, one appender per table.
type StoreSink struct {
	Ctx   context.Context
	Store *store.Store
}

// Table implements lab.Sink.
func (s StoreSink) Table(name string) (lab.TableWriter, error) {
	app, err := s.Store.Appender(s.Ctx, name)
	if err != nil {
		return nil, err
	}
	return appendWriter{app}, nil
}

type appendWriter struct{ app *store.Appender }

func (w appendWriter) Write(row []any, _ string) error { return w.app.Append(row) }
func (w appendWriter) Close() error                    { return w.app.Close() }

// Hunter returns a Hunter over a store with the built-in rules, as `sleuth
// hunt` runs it offline.
func NewHunter(st *store.Store, now time.Time) (Hunter, error) {
	rules, err := detect.Load(detect.LoadOptions{})
	if err != nil {
		return nil, err
	}
	if len(rules.Errors) > 0 {
		return nil, fmt.Errorf("built-in rules: %v", rules.Errors[0])
	}
	src := embedded.New(st, false)
	cat := attack.Default()
	return func(ctx context.Context, question string) (*hunt.Report, error) {
		deng := &detect.Engine{Source: src, Rules: rules, Options: detect.Options{Now: now}}
		e := &hunt.Engine{Source: src, Detector: hunt.DetectorFor(deng), Options: hunt.Options{Now: now,
			Technique: func(id string) (string, string) {
				t, _ := cat.Technique(id)
				tactic := ""
				if ts := cat.TacticsOf(id); len(ts) > 0 {
					tactic = ts[0].Short
				}
				return t.Name, tactic
			}}}
		return e.Run(ctx, question)
	}, nil
}

// Lab generates a lab into st and returns its truth.
func Lab(ctx context.Context, st *store.Store, opt lab.Options) (*lab.Summary, error) {
	if opt.Catalog == nil {
		opt.Catalog = catalog.Default()
	}
	if err := lab.Validate(&opt); err != nil {
		return nil, err
	}
	return lab.Generate(ctx, StoreSink{Ctx: ctx, Store: st}, opt)
}

// Summary is a whole evaluation: per-case outcomes and the broad hunt.
type Summary struct {
	Seed     uint64    `json:"seed"`
	Recall   float64   `json:"recall"`
	Cases    int       `json:"cases"`
	Hits     int       `json:"hits"`
	Outcomes []Outcome `json:"outcomes"`
	Broad    Breadth   `json:"broad"`
	Decoys   []string  `json:"decoys_high"` // over every hunt
}

// MarshalJSON keeps Outcome readable in JSON.
func (o Outcome) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"id": o.Case.Truth.ID, "scenario": o.Case.Truth.Scenario, "question": o.Case.Question,
		"hit": o.Hit, "decoys_high": o.Decoys, "finding": o.Finding, "severity": o.Severity, "technique": o.Technique, "findings": o.Findings,
		"error": o.Err, "seconds": o.Elapsed.Seconds()})
}

// Evaluate runs every case and the broad hunt "anything suspicious" over
// the lab's days.
func Evaluate(ctx context.Context, h Hunter, truth []lab.Truth, days int) (*Summary, error) {
	cases := Cases(truth, days)
	s := &Summary{Outcomes: Run(ctx, cases, truth, h), Cases: len(cases)}
	for _, o := range s.Outcomes {
		if o.Hit {
			s.Hits++
		}
		s.Decoys = append(s.Decoys, o.Decoys...)
	}
	s.Recall = Recall(s.Outcomes)
	broad, err := h(ctx, fmt.Sprintf("Anything suspicious in the last %d days?", days))
	if err != nil {
		return nil, err
	}
	s.Broad = ScoreBroad(broad, truth)
	s.Decoys = append(s.Decoys, s.Broad.DecoysHigh...)
	return s, nil
}
