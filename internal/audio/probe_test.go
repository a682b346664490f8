package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/testtool"
)

// encodings are the kinds of MP3 readcast meets: its own narration (CBR
// mono, 44.1 kHz or 16 kHz), people's recordings (VBR, stereo) and files
// without gapless information (lame -t).
var encodings = []struct {
	name       string
	rate       int // of the WAV
	channels   int
	args       []string
	version    string
	outRate    int
	vbr        bool
	lame       bool // has a LAME tag, so Duration is the WAV's length
	channelsMP int
}{
	{"cbr64-mono-44k", 44100, 1, []string{"-b", "64", "-m", "m"}, "MPEG-1", 44100, false, true, 1},
	{"vbr5-mono-44k", 44100, 1, []string{"-V", "5", "-m", "m"}, "MPEG-1", 44100, true, true, 1},
	{"cbr128-joint-44k", 44100, 2, []string{"-b", "128", "-m", "j"}, "MPEG-1", 44100, false, true, 2},
	{"vbr2-stereo-48k", 48000, 2, []string{"-V", "2", "-m", "s"}, "MPEG-1", 48000, true, true, 2},
	{"cbr48-mono-16k", 16000, 1, []string{"-b", "48", "-m", "m"}, "MPEG-2", 16000, false, true, 1},
	{"cbr48-resample16", 44100, 1, []string{"-b", "48", "-m", "m", "--resample", "16"}, "MPEG-2", 16000, false, true, 1},
	{"vbr5-mono-22k", 22050, 1, []string{"-V", "5", "-m", "m"}, "MPEG-2", 22050, true, true, 1},
	// Too small a frame for the Info tag: lame writes none at 32 kbit/s
	// and 16 kHz, so there is no gapless information.
	{"cbr32-mono-16k-notag", 16000, 1, []string{"-b", "32", "-m", "m"}, "MPEG-2", 16000, false, false, 1},
	// Padded MPEG-2 frames whose 144·bitrate/rate is even: go-mp3 v0.3.4
	// read them one byte short (internal/third_party/go-mp3/PATCHED.md).
	{"cbr32-mono-22k-notag", 22050, 1, []string{"-b", "32", "-m", "m"}, "MPEG-2", 22050, false, false, 1},
	{"cbr64-nogap", 44100, 1, []string{"-b", "64", "-m", "m", "-t"}, "MPEG-1", 44100, false, false, 1},
	{"vbr5-nogap", 44100, 1, []string{"-V", "5", "-m", "m", "-t"}, "MPEG-1", 44100, true, false, 1},
	{"cbr8-mpeg25", 8000, 1, []string{"-b", "8", "-m", "m"}, "MPEG-2.5", 8000, false, false, 1},
	// A phone's or a voice recorder's 8-12 kHz: lame makes MPEG-2.5.
	{"cbr32-mono-8k", 8000, 1, []string{"-b", "32", "-m", "m"}, "MPEG-2.5", 8000, false, true, 1},
	{"vbr5-mono-11k", 11025, 1, []string{"-V", "5", "-m", "m"}, "MPEG-2.5", 11025, true, true, 1},
	{"cbr32-joint-12k", 12000, 2, []string{"-b", "32", "-m", "j"}, "MPEG-2.5", 12000, false, true, 2},
}

