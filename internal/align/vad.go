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
	// onsetDepth is how far under the level of speech an onset or offset
	// is followed down the energy slope.
	onsetDepth = 55.0
	// minPause is the shortest silence a sentence boundary snaps to.
	minPause = 0.1 // seconds
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

// onsetSlope is how far back from where energy crosses the threshold the
// onset of speech is looked for: the energy rises from the floor over a few
// steps, and the first of them is where the sound begins.
const onsetSlope = 0.06 // seconds

// onset refines a speech onset at t (where energy crossed the threshold):
// it moves back over the steps whose energy still falls going backwards
// and is above the floor by a few dB.
func (v *vad) onset(t float64) float64 {
	e := int(t*Rate/energyStep + 0.5)
	if e <= 0 || e >= len(v.energy) {
		return t
	}
	low := max(v.floor+3, v.level-onsetDepth)
	limit := max(0, e-int(onsetSlope*Rate/energyStep))
	for e > limit && v.energy[e-1] > float32(low) && v.energy[e-1] < v.energy[e] {
		e--
	}
	return stepTime(e)
}

// offset is onset's mirror for the end of speech at t.
func (v *vad) offset(t float64) float64 {
	e := int(t*Rate/energyStep+0.5) - 1 // the last step of speech
	if e < 0 || e+1 >= len(v.energy) {
		return t
	}
	low := max(v.floor+3, v.level-onsetDepth)
	limit := min(len(v.energy)-1, e+int(onsetSlope*Rate/energyStep))
	for e < limit && v.energy[e+1] > float32(low) && v.energy[e+1] < v.energy[e] {
		e++
	}
	// The sound ends inside the last loud step's window, half a step on.
	return stepTime(e) + energyStep/2/float64(Rate)
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

// pause is a run of silent energy steps [start, end).
type pause struct{ start, end int }

// pauses returns the silent runs at least minLen steps long.
func (v *vad) pauses(minLen int) []pause {
	var out []pause
	start := -1
	for i := 0; i <= len(v.silent); i++ {
		quiet := i < len(v.silent) && v.silent[i]
		switch {
		case quiet && start < 0:
			start = i
		case !quiet && start >= 0:
			if i-start >= minLen {
				out = append(out, pause{start, i})
			}
			start = -1
		}
	}
	return out
}

// stepTime is the time of energy step e: the start of the step's centre.
func stepTime(e int) float64 { return float64(e) * energyStep / Rate }
