package audio

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/testtool"
)

// TestDecodeOnset proves the gapless trim: a burst that starts at a known
// sample of the WAV starts at the same time in the decoded PCM, at the
// file's rate and resampled.
func TestDecodeOnset(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name     string
		rate     int
		channels int
		args     []string
		decodeAt int
	}{
		{"cbr64-44k-native", 44100, 1, []string{"-b", "64", "-m", "m"}, 0},
		{"cbr64-44k-to-16k", 44100, 1, []string{"-b", "64", "-m", "m"}, 16000},
		{"vbr5-44k-native", 44100, 1, []string{"-V", "5", "-m", "m"}, 0},
		{"vbr5-44k-to-16k", 44100, 1, []string{"-V", "5", "-m", "m"}, 16000},
		{"joint128-44k-to-16k", 44100, 2, []string{"-b", "128", "-m", "j"}, 16000},
		{"vbr2-48k-to-16k", 48000, 2, []string{"-V", "2"}, 16000},
		{"cbr48-16k-native", 16000, 1, []string{"-b", "48", "-m", "m"}, 0},
		{"cbr48-16k-to-8k", 16000, 1, []string{"-b", "48", "-m", "m"}, 8000},
		{"cbr48-16k-to-44k", 16000, 1, []string{"-b", "48", "-m", "m"}, 44100},
		{"vbr5-22k-to-16k", 22050, 1, []string{"-V", "5", "-m", "m"}, 16000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := burstSignal(c.rate, c.channels, 3.0+77.0/float64(c.rate), c.rate/2+317)
			path := encodeMP3(t, dir, c.name, s, c.args...)
			p, got := decodeFile(t, path, c.decodeAt)
			rate := p.SampleRate()
			if c.decodeAt != 0 && rate != c.decodeAt {
				t.Fatalf("SampleRate = %d, want %d", rate, c.decodeAt)
			}
			want := onset(s.mono())
			at := onset(got)
			wantSec := float64(want) / float64(c.rate)
			gotSec := float64(at) / float64(rate)
			t.Logf("onset at %.3f ms, the WAV's at %.3f ms: %+.3f ms; %d samples", 1000*gotSec, 1000*wantSec, 1000*(gotSec-wantSec), len(got))
			if d := math.Abs(gotSec - wantSec); d > 0.001 {
				t.Errorf("onset at %.4f s, the WAV's at %.4f s: off by %.2f ms", gotSec, wantSec, 1000*d)
			}
			if int64(len(got)) != p.Len() {
				t.Errorf("read %d samples, Len says %d", len(got), p.Len())
			}
			wantLen := p.Info().Duration * float64(rate)
			if math.Abs(float64(len(got))-wantLen) > 1 {
				t.Errorf("%d samples, Info.Duration*rate = %.2f", len(got), wantLen)
			}
			if c.decodeAt == 0 {
				// At the file's rate the samples line up with the WAV
				// itself: no lag, and as many samples.
				ref := s.mono()
				if lag := bestLag(ref, got, 50); lag != 0 {
					t.Errorf("decoded PCM lags the WAV by %d samples", lag)
				}
				if len(got) != len(ref) {
					t.Errorf("%d samples, the WAV has %d", len(got), len(ref))
				}
			}
		})
	}
}

// TestDecodeMatchesFFmpeg compares the PCM with ffmpeg's decode of the same
// file: same length, no lag and close samples, with and without a LAME tag.
func TestDecodeMatchesFFmpeg(t *testing.T) {
	dir := t.TempDir()
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			s := burstSignal(enc.rate, enc.channels, 2.5, enc.rate/4+99)
			path := encodeMP3(t, dir, enc.name, s, enc.args...)
			_, got := decodeFile(t, path, 0)
			ref := ffmpegDecode(t, path, enc.channelsMP)
			lag := bestLag(ref, got, 50)
			q := snr(ref, got)
			t.Logf("%d samples (ffmpeg %d), lag %d, SNR against ffmpeg %.1f dB", len(got), len(ref), lag, q)
			if len(got) != len(ref) || lag != 0 || q < 40 {
				t.Errorf("%d samples (ffmpeg %d), lag %d, SNR %.1f dB: want the same samples", len(got), len(ref), lag, q)
			}
		})
	}
}

// TestDecodeWithoutLAMETag documents what happens without gapless
// information: nothing is trimmed (as in ffmpeg), so the audio is late by
// the encoder and decoder delays.
func TestDecodeWithoutLAMETag(t *testing.T) {
	s := burstSignal(44100, 1, 2, 30000)
	path := encodeMP3(t, t.TempDir(), "nogap", s, "-b", "64", "-m", "m", "-t")
	p, got := decodeFile(t, path, 0)
	if info := p.Info(); info.EncoderDelay != 0 || int64(len(got)) != int64(info.Frames)*1152 {
		t.Errorf("%d samples from %d frames, delay %d", len(got), info.Frames, info.EncoderDelay)
	}
	if late := onset(got) - onset(s.mono()); late < 576+decoderDelay-5 || late > 576+decoderDelay+5 {
		t.Errorf("onset late by %d samples, want about %d", late, 576+decoderDelay)
	}
}