func TestProbeMatchesFFprobe(t *testing.T) {
	dir := t.TempDir()
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			// An odd length, so that the last frame is padded.
			s := burstSignal(enc.rate, enc.channels, 3.0+123.0/float64(enc.rate), enc.rate/2+317)
			path := encodeMP3(t, dir, enc.name, s, enc.args...)
			info, err := ProbeFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Version != enc.version || info.SampleRate != enc.outRate || info.VBR != enc.vbr || info.Channels != enc.channelsMP {
				t.Errorf("got %s %d Hz vbr=%v channels=%d, want %s %d Hz vbr=%v channels=%d",
					info.Version, info.SampleRate, info.VBR, info.Channels, enc.version, enc.outRate, enc.vbr, enc.channelsMP)
			}
			if got, want := info.Frames, ffprobePackets(t, path); got != want {
				t.Errorf("Frames = %d, ffmpeg reads %d", got, want)
			}
			// ffprobe's format duration is not the player's clock: with an
			// Info tag it is frames*samplesPerFrame/rate, untrimmed; without
			// one it is estimated from the first frame's bitrate. So it is
			// compared with the untrimmed length, and the trimmed Duration
			// with what ffmpeg actually decodes.
			ff := ffprobeDuration(t, path)
			perFrame := 1152
			if enc.version != "MPEG-1" {
				perFrame = 576
			}
			raw := float64(info.Frames*perFrame) / float64(info.SampleRate)
			decoded := float64(len(ffmpegDecode(t, path, enc.channelsMP))) / float64(info.SampleRate)
			t.Logf("Duration %.6f s; ffmpeg decodes %.6f s (delta %+.3f ms); ffprobe says %.6f s (delta %+.1f ms, untrimmed delta %+.1f ms); %d frames, %d bit/s, delay %d, padding %d",
				info.Duration, decoded, 1000*(info.Duration-decoded), ff, 1000*(info.Duration-ff), 1000*(raw-ff),
				info.Frames, info.Bitrate, info.EncoderDelay, info.EncoderPadding)
			if d := math.Abs(info.Duration - decoded); d > 0.5/float64(info.SampleRate) {
				t.Errorf("Duration %.6f s, ffmpeg decodes %.6f s", info.Duration, decoded)
			}
			if d := math.Abs(raw - ff); d > 0.026 && !(enc.vbr && !enc.lame) {
				t.Errorf("untrimmed duration %.6f s differs from ffprobe's %.6f s by %.1f ms", raw, ff, 1000*d)
			}
			// They differ by the trim, which at 8-12 kHz passes 0.1 s.
			trim := float64(info.EncoderDelay+info.EncoderPadding) / float64(info.SampleRate)
			if d := math.Abs(info.Duration - ff); d > max(0.1, trim+0.001) {
				t.Errorf("Duration %.6f s is %.1f ms from ffprobe's %.6f s", info.Duration, 1000*d, ff)
			}
			if enc.lame {
				// With a LAME tag the trimmed duration is the source's
				// length to the sample (at the MP3's rate).
				want := float64(s.frames()) / float64(enc.rate)
				if d := math.Abs(info.Duration - want); d > 1.5/float64(enc.outRate) {
					t.Errorf("duration %.6f s, the WAV lasts %.6f s", info.Duration, want)
				}
				if info.EncoderDelay == 0 {
					t.Error("no encoder delay from the LAME tag")
				}
			} else if info.EncoderDelay != 0 || info.EncoderPadding != 0 {
				t.Errorf("delay %d padding %d without a LAME tag", info.EncoderDelay, info.EncoderPadding)
			}
			if !enc.vbr {
				nominal := map[string]int{"64": 64000, "128": 128000, "48": 48000, "32": 32000, "8": 8000}[enc.args[1]]
				if math.Abs(float64(info.Bitrate-nominal)) > 0.01*float64(nominal) {
					t.Errorf("bitrate %d, want about %d", info.Bitrate, nominal)
				}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := parseFrameHeader(b[info.AudioStart:]); !ok {
				t.Errorf("AudioStart %d is not at a frame header", info.AudioStart)
			}
		})
	}
}

