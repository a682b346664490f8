package narrate

import "math"

// limiter is a look-ahead peak limiter that works in place on a buffer
// with memory proportional to its look-ahead, not to the buffer. The gain it
// needs at each sample, min(1, ceiling/|x|), is held over the look-ahead
// window (a sliding minimum), released exponentially, and smoothed by a
// moving average as long as the window, so the gain is already down when a
// peak arrives and no sample leaves above the ceiling.
type limiter struct {
	ceiling float64 // linear sample peak
	look    int     // look-ahead in samples
	release float64 // per-sample recovery factor of the gain reduction
}

func newLimiter(rate int, ceilingDB float64) *limiter {
	return &limiter{
		ceiling: math.Pow(10, ceilingDB/20),
		look:    max(1, rate*5/1000),                    // 5 ms
		release: math.Exp(-1 / (0.080 * float64(rate))), // 80 ms
	}
}

// apply multiplies x by gain and limits it, in place. It returns the
// deepest gain reduction in dB.
func (l *limiter) apply(x []float32, gain float64) float64 {
	n, L := len(x), l.look
	need := func(i int) float64 {
		a := math.Abs(float64(x[i]) * gain)
		if a <= l.ceiling {
			return 1
		}
		return l.ceiling / a
	}
	// Monotonic deque of indices whose need is increasing, over the window
	// [i, i+L] for the sample i being written; rings of size L+2.
	dq := make([]int, L+2)
	dqNeed := make([]float64, L+2)
	head, size := 0, 0
	push := func(j int) {
		v := need(j)
		for size > 0 && dqNeed[(head+size-1)%len(dq)] >= v {
			size--
		}
		k := (head + size) % len(dq)
		dq[k], dqNeed[k] = j, v
		size++
	}
	// Look ahead: fill the window for sample 0.
	for j := 0; j < min(L, n); j++ {
		push(j)
	}
	// The history before the first sample holds the gain the start needs,
	// so that a peak within the first L samples is turned down too.
	held := 1.0
	for j := 0; j <= min(L, n-1); j++ {
		held = min(held, need(j))
	}
	hist := make([]float64, L) // the last L held gains, for the moving average
	for k := range hist {
		hist[k] = held
	}
	sum := held * float64(L)
	lowest := 1.0
	for i := range n {
		if j := i + L; j < n {
			push(j)
		}
		for dq[head] < i {
			head = (head + 1) % len(dq)
			size--
		}
		held = min(dqNeed[head], 1-(1-held)*l.release)
		if held > 1-1e-4 { // within 0.001 dB: done releasing
			held = 1
		}
		sum += held - hist[i%L]
		hist[i%L] = held
		g := min(1, sum/float64(L))
		lowest = min(lowest, g)
		x[i] = float32(float64(x[i]) * gain * g)
	}
	return -dB(lowest)
}
