package audio

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/testtool"
)

// signal is a synthesized test recording: silence with tone bursts whose
// first sample is known exactly.
type signal struct {
	rate     int
	channels int
	samples  []int16 // interleaved
	onset    int     // first sample of the first burst, per channel
}

// frames is the length in samples per channel.
func (s signal) frames() int { return len(s.samples) / s.channels }

// burstSignal makes seconds of audio at rate with a 1 kHz burst (amplitude
// 0.5, sharp onset) starting at onset and a 440 Hz one later, so that a
// decoder's delay shows up as a shifted onset.
func burstSignal(rate, channels int, seconds float64, onset int) signal {
	n := int(seconds * float64(rate))
	s := signal{rate: rate, channels: channels, samples: make([]int16, n*channels), onset: onset}
	put := func(from, length int, freq float64) {
		for i := from; i < from+length && i < n; i++ {
			v := 0.5 * math.Sin(2*math.Pi*freq*float64(i-from)/float64(rate))
			for c := range channels {
				s.samples[i*channels+c] = int16(v * 32767)
			}
		}
	}
	put(onset, int(0.8*float64(rate)), 1000)
	put(onset+int(1.2*float64(rate)), int(0.5*float64(rate)), 440)
	return s
}

// writeWAV writes s as a 16-bit PCM WAV file.
func writeWAV(tb testing.TB, path string, s signal) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := encodeWAV(f, s); err != nil {
		tb.Fatal(err)
	}
}

func encodeWAV(w io.Writer, s signal) error {
	data := len(s.samples) * 2
	h := make([]byte, 44)
	copy(h, "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+data))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], uint16(s.channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(s.rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(s.rate*s.channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(s.channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(data))
	if _, err := w.Write(h); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, s.samples)
}

// encodeMP3 writes s as a WAV in dir and encodes it with lame and args,
// returning the MP3's path.
func encodeMP3(tb testing.TB, dir, name string, s signal, args ...string) string {
	tb.Helper()
	lame := testtool.Require(tb, "lame", "lame")
	wav := filepath.Join(dir, name+".wav")
	writeWAV(tb, wav, s)
	out := filepath.Join(dir, name+".mp3")
	cmd := exec.Command(lame, append(append([]string{"--quiet"}, args...), wav, out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("lame %v: %v\n%s", args, err, b)
	}
	return out
}

// ffprobeJSON runs ffprobe with args on path and decodes its JSON output.
func ffprobeJSON(tb testing.TB, path string, v any, args ...string) {
	tb.Helper()
	ffprobe := testtool.Require(tb, "ffprobe", "ffmpeg")
	args = append(append([]string{"-v", "error", "-of", "json"}, args...), path)
	b, err := exec.Command(ffprobe, args...).Output()
	if err != nil {
		tb.Fatalf("ffprobe %v: %v", args, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("ffprobe output: %v\n%s", err, b)
	}
}

// ffprobeDuration is ffprobe's format duration of path in seconds.
func ffprobeDuration(tb testing.TB, path string) float64 {
	tb.Helper()
	var out struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	ffprobeJSON(tb, path, &out, "-show_entries", "format=duration")
	d, err := strconv.ParseFloat(out.Format.Duration, 64)
	if err != nil {
		tb.Fatalf("ffprobe duration %q: %v", out.Format.Duration, err)
	}
	return d
}

// ffprobePackets is the number of audio frames ffmpeg reads from path (it
// skips the Xing/Info frame, as Info.Frames does).
func ffprobePackets(tb testing.TB, path string) int {
	tb.Helper()
	var out struct {
		Streams []struct {
			Packets string `json:"nb_read_packets"`
		} `json:"streams"`
	}
	ffprobeJSON(tb, path, &out, "-count_packets", "-show_entries", "stream=nb_read_packets")
	if len(out.Streams) != 1 {
		tb.Fatalf("ffprobe: %d streams", len(out.Streams))
	}
	n, err := strconv.Atoi(out.Streams[0].Packets)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// ffmpegDecode decodes path with ffmpeg to mono float samples at its own
// rate: the reference for what a player plays. Stereo is averaged, as
// Decode does (ffmpeg's own -ac 1 downmix is 3 dB louder).
func ffmpegDecode(tb testing.TB, path string, channels int) []float32 {
	tb.Helper()
	ffmpeg := testtool.Require(tb, "ffmpeg", "ffmpeg")
	mix := "pan=mono|c0=c0"
	if channels == 2 {
		mix = "pan=mono|c0=0.5*c0+0.5*c1"
	}
	b, err := exec.Command(ffmpeg, "-v", "error", "-i", path, "-af", mix, "-f", "f32le", "-").Output()
	if err != nil {
		tb.Fatalf("ffmpeg decode %s: %v", path, err)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// decodeAll reads every sample of p.
func decodeAll(tb testing.TB, p *PCM) []float32 {
	tb.Helper()
	var out []float32
	buf := make([]float32, 1000) // not a multiple of any frame size
	for {
		n, err := p.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatalf("read after %d samples: %v", len(out), err)
		}
	}
}

// decodeFile decodes the MP3 at path at rate.
func decodeFile(tb testing.TB, path string, rate int) (*PCM, []float32) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	p, err := Decode(f, rate)
	if err != nil {
		tb.Fatalf("Decode(%s, %d): %v", filepath.Base(path), rate, err)
	}
	return p, decodeAll(tb, p)
}

// onset is the index of the first sample whose magnitude reaches half the
// bursts' amplitude: well above MP3 pre-echo, and measured the same way on
// the original and the decoded signal.
func onset(x []float32) int {
	for i, v := range x {
		if math.Abs(float64(v)) >= 0.25 {
			return i
		}
	}
	return -1
}

// mono returns s downmixed to float32, as Decode does.
func (s signal) mono() []float32 {
	out := make([]float32, s.frames())
	for i := range out {
		var sum float32
		for c := range s.channels {
			sum += float32(s.samples[i*s.channels+c]) / 32768
		}
		out[i] = sum / float32(s.channels)
	}
	return out
}

// bestLag is the shift of got against want, within ±maxLag samples, that
// correlates best over want's length: 0 when got is on want's clock.
func bestLag(want, got []float32, maxLag int) int {
	best, bestLag := math.Inf(-1), 0
	for lag := -maxLag; lag <= maxLag; lag++ {
		var c float64
		for i, w := range want {
			if j := i + lag; j >= 0 && j < len(got) {
				c += float64(w) * float64(got[j])
			}
		}
		if c > best {
			best, bestLag = c, lag
		}
	}
	return bestLag
}

// snr is the ratio, in dB, of want's power to the power of got-want.
func snr(want, got []float32) float64 {
	var s, e float64
	for i := range min(len(want), len(got)) {
		s += float64(want[i]) * float64(want[i])
		d := float64(got[i]) - float64(want[i])
		e += d * d
	}
	return 10 * math.Log10(s/e)
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// requireMutagen returns Debian's python3 when it can import mutagen.
func requireMutagen(tb testing.TB) string {
	tb.Helper()
	return testtool.RequirePython(tb, "mutagen.id3", "python3-mutagen")
}