func TestProbeDurationMatchesDecode(t *testing.T) {
	dir := t.TempDir()
	for _, enc := range encodings {
		if enc.version == "MPEG-2.5" {
			continue // go-mp3 cannot decode it
		}
		t.Run(enc.name, func(t *testing.T) {
			s := burstSignal(enc.rate, enc.channels, 2.0, enc.rate/3)
			path := encodeMP3(t, dir, enc.name, s, enc.args...)
			p, got := decodeFile(t, path, 0)
			want := p.Info().Duration * float64(p.SampleRate())
			if math.Abs(float64(len(got))-want) > 0.5 || int64(len(got)) != p.Len() {
				t.Errorf("decoded %d samples, Duration*rate = %.1f, Len = %d", len(got), want, p.Len())
			}
			ref := ffmpegDecode(t, path, enc.channelsMP)
			if len(got) != len(ref) {
				t.Errorf("decoded %d samples, ffmpeg %d", len(got), len(ref))
			}
		})
	}
}

// TestProbeTags checks that tags around the audio change AudioStart and
// nothing else.
func TestProbeTags(t *testing.T) {
	lame := testtool.Require(t, "lame", "lame")
	dir := t.TempDir()
	s := burstSignal(44100, 1, 2.0, 10000)
	plain := encodeMP3(t, dir, "plain", s, "-b", "64", "-m", "m")
	want, err := ProbeFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	audio, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}

	// lame itself writes an ID3v2.3 tag with a 300 kB cover and an ID3v1.
	cover := filepath.Join(dir, "cover.jpg")
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{0xFF, 0xFB, 0x90, 0x44}, 75000)...) // false syncs
	if err := os.WriteFile(cover, jpeg, 0o644); err != nil {
		t.Fatal(err)
	}
	lamed := filepath.Join(dir, "lame-tagged.mp3")
	writeWAV(t, filepath.Join(dir, "w.wav"), s)
	if b, err := exec.Command(lame, "--quiet", "-b", "64", "-m", "m", "--ti", cover, "--tt", "Title", "--add-id3v2",
		filepath.Join(dir, "w.wav"), lamed).CombinedOutput(); err != nil {
		t.Fatalf("lame: %v\n%s", err, b)
	}
	lamedBytes, err := os.ReadFile(lamed)
	if err != nil {
		t.Fatal(err)
	}
	tagLen := int64(len(lamedBytes) - len(audio) - 128)

	footer := id3Tag(4, 0x10, 5000)
	cases := []struct {
		name  string
		file  []byte
		start int64
	}{
		{"lame-cover-and-id3v1", lamedBytes, want.AudioStart + tagLen},
		{"v24-footer", concat(footer, audio), want.AudioStart + int64(len(footer))},
		{"two-tags", concat(id3Tag(3, 0, 100), id3Tag(4, 0, 50), audio), want.AudioStart + 110 + 60},
		{"zero-padding-after-tag", concat(id3Tag(3, 0, 10), make([]byte, 700), audio), want.AudioStart + 20 + 700},
		{"ape-and-id3v1", concat(audio, apeTag(), id3v1()), want.AudioStart},
		{"lyrics3-and-id3v1", concat(audio, lyrics3(), id3v1()), want.AudioStart},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Probe(bytes.NewReader(c.file), int64(len(c.file)))
			if err != nil {
				t.Fatal(err)
			}
			if got.AudioStart != c.start {
				t.Errorf("AudioStart = %d, want %d", got.AudioStart, c.start)
			}
			got.AudioStart = want.AudioStart
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// id3Tag is an empty ID3v2 tag of the given version and flags with n bytes of
// padding (and the footer when flags say so).
func id3Tag(version, flags byte, n int) []byte {
	b := []byte{'I', 'D', '3', version, 0, flags, byte(n >> 21 & 0x7F), byte(n >> 14 & 0x7F), byte(n >> 7 & 0x7F), byte(n & 0x7F)}
	b = append(b, make([]byte, n)...)
	if flags&0x10 != 0 {
		b = append(b, '3', 'D', 'I', version, 0, flags, b[6], b[7], b[8], b[9])
	}
	return b
}

func id3v1() []byte {
	b := make([]byte, 128)
	copy(b, "TAGTitle")
	return b
}

func apeTag() []byte {
	item := append(binary.LittleEndian.AppendUint32(nil, 5), 0, 0, 0, 0)
	item = append(append(item, "Title\x00"...), "hello"...)
	footer := func(flags uint32) []byte {
		b := []byte("APETAGEX")
		b = binary.LittleEndian.AppendUint32(b, 2000)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(item)+32))
		b = binary.LittleEndian.AppendUint32(b, 1)
		b = binary.LittleEndian.AppendUint32(b, flags)
		return append(b, make([]byte, 8)...)
	}
	return concat(footer(1<<31|1<<29), item, footer(1<<31))
}