// TestDecodeMemory decodes 20 minutes and checks that the heap does not
// grow with the length: the whole PCM would be 77 MB at 16 kHz.
func TestDecodeMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes 20 minutes of audio")
	}
	lame := testtool.Require(t, "lame", "lame")
	const rate, minutes = 16000, 20
	path := filepath.Join(t.TempDir(), "long.mp3")
	cmd := exec.Command(lame, "--quiet", "-r", "-s", "16", "--bitwidth", "16", "--signed", "--little-endian", "-m", "m", "-b", "48", "-", path)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	minute := burstSignal(rate, 1, 60, rate)
	var raw bytes.Buffer
	if err := encodeWAV(&raw, minute); err != nil {
		t.Fatal(err)
	}
	pcm := raw.Bytes()[44:]
	for range minutes {
		if _, err := in.Write(pcm); err != nil {
			t.Fatal(err)
		}
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}

	for _, decodeAt := range []int{0, 8000} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.HeapInuse
		p, err := Decode(f, decodeAt)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]float32, 4096)
		var total int64
		var peak uint64
		for i := 0; ; i++ {
			n, err := p.Read(buf)
			total += int64(n)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if i%500 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
		f.Close()
		growth := int64(peak) - int64(before)
		t.Logf("rate %d: %d samples (%.1f min), heap in use grew by at most %.1f MB", p.SampleRate(), total, float64(total)/float64(p.SampleRate())/60, float64(growth)/(1<<20))
		if want := int64(p.SampleRate()) * 60 * minutes; math.Abs(float64(total-want)) > float64(p.SampleRate())/10 {
			t.Errorf("decoded %d samples, want about %d", total, want)
		}
		if growth > 16<<20 {
			t.Errorf("heap grew by %d MB while decoding", growth>>20)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	fixture, err := os.ReadFile("testdata/tone.mp3")
	if err != nil {
		t.Fatal(err)
	}
	for _, rate := range []int{-1, 1, 3999, 192001} {
		if _, err := Decode(bytes.NewReader(fixture), rate); err == nil || !strings.Contains(err.Error(), "outside 4000-192000 Hz") {
			t.Errorf("rate %d: %v", rate, err)
		}
	}
	if fix := Remedy("in/x.mp3", errors.New("disk on fire")); fix != "" {
		t.Errorf("Remedy for an error not about the file says %q", fix)
	}
	// A reader that is only an io.ReadSeeker works like a file.
	p, err := Decode(onlyReadSeeker{bytes.NewReader(fixture)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeAll(t, p); int64(len(got)) != p.Len() || len(got) < 13000 {
		t.Errorf("%d samples, Len %d", len(got), p.Len())
	}
	if n, err := p.Read(make([]float32, 10)); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("Read after the end: %d, %v", n, err)
	}
}

type onlyReadSeeker struct{ io.ReadSeeker }

// TestDecodeSkipsDamage decodes recordings with bytes in the middle that
// are not audio, as a bad copy or a sector gone wrong leaves them: players
// skip them and play on, and so must the aligner's decoder, which before
// stopped there ("only layer3 is supported").
func TestDecodeSkipsDamage(t *testing.T) {
	s := burstSignal(44100, 1, 4, 44100/2+317)
	path := encodeMP3(t, t.TempDir(), "damage", s, "-V", "5", "-m", "m")
	clean, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Probe(bytes.NewReader(clean), int64(len(clean)))
	if err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte{0x5A, 0xFF, 0xE3, 0x00, 0x13}, 1000)
	mid := int(in.AudioStart) + (len(clean)-int(in.AudioStart))/2
	cases := []struct {
		name string
		at   int // where the junk goes
	}{
		{"junk inside a frame", mid},
		{"junk at a frame boundary", frameBoundary(t, clean, in, mid)},
		{"zeros at a frame boundary", -frameBoundary(t, clean, in, mid)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at, bad := c.at, junk
			if at < 0 {
				at, bad = -at, make([]byte, 3000)
			}
			damaged := concat(clean[:at], bad, clean[at:])
			p, err := Decode(bytes.NewReader(damaged), 0)
			if err != nil {
				t.Fatal(err)
			}
			got := decodeAll(t, p)
			if int64(len(got)) != p.Len() {
				t.Errorf("read %d samples, Len says %d", len(got), p.Len())
			}
			if o, want := onset(got), onset(s.mono()); o < want-20 || o > want+20 {
				t.Errorf("onset at sample %d, want %d", o, want)
			}
		})
	}
}

// frameBoundary returns the offset of the first frame of in's stream that
// starts at or after at in b.
func frameBoundary(tb testing.TB, b []byte, in Info, at int) int {
	tb.Helper()
	for pos := int(in.AudioStart); pos < len(b); {
		h, ok := parseFrameHeader(b[pos:])
		if !ok {
			tb.Fatalf("no frame header at byte %d", pos)
		}
		if pos >= at {
			return pos
		}
		pos += h.size
	}
	tb.Fatalf("no frame after byte %d", at)
	return 0
}
