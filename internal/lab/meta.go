package lab

import (
	"strconv"
	"time"
)

// Keys of the store metadata a generated lab leaves for the hunt: which
// seed built it, the span of its data and where its ground truth is.
const (
	MetaSeed   = "lab.seed"
	MetaStart  = "lab.start"
	MetaEnd    = "lab.end"
	MetaTruth  = "lab.truth"
	MetaOrg    = "lab.org"
	MetaDomain = "lab.domain"
	MetaScale  = "lab.scale"
)

// Meta returns the metadata to record for a generated lab, in a stable
// order of keys.
func (s *Summary) Meta(truthPath string, scale float64) [][2]string {
	return [][2]string{
		{MetaSeed, strconv.FormatUint(s.Seed, 10)},
		{MetaStart, s.Start.UTC().Format(time.RFC3339)},
		{MetaEnd, s.End.UTC().Format(time.RFC3339)},
		{MetaTruth, truthPath},
		{MetaOrg, s.Org},
		{MetaDomain, s.Domain},
		{MetaScale, strconv.FormatFloat(scale, 'g', -1, 64)},
	}
}
