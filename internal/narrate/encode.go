package narrate

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/readcast/readcast/internal/audio"
)

// level is what loudness normalization measured and did.
type level struct {
	Before   float64 // integrated loudness of the synthesized PCM, LUFS
	Loudness float64 // integrated loudness after, LUFS
	TruePeak float64 // after, dBTP
	Limited  float64 // the limiter's deepest gain reduction, dB (0: not used)
	Encodes  int     // how many times lame ran
}

// normalize brings x, in place, to target LUFS with its true peak at most
// ceiling dBTP. Where the gain alone would push peaks over the ceiling, the
// limiter holds them down; limiting lowers the loudness a little, so the
// gain is raised and the limiter run again until the loudness is within
// 0.05 LU (two or three passes over the PCM, each a streaming one).
func normalize(x []float32, rate int, target, ceiling float64) (level, error) {
	m := NewMeter(rate)
	m.Write(x)
	lv := level{Before: m.Integrated(), Loudness: m.Integrated(), TruePeak: m.TruePeak()}
	if math.IsInf(lv.Before, -1) {
		return lv, fmt.Errorf("the audio is silent")
	}
	for pass := 0; pass < 5; pass++ {
		gain := target - lv.Loudness
		if math.Abs(gain) < 0.05 && lv.TruePeak <= ceiling {
			break
		}
		if lv.TruePeak+gain > ceiling {
			// 0.3 dB under the ceiling: the limiter sees samples, not the
			// peaks between them.
			depth := newLimiter(rate, ceiling-0.3).apply(x, math.Pow(10, gain/20))
			lv.Limited = max(lv.Limited, depth)
		} else {
			scale(x, gain)
		}
		m = NewMeter(rate)
		m.Write(x)
		lv.Loudness, lv.TruePeak = m.Integrated(), m.TruePeak()
		if over := lv.TruePeak - ceiling; over > 0 {
			// what the limiter let through between samples
			scale(x, -over)
			lv.Loudness -= over
			lv.TruePeak -= over
		}
	}
	return lv, nil
}

// scale multiplies x by gain dB.
func scale(x []float32, gain float64) {
	g := float32(math.Pow(10, gain/20))
	for i := range x {
		x[i] *= g
	}
}

// encode writes x as a constant-bitrate mono MP3 to path with lame. lame
// writes to the file, not to a pipe, because only a file it can seek lets
// it go back and fill in the Xing/LAME tag with the encoder delay and
// padding, which players use to trim them (gapless playback): without it
// every time in the sidecar would be off by 50 ms.
func encode(ctx context.Context, x []float32, rate int, enc Encoding, path string) error {
	lame, err := lookPath("lame", "lame")
	if err != nil {
		return err
	}
	khz := strconv.FormatFloat(float64(rate)/1000, 'f', -1, 64)
	cmd := exec.CommandContext(ctx, lame, "--quiet",
		"-r", "-s", khz, "--bitwidth", "16", "--signed", "--little-endian", "-m", "m",
		"--resample", khz, "-b", strconv.Itoa(enc.Bitrate), "--cbr", "-q", "2", "--noreplaygain",
		"-", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("lame: %w", err)
	}
	w := bufio.NewWriterSize(in, 64<<10)
	var b [2]byte
	var werr error
	for _, v := range x {
		// No dither: the pauses stay digital silence, and 16-bit rounding
		// noise is far below what a 64 kbit/s MP3 keeps.
		s := math.Round(float64(v) * 32767)
		binary.LittleEndian.PutUint16(b[:], uint16(int16(max(-32768, min(32767, s)))))
		if _, werr = w.Write(b[:]); werr != nil {
			break
		}
	}
	if werr == nil {
		werr = w.Flush()
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("lame: %w: %s", err, lastLines(stderr.String(), 3))
	}
	if werr != nil {
		return fmt.Errorf("lame: %w", werr)
	}
	return nil
}

// lameLoss is how much quieter lame 3.100's MP3s are than its input: 0.4 dB,
// the same on a 1 kHz tone and on speech, at 64 and 128 kbit/s, decoded by
// ffmpeg or by lame itself. The PCM aims that much higher so that the MP3
// lands on the target with one encode.
const lameLoss = 0.4

// encoderHeadroom keeps the PCM's true peak this far under the ceiling: an
// MP3 overshoots the peaks of its input by a few tenths of a dB.
const encoderHeadroom = 0.3

// master normalizes x, encodes it to path, and measures the MP3 as a player
// decodes it. The encoder changes the level: lame's MP3s are 0.4 dB quieter
// than their input (lameLoss), and quantization noise adds to the peaks,
// by 0.1 dB in festival's smooth HTS speech but by more than 1 dB in
// espeak-ng's buzzy formant synthesis. So when the MP3 misses the target by
// more than 0.3 LU or peaks over the ceiling, the miss is taken off the PCM's
// target (and its peak ceiling) and it is encoded again, up to three times.
// The level returned is the MP3's.
func master(ctx context.Context, x []float32, rate int, cfg Config, path string) (level, error) {
	target := cfg.Loudness.Target + lameLoss
	ceiling := cfg.Loudness.MaxTruePeak - encoderHeadroom
	const attempts = 3
	for attempt := 1; ; attempt++ {
		lv, err := normalize(x, rate, target, ceiling)
		if err != nil {
			return lv, err
		}
		if err := encode(ctx, x, rate, cfg.Encoding, path); err != nil {
			return lv, err
		}
		lv.Encodes = attempt
		lv.Loudness, lv.TruePeak, err = measureMP3(path, rate)
		if err != nil {
			return lv, err
		}
		off := cfg.Loudness.Target - lv.Loudness
		// 0.1 dB to spare: ffmpeg's decoder and true-peak filter are not ours
		over := lv.TruePeak - (cfg.Loudness.MaxTruePeak - 0.1)
		if math.Abs(off) <= 0.3 && over <= 0 {
			return lv, nil
		}
		if attempt == attempts {
			if math.Abs(off) > 1 || lv.TruePeak > cfg.Loudness.MaxTruePeak {
				return lv, fmt.Errorf("the MP3 measures %.1f LUFS and %.1f dBTP after %d encodes, want %.0f ± 1 LUFS and at most %.0f dBTP",
					lv.Loudness, lv.TruePeak, attempts, cfg.Loudness.Target, cfg.Loudness.MaxTruePeak)
			}
			return lv, nil
		}
		target += off
		if over > 0 {
			ceiling -= over + 0.2
		}
	}
}

// measureMP3 returns the integrated loudness and true peak of an MP3,
// decoded and trimmed as a player does.
func measureMP3(path string, rate int) (lufs, truePeak float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	pcm, err := audio.Decode(f, rate)
	if err != nil {
		return 0, 0, err
	}
	m := NewMeter(rate)
	buf := make([]float32, 16384)
	for {
		n, err := pcm.Read(buf)
		m.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, err
		}
	}
	return m.Integrated(), m.TruePeak(), nil
}
