package sigma

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// slider is the measure of a sliding window, updated as events enter at
// the end and leave at the start.
type slider interface {
	add(e Event)
	remove(e Event)
	value() float64
}

func (cc *CompiledCorrelation) slider() slider {
	switch cc.Type {
	case ValueCount:
		return &distinctSlider{key: func(e Event) (string, bool) { return distinctValue(e.Value) }, counts: map[string]int{}}
	case Temporal:
		return &distinctSlider{key: func(e Event) (string, bool) { return e.Rule, true }, counts: map[string]int{}}
	case ValueSum:
		return &sumSlider{}
	case ValueAvg:
		return &sumSlider{avg: true}
	case ValuePercentile:
		return &percentileSlider{p: cc.Cond.Percentile}
	case ValueMedian:
		return &percentileSlider{p: 50}
	}
	return &countSlider{}
}

// countSlider counts events (event_count).
type countSlider struct{ n int }

func (s *countSlider) add(Event)      { s.n++ }
func (s *countSlider) remove(Event)   { s.n-- }
func (s *countSlider) value() float64 { return float64(s.n) }

// distinctSlider counts distinct keys: the field's values (value_count) or
// the rules that matched (temporal).
type distinctSlider struct {
	key    func(Event) (string, bool)
	counts map[string]int
}

func (s *distinctSlider) add(e Event) {
	if k, ok := s.key(e); ok {
		s.counts[k]++
	}
}

func (s *distinctSlider) remove(e Event) {
	k, ok := s.key(e)
	if !ok {
		return
	}
	if s.counts[k]--; s.counts[k] <= 0 {
		delete(s.counts, k)
	}
}

func (s *distinctSlider) value() float64 { return float64(len(s.counts)) }

// distinctValue is a field value as a key; a missing or empty value is not
// a value (Sigma counts the values a field takes).
func distinctValue(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, x != ""
	}
	return fmt.Sprint(v), true
}

// sumSlider sums numeric values (value_sum) or averages them (value_avg);
// values that are not numbers are skipped.
type sumSlider struct {
	avg bool
	sum float64
	n   int
}

func (s *sumSlider) add(e Event) {
	if f, ok := numeric(e.Value); ok {
		s.sum += f
		s.n++
	}
}

func (s *sumSlider) remove(e Event) {
	if f, ok := numeric(e.Value); ok {
		s.sum -= f
		s.n--
	}
}

func (s *sumSlider) value() float64 {
	if s.n == 0 {
		return math.NaN() // no condition holds on a window without numbers
	}
	if !s.avg {
		return s.sum
	}
	return s.sum / float64(s.n)
}

// percentileSlider keeps the window's values sorted and reads the p-th
// percentile by nearest rank.
type percentileSlider struct {
	p      float64
	values []float64
}

func (s *percentileSlider) add(e Event) {
	if f, ok := numeric(e.Value); ok {
		i := sort.SearchFloat64s(s.values, f)
		s.values = append(s.values, 0)
		copy(s.values[i+1:], s.values[i:])
		s.values[i] = f
	}
}

func (s *percentileSlider) remove(e Event) {
	if f, ok := numeric(e.Value); ok {
		i := sort.SearchFloat64s(s.values, f)
		if i < len(s.values) && s.values[i] == f {
			s.values = append(s.values[:i], s.values[i+1:]...)
		}
	}
}

func (s *percentileSlider) value() float64 {
	n := len(s.values)
	if n == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(s.p / 100 * float64(n)))
	if rank < 1 {
		rank = 1
	}
	return s.values[rank-1]
}

// numeric reads a value as a number: numbers, and strings that spell one.
func numeric(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}
