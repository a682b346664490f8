// Package showtest builds a small, complete show for tests: metadata, a
// short text, and for every episode an MP3 (synthesized with lame), its
// timing sidecar and ID3 chapters, all consistent with each other, as
// `readcast narrate` would leave them. Tests of the server and of its
// clients load it with catalog.Load and serve it, without waiting for the
// seed's narration.
//
// It is for tests only: Build takes a testing.TB and skips (or fails under
// CI) when lame is missing.
package showtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/artwork"
	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// Source is the text the show is made from: a short memoir in three
// sections, from internal/segment's test data.
const Source = "lighthouse.md"

// Sample rate and bitrate of the synthesized MP3s: small files, real frames.
const (
	rate    = 22050
	bitrate = 32
)

// Build writes a show to a new temporary directory and returns it: the
// seed's show.json with Source as its text, a cover.jpg drawn by
// internal/artwork from that metadata, and under audio/ each
// episode's MP3, about as long as its narration estimate, with ID3 CHAP and
// CTOC frames placed by timing.Chapters and a sidecar that times every
// sentence of the outline in order (method synthesis, audio_sha256 of the
// tagged file, duration as audio.ProbeFile reads it).
func Build(tb testing.TB) string {
	tb.Helper()
	lame := testtool.Require(tb, "lame", "lame")
	root := repoRoot(tb)
	dir := tb.TempDir()

	var meta map[string]any
	data, err := os.ReadFile(filepath.Join(root, "episodes", "show.json"))
	if err != nil {
		tb.Fatalf("showtest: %v", err)
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		tb.Fatalf("showtest: episodes/show.json: %v", err)
	}
	meta["source"] = Source
	data, err = json.MarshalIndent(meta, "", " ")
	if err != nil {
		tb.Fatalf("showtest: %v", err)
	}
	write(tb, filepath.Join(dir, "show.json"), data)
	src, err := os.ReadFile(filepath.Join(root, "internal", "segment", "testdata", Source))
	if err != nil {
		tb.Fatalf("showtest: %v", err)
	}
	write(tb, filepath.Join(dir, Source), src)

	o, err := segment.Parse(src, segment.Options{})
	if err != nil {
		tb.Fatalf("showtest: outline %s: %v", Source, err)
	}
	if err := os.Mkdir(filepath.Join(dir, "audio"), 0o755); err != nil {
		tb.Fatalf("showtest: %v", err)
	}
	title, _ := meta["title"].(string)
	subtitle, _ := meta["subtitle"].(string)
	author, _ := meta["author"].(string)
	// The cover is drawn once here, as narrate does for the seed, rather
	// than by every catalog.Load of the show.
	cover, err := artwork.JPEG(artwork.Cover{Title: title, Subtitle: subtitle, Author: author})
	if err != nil {
		tb.Fatalf("showtest: cover: %v", err)
	}
	write(tb, filepath.Join(dir, "cover.jpg"), cover)
	for _, ep := range o.Episodes {
		episode(tb, lame, dir, o, ep, title, author)
	}
	return dir
}

