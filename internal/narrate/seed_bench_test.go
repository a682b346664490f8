package narrate

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

// BenchmarkSeed narrates the whole seed memoir with each engine, one and
// two episodes at a time, and checks every episode it makes (sidecar,
// onsets on the decoded MP3, loudness). Run it alone, once:
//
//	go test -run '^$' -bench Seed -benchtime 1x ./internal/narrate
func BenchmarkSeed(b *testing.B) {
	src, err := os.ReadFile("../../episodes/recollection.txt")
	if err != nil {
		b.Skipf("seed text: %v", err)
	}
	o, err := segment.Parse(src, segment.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range Engines {
		for _, jobs := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/jobs=%d", name, jobs), func(b *testing.B) {
				e := engineFor(b, name)
				dir := b.TempDir()
				var res []Result
				var wall time.Duration
				var cpu float64
				for b.Loop() {
					began, cpu0 := time.Now(), cpuSeconds()
					res, err = Run(context.Background(), Config{Engine: e, Dir: dir, Jobs: jobs}, o)
					wall, cpu = time.Since(began), cpuSeconds()-cpu0
					if err != nil {
						b.Fatal(err)
					}
				}
				audioSec := 0.0
				for _, r := range res {
					audioSec += r.Duration
					checkSeedEpisode(b, r)
				}
				b.ReportMetric(audioSec, "audio-s")
				b.ReportMetric(wall.Seconds(), "wall-s")
				b.ReportMetric(wall.Seconds()/audioSec, "rtf")
				// CPU seconds (narrate and every program it ran) per second of
				// audio: unlike wall time, it does not depend on what else the
				// machine is doing.
				b.ReportMetric(cpu/audioSec, "cpu-rtf")
			})
		}
	}
}

// cpuSeconds is the user and system time of this process and of its
// children that have been waited for.
func cpuSeconds() float64 {
	total := 0.0
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		}
	}
	return total
}

// checkSeedEpisode checks what TestNarrate checks that does not depend on
// the tiny outline.
func checkSeedEpisode(b *testing.B, r Result) {
	side, err := os.ReadFile(r.Sidecar)
	if err != nil {
		b.Fatal(err)
	}
	m, err := timing.Parse(side)
	if err != nil {
		b.Fatalf("%s: %v", r.Slug, err)
	}
	mp3, _ := os.ReadFile(r.Audio)
	pcm, err := audio.Decode(bytes.NewReader(mp3), 44100)
	if err != nil {
		b.Fatal(err)
	}
	var x []float32
	buf := make([]float32, 1<<16)
	for {
		n, err := pcm.Read(buf)
		x = append(x, buf[:n]...)
		if err != nil {
			break
		}
	}
	worstSilence, worstOnset := math.Inf(-1), 0.0
	for _, s := range m.Sentences {
		silent, begins := onsetCheck(x, 44100, s.Start)
		worstSilence = max(worstSilence, silent)
		if math.Abs(begins) > math.Abs(worstOnset) {
			worstOnset = begins
		}
		if silent > -50 || math.Abs(begins) > 0.030 {
			b.Errorf("%s %s at %.3f: %.1f dBFS before, speech begins %+.1f ms", r.Slug, s.ID, s.Start, silent, begins*1000)
		}
	}
	lufs, tp := ebur128(b, r.Audio)
	b.Logf("%s: %.1f s, %d sentences, ffmpeg %.1f LUFS %.1f dBTP, loudest pre-sentence 100 ms %.1f dBFS, worst onset %+.1f ms, limiter %.1f dB",
		r.Slug, r.Duration, r.Sentences, lufs, tp, worstSilence, worstOnset*1000, r.Limited)
	if math.Abs(lufs+16) > 1 || tp > -1 {
		b.Errorf("%s: %.1f LUFS, %.1f dBTP", r.Slug, lufs, tp)
	}
}