func lyrics3() []byte {
	body := "LYRICSBEGININD0000210"
	return []byte(body + "000021LYRICS200")
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestProbeBadInput(t *testing.T) {
	fixture, err := os.ReadFile("testdata/tone.mp3")
	if err != nil {
		t.Fatal(err)
	}
	info, err := Probe(bytes.NewReader(fixture), int64(len(fixture)))
	if err != nil {
		t.Fatal(err)
	}
	var wav bytes.Buffer
	if err := encodeWAV(&wav, burstSignal(44100, 1, 0.5, 100)); err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	infoFrame, _ := parseFrameHeader(fixture)
	firstFrame := int(info.AudioStart) - infoFrame.size
	lastFrame := int(info.AudioStart) // where the last frame starts
	for {
		h, _ := parseFrameHeader(fixture[lastFrame:])
		if lastFrame+h.size >= len(fixture) {
			break
		}
		lastFrame += h.size
	}
	// What Remedy tells a person to do about in/x.mp3, by kind of fault.
	var (
		copyAgain = []string{"in/x.mp3", "copy it again"}
		convert   = []string{"ffmpeg -i \"in/x.mp3\" -vn -ar 44100 -codec:a libmp3lame -qscale:a 2 \"in/x.converted.mp3\""}
		cutShort  = []string{"cut short", "copy it again", "ffmpeg -i \"in/x.mp3\""}
	)
	cases := []struct {
		name      string
		file      []byte
		truncated bool
		msg       []string // the error says all of these
		fix       []string // and Remedy says all of these
	}{
		{"empty", nil, false, []string{"audio: empty file"}, copyAgain},
		{"only-id3", id3Tag(4, 0, 4000), false, []string{"only an ID3v2 tag"}, copyAgain},
		{"id3-past-end", id3Tag(3, 0, 4000)[:2000], false, []string{"declares 4010 bytes", "ends at byte 2000"}, copyAgain},
		{"id3-then-junk", concat(id3Tag(3, 0, 100), bytes.Repeat([]byte("junk"), 100)), false, []string{"no MPEG audio frame in the first 400 bytes after the ID3v2 tag"}, convert},
		{"wav", wav.Bytes(), false, []string{"WAV"}, convert},
		{"random", random, false, []string{"no MPEG audio frame in the first 131072 bytes"}, convert},
		{"text", []byte(strings.Repeat("not audio ", 30)), false, []string{"no MPEG audio frame in the first 300 bytes"}, convert},
		{"cut-in-frame", fixture[:len(fixture)-50], true, []string{"truncated at byte", "needs 20"}, cutShort},
		{"cut-at-frame", fixture[:lastFrame], true, []string{"Info tag promises"}, cutShort},
		{"cut-in-first-frame", fixture[:firstFrame+20], true, []string{"truncated at byte", "first frame"}, cutShort},
		{"only-info-frame", fixture[:info.AudioStart], true, []string{"Info tag promises 2924 bytes", "holds 208"}, cutShort},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Probe(bytes.NewReader(c.file), int64(len(c.file)))
			if err == nil {
				t.Fatalf("no error; info %+v", got)
			}
			t.Log(err)
			if !errors.Is(err, ErrNotMP3) {
				t.Errorf("error does not wrap ErrNotMP3: %v", err)
			}
			if errors.Is(err, ErrTruncated) != c.truncated {
				t.Errorf("errors.Is(err, ErrTruncated) = %v, want %v", !c.truncated, c.truncated)
			}
			if !strings.HasPrefix(err.Error(), "audio: ") || !contains(err.Error(), c.msg...) {
				t.Errorf("error %q lacks %q", err, c.msg)
			}
			if fix := Remedy("in/x.mp3", err); !contains(fix, c.fix...) {
				t.Errorf("Remedy says %q, want %q", fix, c.fix)
			}
			if c.truncated && c.name != "cut-in-first-frame" && c.name != "only-info-frame" && (got.Frames == 0 || got.Frames >= info.Frames) {
				t.Errorf("truncated file: %d frames, the whole has %d", got.Frames, info.Frames)
			}
			if _, err := Decode(bytes.NewReader(c.file), 0); !errors.Is(err, ErrNotMP3) {
				t.Errorf("Decode: %v, want ErrNotMP3", err)
			}
		})
	}
}

func TestProbeFileErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.mp3")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ProbeFile(path)
	if err == nil || !contains(err.Error(), "audio: probe ", "empty.mp3: empty file") || !errors.Is(err, ErrNotMP3) {
		t.Errorf("got %v", err)
	}
	if _, err := ProbeFile(filepath.Join(t.TempDir(), "missing.mp3")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// BenchmarkProbe probes a 5-minute 64 kbit/s mono episode, as readcast's
// catalog does for every episode when it loads. "scan" is the same audio
// without an Info tag, where every frame header is read.
func BenchmarkProbe(b *testing.B) {
	dir := b.TempDir()
	s := burstSignal(44100, 1, 300, 1000)
	for _, bc := range []struct{ name, flag string }{{"info-tag", "-b"}, {"scan", "-t"}} {
		args := []string{"-b", "64", "-m", "m"}
		if bc.flag == "-t" {
			args = append(args, "-t")
		}
		path := encodeMP3(b, dir, bc.name, s, args...)
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		st, _ := f.Stat()
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Probe(f, st.Size()); err != nil {
					b.Fatal(err)
				}
			}
		})
		f.Close()
	}
}

// TestProbeConcatenated probes recordings joined with cat, as people join
// the parts of a reading: each part keeps its own Info tag, and the first
// one counts only the first part's frames. Players play every part; so
// must the duration and the decode, which before stopped at the end of the
// first part (the feed said 13 s of a 27 s recording, and alignment found
// no path through the text).
func TestProbeConcatenated(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
	}{
		{"vbr", []string{"-V", "5", "-m", "m"}},
		{"cbr", []string{"-b", "64", "-m", "m"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := encodeMP3(t, dir, c.name+"-a", burstSignal(44100, 1, 1.5, 5000), c.args...)
			b := encodeMP3(t, dir, c.name+"-b", burstSignal(44100, 1, 2, 9000), c.args...)
			joined := filepath.Join(dir, c.name+"-joined.mp3")
			if err := os.WriteFile(joined, concat(readFile(t, a), readFile(t, b)), 0o644); err != nil {
				t.Fatal(err)
			}
			info, err := ProbeFile(joined)
			if err != nil {
				t.Fatal(err)
			}
			decoded := float64(len(ffmpegDecode(t, joined, 1))) / 44100
			_, got := decodeFile(t, joined, 0)
			t.Logf("Duration %.4f s, Decode %.4f s, ffmpeg decodes %.4f s", info.Duration, float64(len(got))/44100, decoded)
			if d := math.Abs(info.Duration - decoded); d > 1152.0/44100 {
				t.Errorf("Duration %.4f s, ffmpeg decodes %.4f s", info.Duration, decoded)
			}
			if d := math.Abs(float64(len(got))/44100 - decoded); d > 1152.0/44100 {
				t.Errorf("Decode gives %.4f s, ffmpeg %.4f s", float64(len(got))/44100, decoded)
			}
		})
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
