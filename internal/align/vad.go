package align

import (
	"slices"
)

// The energy VAD: a 5 ms step is silent when its energy is near the
// recording's noise floor. Thresholds adapt to the recording: digital
// silence between synthesized sentences and a room's hiss both work.
const (
	// vadMinRise and vadMaxRise bound how far above the noise floor the
	// threshold sits, in dB; in between it is vadRise of the way from the
	// floor to the level of speech.
	vadMinRise = 9.0
	vadMaxRise = 20.0
	vadRise    = 0.3
	// vadDepth is how far under the level of speech the threshold may
	// go, in dB, however quiet the floor: between synthesized sentences
	// the floor is digital silence, and an MP3's pre-echo before an onset
	// must not count as speech. 50 dB under speech is where a listener
	// stops hearing it (narrate's "audible" is −66 dBFS).
	vadDepth = 50.0
)

// vad is the silence of a recording, per energy step.
type vad struct {
	silent    []bool
	energy    []float32
	threshold float64 // dB
	floor     float64 // dB: the noise floor
	level     float64 // dB: the level of speech
}

func newVAD(energy []float32) *vad {
	v := &vad{silent: make([]bool, len(energy)), energy: energy}
	if len(energy) == 0 {
		return v
	}
	sorted := slices.Clone(energy)
	slices.Sort(sorted)
	q := func(p float64) float64 { return float64(sorted[int(p*float64(len(sorted)-1))]) }
	v.floor, v.level = q(0.05), q(0.95)
	rise := min(vadMaxRise, max(vadMinRise, vadRise*(v.level-v.floor)))
	v.threshold = max(v.floor+rise, v.level-vadDepth)
	for i, e := range energy {
		v.silent[i] = float64(e) < v.threshold
	}
	return v
}

// speechFraction is the share of steps that are not silent.
func (v *vad) speechFraction() float64 {
	n := 0
	for _, s := range v.silent {
		if !s {
			n++
		}
	}
	return float64(n) / float64(max(1, len(v.silent)))
}

// sound is the seconds of non-silent audio in [from, to).
func (v *vad) sound(from, to float64) float64 {
	e0 := max(0, int(from*Rate/energyStep))
	e1 := min(len(v.silent), int(to*Rate/energyStep))
	n := 0
	for e := e0; e < e1; e++ {
		if !v.silent[e] {
			n++
		}
	}
	return float64(n) * energyStep / Rate
}
