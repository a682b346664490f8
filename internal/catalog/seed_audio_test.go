package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/testtool"
)

// These tests check the committed seed recordings against what listeners
// and apps rely on, with the real tools: go-mp3 and ffmpeg decode them,
// ffmpeg's ebur128 measures loudness, ffprobe and mutagen read chapters.

func seedEpisodes(t *testing.T) []*Episode {
	t.Helper()
	s := load(t, "../../episodes")
	if len(s.Problems) > 0 {
		t.Fatalf("seed problems: %v", s.Problems)
	}
	return s.Episodes
}

func TestSeedDecodesAndDurationsAgree(t *testing.T) {
	testtool.Require(t, "ffmpeg", "ffmpeg")
	testtool.Require(t, "ffprobe", "ffmpeg")
	for _, e := range seedEpisodes(t) {
		t.Run(e.Slug(), func(t *testing.T) {
			f, err := os.Open(e.Audio.File)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pcm, err := audio.Decode(f, 0)
			if err != nil {
				t.Fatalf("go-mp3: %v", err)
			}
			n, err := countSamples(pcm)
			if err != nil {
				t.Fatalf("go-mp3 decode: %v", err)
			}
			goMP3 := float64(n) / float64(pcm.SampleRate())
			out, err := exec.Command("ffmpeg", "-v", "error", "-xerror", "-i", e.Audio.File, "-f", "s16le", "-ac", "1", "-").Output()
			if err != nil {
				t.Fatalf("ffmpeg decode: %v", err)
			}
			ffmpeg := float64(len(out)/2) / float64(e.Info.SampleRate)
			probe, sidecar := e.Info.Duration, e.Timing.Duration
			// ffprobe's container duration counts every frame, including the
			// encoder delay and padding that players trim (the LAME tag).
			ffprobe := ffprobeDuration(t, e.Audio.File)
			trimmed := ffprobe - float64(e.Info.EncoderDelay+e.Info.EncoderPadding)/float64(e.Info.SampleRate)
			t.Logf("probe %.4f  sidecar %.4f  go-mp3 %.4f  ffmpeg %.4f  ffprobe %.4f (trimmed %.4f)", probe, sidecar, goMP3, ffmpeg, ffprobe, trimmed)
			for name, d := range map[string]float64{"sidecar": sidecar, "go-mp3 decoded": goMP3, "ffmpeg decoded": ffmpeg, "ffprobe less the LAME tag's delay and padding": trimmed} {
				if math.Abs(d-probe) > 0.026 {
					t.Errorf("%s duration %.4f s differs from Probe's %.4f s by more than 26 ms", name, d, probe)
				}
			}
			if ffprobe-probe > 0.060 || ffprobe < probe {
				t.Errorf("ffprobe's untrimmed %.4f s is not Probe's %.4f s plus a frame or two of codec delay", ffprobe, probe)
			}
		})
	}
}

