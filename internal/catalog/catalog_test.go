package catalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/timing"
)

const testBase = "http://readcast.test"

func load(tb testing.TB, dir string) *Snapshot {
	tb.Helper()
	s, err := Load(context.Background(), Config{Dir: dir, BaseURL: testBase}, NewCache())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// copyShow copies the seed show into a temp dir the test may break.
func copyShow(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../episodes")); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func TestLoadSeed(t *testing.T) {
	s := load(t, "../../episodes")
	if len(s.Problems) != 0 {
		t.Fatalf("problems: %v", s.Problems)
	}
	if len(s.Episodes) < 4 {
		t.Fatalf("%d episodes", len(s.Episodes))
	}
	for _, e := range s.Episodes {
		if e.Audio == nil || e.Timing == nil || e.ChaptersDoc == nil || len(e.Transcripts) != 4 {
			t.Errorf("%s is incomplete: audio %v timing %v", e.Slug(), e.Audio != nil, e.Timing != nil)
			continue
		}
		if !strings.Contains(e.Audio.Path, e.Audio.SHA256[:12]) {
			t.Errorf("%s audio URL %s is not content-addressed", e.Slug(), e.Audio.Path)
		}
		if len(e.Chapters) != len(e.Outline.Chapters) {
			t.Errorf("%s has %d chapters on the clock, %d in the outline", e.Slug(), len(e.Chapters), len(e.Outline.Chapters))
		}
	}
	if !strings.Contains(string(s.Feed.Body), "<podcast:guid>") {
		t.Error("the feed lacks podcast:guid")
	}
}

func TestGUIDsDoNotDependOnHost(t *testing.T) {
	a := load(t, "../../episodes")
	b, err := Load(context.Background(), Config{Dir: "../../episodes", BaseURL: "https://cdn.example.org/show"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Episodes {
		if a.Episodes[i].GUID != b.Episodes[i].GUID {
			t.Errorf("episode %d GUID changed with the host: %s vs %s", i+1, a.Episodes[i].GUID, b.Episodes[i].GUID)
		}
	}
}

// TestDisagreementsNameTheFile breaks one episode's files at a time and
// checks the problem names the file and the fault, while the other
// episodes keep being served.
func TestDisagreementsNameTheFile(t *testing.T) {
	slug := "02-the-official-history"
	tests := []struct {
		name    string
		breakIt func(t *testing.T, mp3, sidecar string)
		want    []string
	}{
		{"duration", func(t *testing.T, mp3, sidecar string) {
			editSidecar(t, sidecar, func(m *timing.Map) { m.Duration += 2 })
		}, []string{"SIDECAR", "MP3", "duration is"}},
		{"hash", func(t *testing.T, mp3, sidecar string) {
			editSidecar(t, sidecar, func(m *timing.Map) { m.AudioSHA256 = strings.Repeat("0", 64) })
		}, []string{"SIDECAR", "audio_sha256"}},
		{"changed text", func(t *testing.T, mp3, sidecar string) {
			editSidecar(t, sidecar, func(m *timing.Map) { m.Sentences[3].ID = "s-00000000" })
		}, []string{"SIDECAR", "sentence 4 is s-00000000"}},
		{"corrupt MP3", func(t *testing.T, mp3, sidecar string) {
			os.WriteFile(mp3, []byte("RIFF....WAVEfmt this is not an mp3"), 0o644)
		}, []string{"MP3", "not playable", "WAV", "convert MP3", `ffmpeg -i "MP3"`}},
		{"zero-byte MP3", func(t *testing.T, mp3, sidecar string) {
			os.WriteFile(mp3, nil, 0o644)
		}, []string{"MP3", "not playable", "copy it again"}},
		{"MP3 under a second", func(t *testing.T, mp3, sidecar string) {
			// A recorder stopped at once: a feed item needs a whole
			// second, and the show must not fail for one episode.
			b, err := os.ReadFile("../audio/testdata/tone.mp3")
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(mp3, b, 0o644)
		}, []string{"MP3", "plays 0.30 s", "at least 1 s", "record the episode again"}},
		{"sidecar not JSON", func(t *testing.T, mp3, sidecar string) {
			os.WriteFile(sidecar, []byte("{"), 0o644)
		}, []string{"SIDECAR", "decode"}},
		{"no sidecar", func(t *testing.T, mp3, sidecar string) {
			os.Remove(sidecar)
		}, []string{"MP3", "no timing sidecar"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyShow(t)
			mp3 := filepath.Join(dir, AudioDir, slug+".mp3")
			sidecar := filepath.Join(dir, AudioDir, slug+TimingExt)
			tt.breakIt(t, mp3, sidecar)
			s := load(t, dir)
			if len(s.Problems) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(s.Problems), s.Problems)
			}
			msg := s.Problems[0].Error()
			for _, w := range tt.want {
				w = strings.NewReplacer("SIDECAR", sidecar, "MP3", mp3).Replace(w)
				if !strings.Contains(msg, w) {
					t.Errorf("problem %q does not say %q", msg, w)
				}
			}
			e, _ := s.Episode(slug)
			if e.Timing != nil {
				t.Error("the broken episode still has timings")
			}
			for _, other := range s.Episodes {
				if other.Slug() != slug && other.Timing == nil {
					t.Errorf("%s lost its timings because of %s", other.Slug(), slug)
				}
			}
		})
	}
}

func editSidecar(t *testing.T, path string, edit func(*timing.Map)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := timing.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, _ := timing.Marshal(m)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFatalErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(dir string)
		want string
	}{
		{"no show.json", func(dir string) { os.Remove(filepath.Join(dir, "show.json")) }, "no show.json"},
		{"binary text", func(dir string) {
			os.WriteFile(filepath.Join(dir, "recollection.txt"), []byte("\x00\x01\x02PK"), 0o644)
		}, "not UTF-8 text"},
		{"empty text", func(dir string) { os.WriteFile(filepath.Join(dir, "recollection.txt"), nil, 0o644) }, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyShow(t)
			tt.edit(dir)
			_, err := Load(context.Background(), Config{Dir: dir, BaseURL: testBase}, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
	if _, err := Load(context.Background(), Config{Dir: "../../episodes", BaseURL: "/relative"}, nil); err == nil {
		t.Error("a relative base URL was accepted")
	}
	_, err := load(t, "../../episodes").Episode("nope")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown episode: %v", err)
	}
}

// BenchmarkLoadSeed is the server's startup: with valid sidecars nothing
// is decoded, only probed and hashed (cached by the Cache across reloads).
func BenchmarkLoadSeed(b *testing.B) {
	for _, cached := range []bool{false, true} {
		name := "cold"
		if cached {
			name = "cached"
		}
		b.Run(name, func(b *testing.B) {
			cache := NewCache()
			for b.Loop() {
				if !cached {
					cache = NewCache()
				}
				if _, err := Load(context.Background(), Config{Dir: "../../episodes", BaseURL: testBase}, cache); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTimingByContentHash moves a sidecar to where alignment puts timing
// maps (by the recording's hash) and checks it is found there, and that a
// recording without any is reported to the Untimed hook.
func TestTimingByContentHash(t *testing.T) {
	dir := copyShow(t)
	slug := "03-economic-stagnation"
	sidecar := filepath.Join(dir, AudioDir, slug+TimingExt)
	s := load(t, dir)
	e, _ := s.Episode(slug)
	os.MkdirAll(filepath.Join(dir, AudioDir, TimingsDir), 0o755)
	if err := os.Rename(sidecar, TimingPath(dir, e.Audio.SHA256)); err != nil {
		t.Fatal(err)
	}
	if s := load(t, dir); len(s.Problems) != 0 {
		t.Fatalf("timing map by hash not found: %v", s.Problems)
	}
	os.Remove(TimingPath(dir, e.Audio.SHA256))
	var got []Untimed
	s2, err := Load(context.Background(), Config{Dir: dir, BaseURL: testBase, Untimed: func(u Untimed) { got = append(got, u) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Slug != slug || got[0].AudioSHA256 != e.Audio.SHA256 || got[0].Episode.Slug != slug {
		t.Fatalf("Untimed calls: %+v", got)
	}
	if e2, _ := s2.Episode(slug); e2.Audio == nil || e2.Timing != nil {
		t.Error("an untimed recording must still be served, without timings")
	}
}

// TestSyntheticOnlyWhereItIs: the seed declares synthesized narration on
// the channel and every item; an episode whose timings came from alignment
// (a person's recording) is not declared synthetic, and then neither is the
// channel as a whole.
func TestSyntheticOnlyWhereItIs(t *testing.T) {
	s := load(t, "../../episodes")
	if n := strings.Count(string(s.Feed.Body), `purpose="ai-content"`); n != 1+len(s.Episodes) {
		t.Fatalf("seed feed has %d ai-content declarations, want %d", n, 1+len(s.Episodes))
	}
	dir := copyShow(t)
	editSidecar(t, filepath.Join(dir, AudioDir, "02-the-official-history"+TimingExt), func(m *timing.Map) { m.Method = timing.MethodAligned })
	s = load(t, dir)
	body := string(s.Feed.Body)
	// The channel now says "some episodes", and four items declare it.
	if n := strings.Count(body, `purpose="ai-content"`); n != len(s.Episodes) || !strings.Contains(body, "Some episodes are narrated by synthesized speech") {
		t.Errorf("with one person's recording the feed has %d ai-content declarations (want 1 channel + %d items) and no \"Some episodes\"", n, len(s.Episodes)-1)
	}
	item := body[strings.Index(body, "<title>The official history</title>"):]
	item = item[:strings.Index(item, "</item>")]
	if strings.Contains(item, "ai-content") {
		t.Error("the person's recording is declared synthetic")
	}
}
