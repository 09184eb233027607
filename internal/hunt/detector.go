package hunt

import (
	"context"

	"github.com/sleuth-hunt/sleuth/internal/detect"
)

// DetectorFor adapts internal/detect's engine to the hunt.
func DetectorFor(e *detect.Engine) Detector { return engineDetector{e} }

type engineDetector struct{ e *detect.Engine }

func (d engineDetector) Detect(ctx context.Context, req DetectRequest) (*DetectResult, error) {
	res, err := d.e.Run(ctx, detect.Scope{Start: req.Start, End: req.End, Tables: req.Tables})
	if err != nil {
		return nil, err
	}
	out := &DetectResult{Signals: res.Signals, RulesByTable: map[string]int{}}
	for _, q := range res.Queries {
		if q.Table != "" && q.Error == "" {
			out.RulesByTable[q.Table] += len(q.Rules)
		}
		out.Queries = append(out.Queries, QueryRecord{Step: "detect", Purpose: q.Purpose, KQL: q.KQL, Rows: q.Rows, RowsSHA256: q.RowsSHA256, Elapsed: q.Elapsed, Error: q.Error})
	}
	for _, e := range res.Errors {
		out.Errors = append(out.Errors, e.Error())
	}
	return out, nil
}