// episode records, tags and times one episode.
func episode(tb testing.TB, lame, dir string, o *segment.Outline, ep segment.Episode, show, author string) {
	tb.Helper()
	mp3 := filepath.Join(dir, "audio", ep.Slug+".mp3")
	seconds := math.Max(10, math.Round(ep.Estimate))
	encode(tb, lame, filepath.Join(dir, "audio", ep.Slug+".wav"), mp3, seconds, ep.Number)
	info, err := audio.ProbeFile(mp3)
	if err != nil {
		tb.Fatalf("showtest: %v", err)
	}

	// Every sentence in order, evenly spread from 0.5 s to 0.5 s before
	// the end, each word evenly inside its sentence.
	m := &timing.Map{TextSHA256: o.SourceSHA, Method: timing.MethodSynthesis, Duration: info.Duration}
	var sentences []segment.Sentence
	var marks []timing.ChapterMark
	for _, c := range ep.Chapters {
		first := ""
		for _, p := range c.Paragraphs {
			for _, s := range p.Sentences {
				if first == "" {
					first = s.ID
				}
				sentences = append(sentences, s)
			}
		}
		marks = append(marks, timing.ChapterMark{Title: c.Title, FirstSentence: first})
	}
	slot := (info.Duration - 1) / float64(len(sentences))
	for i, s := range sentences {
		start := 0.5 + float64(i)*slot
		end := start + 0.9*slot
		ts := timing.Sentence{ID: s.ID, Start: timing.Round(start), End: timing.Round(end), Text: s.Text, Confidence: 1}
		if n := len(s.Words); n > 0 {
			w := (ts.End - ts.Start) / float64(n)
			for j, word := range s.Words {
				ws := ts.Start + float64(j)*w
				ts.Words = append(ts.Words, timing.Word{Start: timing.Round(ws), End: timing.Round(min(ws+0.9*w, ts.End)), Text: word.Text})
			}
		}
		m.Sentences = append(m.Sentences, ts)
	}
	chapters, err := timing.Chapters(m, marks)
	if err != nil {
		tb.Fatalf("showtest: %v", err)
	}
	tags := audio.Tags{Title: ep.Title, Artist: author, Album: show, Track: ep.Number, TrackTotal: len(o.Episodes)}
	for i, c := range chapters {
		tags.Chapters = append(tags.Chapters, audio.Chapter{
			ID: "chp" + strconv.Itoa(i+1), Title: c.Title,
			Start: seconds2duration(c.Start), End: seconds2duration(c.End),
		})
	}
	if err := audio.WriteTags(mp3, tags); err != nil {
		tb.Fatalf("showtest: %v", err)
	}
	body, err := os.ReadFile(mp3)
	if err != nil {
		tb.Fatalf("showtest: %v", err)
	}
	sum := sha256.Sum256(body)
	m.AudioSHA256 = hex.EncodeToString(sum[:])
	if err := m.Validate(); err != nil {
		tb.Fatalf("showtest: %s: %v", ep.Slug, err)
	}
	data, err := timing.Marshal(m)
	if err != nil {
		tb.Fatalf("showtest: %v", err)
	}
	write(tb, filepath.Join(dir, "audio", ep.Slug+".timing.json"), data)
}

// encode writes seconds of a quiet tone with a little noise (so the
// encoder has something to encode) to wav, and encodes it as a CBR mono MP3
// with lame, which writes the Info tag that gives the exact duration.
func encode(tb testing.TB, lame, wav, mp3 string, seconds float64, seed int) {
	tb.Helper()
	n := int(seconds * rate)
	var pcm bytes.Buffer
	pcm.Grow(44 + 2*n)
	header := []any{
		[]byte("RIFF"), uint32(36 + 2*n), []byte("WAVE"),
		[]byte("fmt "), uint32(16), uint16(1), uint16(1), uint32(rate), uint32(2 * rate), uint16(2), uint16(16),
		[]byte("data"), uint32(2 * n),
	}
	for _, v := range header {
		binary.Write(&pcm, binary.LittleEndian, v)
	}
	freq := 180 + 40*float64(seed)
	x := uint32(seed)*2654435761 + 1
	for i := range n {
		x = x*1664525 + 1013904223
		noise := float64(int32(x)) / (1 << 31)
		v := 0.2*math.Sin(2*math.Pi*freq*float64(i)/rate) + 0.02*noise
		binary.Write(&pcm, binary.LittleEndian, int16(v*32767))
	}
	write(tb, wav, pcm.Bytes())
	out, err := exec.Command(lame, "--quiet", "-m", "m", "-b", strconv.Itoa(bitrate), "--cbr", wav, mp3).CombinedOutput()
	if err != nil {
		tb.Fatalf("showtest: lame: %v: %s", err, out)
	}
	if err := os.Remove(wav); err != nil {
		tb.Fatalf("showtest: %v", err)
	}
}

func seconds2duration(s float64) time.Duration {
	return time.Duration(math.Round(s*1000)) * time.Millisecond
}

func write(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatalf("showtest: %v", err)
	}
}

// repoRoot is the module's root directory, found from this file's path so
// that any package's tests can call Build.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("showtest: cannot find the source directory")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}
