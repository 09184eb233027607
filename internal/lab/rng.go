package lab

import (
	"math"
	"math/rand/v2"
	"time"
)

// streams derive independent random streams from the lab seed and a label,
// so that each component (a host's day, a scenario instance, a table's
// background) draws the same numbers whatever else is generated and in
// whatever order the work runs.
type streams struct{ seed uint64 }

// rng returns the stream for a label and integer coordinates.
func (s streams) rng(label string, coords ...int) *rand.Rand {
	h := uint64(14695981039346656037) // FNV-1a offset basis
	for i := 0; i < len(label); i++ {
		h ^= uint64(label[i])
		h *= 1099511628211
	}
	for _, c := range coords {
		h ^= uint64(c) + 0x9e3779b97f4a7c15
		h *= 1099511628211
		h = splitmix(h)
	}
	a := splitmix(h ^ s.seed)
	b := splitmix(a ^ 0xda942042e4dd58b5)
	return rand.New(rand.NewPCG(a, b))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// weighted picks an index with probability proportional to w.
func weighted(r *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

// poisson draws a count with mean lambda (Knuth for small means, a normal
// approximation above 30, which is plenty for event counts).
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		n := int(math.Round(lambda + math.Sqrt(lambda)*r.NormFloat64()))
		if n < 0 {
			return 0
		}
		return n
	}
	l := math.Exp(-lambda)
	k, p := 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// jitter returns d scaled by a random factor in [1-f, 1+f].
func jitter(r *rand.Rand, d time.Duration, f float64) time.Duration {
	return time.Duration(float64(d) * (1 + f*(2*r.Float64()-1)))
}

// within returns a random instant in [t, t+d), at microsecond precision
// because that is what the store keeps.
func within(r *rand.Rand, t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	return t.Add(time.Duration(r.Int64N(int64(d)))).Truncate(time.Microsecond)
}

// shuffled returns a permutation of xs without changing it.
func shuffled[T any](r *rand.Rand, xs []T) []T {
	out := append([]T(nil), xs...)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// sample returns n distinct elements of xs (all of them if n >= len(xs)).
func sample[T any](r *rand.Rand, xs []T, n int) []T {
	s := shuffled(r, xs)
	if n < len(s) {
		s = s[:n]
	}
	return s
}