func countSamples(pcm *audio.PCM) (int64, error) {
	buf := make([]float32, 8192)
	var n int64
	for {
		k, err := pcm.Read(buf)
		n += int64(k)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func ffprobeDuration(t *testing.T, path string) float64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	d, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSeedLoudness(t *testing.T) {
	testtool.Require(t, "ffmpeg", "ffmpeg")
	integrated := regexp.MustCompile(`I:\s+(-?[\d.]+) LUFS`)
	peak := regexp.MustCompile(`Peak:\s+(-?[\d.]+|-inf) dBFS`)
	for _, e := range seedEpisodes(t) {
		out, err := exec.Command("ffmpeg", "-nostats", "-i", e.Audio.File, "-af", "ebur128=peak=true", "-f", "null", "-").CombinedOutput()
		if err != nil {
			t.Fatalf("%s: ffmpeg ebur128: %v", e.Slug(), err)
		}
		summary := string(out[bytes.LastIndex(out, []byte("Summary:")):])
		i, _ := strconv.ParseFloat(integrated.FindStringSubmatch(summary)[1], 64)
		p, _ := strconv.ParseFloat(peak.FindStringSubmatch(summary)[1], 64)
		t.Logf("%s: %.1f LUFS, true peak %.1f dBTP", e.Slug(), i, p)
		if i < -17 || i > -15 {
			t.Errorf("%s: integrated loudness %.1f LUFS, want −16 ± 1", e.Slug(), i)
		}
		if p > -1 {
			t.Errorf("%s: true peak %.1f dBTP, want ≤ −1", e.Slug(), p)
		}
	}
}

func TestSeedSidecarsCoverTheOutline(t *testing.T) {
	for _, e := range seedEpisodes(t) {
		i := 0
		for _, c := range e.Outline.Chapters {
			for _, p := range c.Paragraphs {
				for _, s := range p.Sentences {
					if i >= len(e.Timing.Sentences) || e.Timing.Sentences[i].ID != s.ID || e.Timing.Sentences[i].Text != s.Text {
						t.Fatalf("%s: sentence %d of the outline (%s) is not the sidecar's", e.Slug(), i+1, s.ID)
					}
					if len(e.Timing.Sentences[i].Words) == 0 {
						t.Errorf("%s: sentence %s has no word times", e.Slug(), s.ID)
					}
					i++
				}
			}
		}
		if e.Timing.Method != "synthesis" {
			t.Errorf("%s: method %q", e.Slug(), e.Timing.Method)
		}
		// Validate (run by Load) already checked order, overlap and words
		// inside their sentence; check it again explicitly here.
		if err := e.Timing.Validate(); err != nil {
			t.Error(err)
		}
	}
}

// TestSeedSpeechStartsOnTime checks on the decoded audio that each
// sentence's speech begins within 30 ms of its start, after 100 ms of silence.
func TestSeedSpeechStartsOnTime(t *testing.T) {
	for _, e := range seedEpisodes(t) {
		f, err := os.Open(e.Audio.File)
		if err != nil {
			t.Fatal(err)
		}
		pcm, err := audio.Decode(f, 0)
		if err != nil {
			t.Fatal(err)
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
		f.Close()
		rate := float64(pcm.SampleRate())
		rms := func(from, to float64) float64 {
			a, b := max(int(from*rate), 0), min(int(to*rate), len(x))
			s := 0.0
			for _, v := range x[a:b] {
				s += float64(v) * float64(v)
			}
			return 10 * math.Log10(s/float64(max(b-a, 1))+1e-20)
		}
		worst := 0.0
		for _, s := range e.Timing.Sentences {
			if q := rms(s.Start-0.100, s.Start); q > -50 {
				t.Errorf("%s %s: the 100 ms before %.3f s are not silent (%.1f dBFS)", e.Slug(), s.ID, s.Start, q)
			}
			// Speech onset: the first 5 ms window above −45 dBFS.
			onset := math.NaN()
			for at := s.Start - 0.030; at < s.Start+0.100; at += 0.001 {
				if rms(at, at+0.005) > -45 {
					onset = at
					break
				}
			}
			if math.IsNaN(onset) || math.Abs(onset-s.Start) > 0.030 {
				t.Errorf("%s %s: speech begins at %.3f s, sentence starts at %.3f s", e.Slug(), s.ID, onset, s.Start)
				continue
			}
			worst = max(worst, math.Abs(onset-s.Start))
		}
		t.Logf("%s: %d sentences, worst onset error %.1f ms", e.Slug(), len(e.Timing.Sentences), worst*1000)
	}
}

func TestSeedChaptersInsideTheMP3(t *testing.T) {
	testtool.Require(t, "ffprobe", "ffmpeg")
	python := testtool.RequirePython(t, "mutagen.id3", "python3-mutagen")
	for _, e := range seedEpisodes(t) {
		out, err := exec.Command("ffprobe", "-v", "error", "-show_chapters", "-of", "json", e.Audio.File).Output()
		if err != nil {
			t.Fatal(err)
		}
		var probe struct {
			Chapters []struct {
				Start string `json:"start_time"`
				End   string `json:"end_time"`
				Tags  struct {
					Title string `json:"title"`
				} `json:"tags"`
			} `json:"chapters"`
		}
		if err := json.Unmarshal(out, &probe); err != nil {
			t.Fatal(err)
		}
		if len(probe.Chapters) != len(e.Outline.Chapters) {
			t.Fatalf("%s: ffprobe lists %d chapters, the outline has %d", e.Slug(), len(probe.Chapters), len(e.Outline.Chapters))
		}
		for i, c := range probe.Chapters {
			start, _ := strconv.ParseFloat(c.Start, 64)
			if c.Tags.Title != e.Outline.Chapters[i].Title {
				t.Errorf("%s chapter %d: ffprobe title %q, outline %q", e.Slug(), i+1, c.Tags.Title, e.Outline.Chapters[i].Title)
			}
			if math.Abs(start-e.Chapters[i].Start) > 0.0005 {
				t.Errorf("%s chapter %d: ffprobe start %.3f, sidecar %.3f", e.Slug(), i+1, start, e.Chapters[i].Start)
			}
		}
		script := `import sys, mutagen.id3 as id3
t = id3.ID3(sys.argv[1])
toc = t.getall("CTOC")
chap = t.getall("CHAP")
assert len(toc) == 1, "CTOC frames: %d" % len(toc)
c = toc[0]
assert c.flags & id3.CTOCFlags.TOP_LEVEL and c.flags & id3.CTOCFlags.ORDERED, c.flags
print(len(c.child_element_ids), len(chap))`
		out, err = exec.Command(python, "-c", script, e.Audio.File).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: mutagen: %v\n%s", e.Slug(), err, out)
		}
		if want := fmt.Sprintf("%d %d", len(e.Chapters), len(e.Chapters)); strings.TrimSpace(string(out)) != want {
			t.Errorf("%s: mutagen CTOC children and CHAP frames = %s, want %s", e.Slug(), out, want)
		}
	}
}

// BenchmarkProbeSeed probes every seed episode, as a load does: frame
// headers and the LAME tag only, no decoding.
func BenchmarkProbeSeed(b *testing.B) {
	paths, _ := filepath.Glob("../../episodes/audio/*.mp3")
	if len(paths) == 0 {
		b.Fatal("no seed MP3s")
	}
	for b.Loop() {
		for _, p := range paths {
			if _, err := audio.ProbeFile(p); err != nil {
				b.Fatal(err)
			}
		}
	}
}
