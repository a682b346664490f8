package catalog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// hooked loads dir with both hooks, and returns what they were told.
func hooked(t *testing.T, dir string) (*Snapshot, []Untimed, []Untagged) {
	t.Helper()
	var untimed []Untimed
	var untagged []Untagged
	s, err := Load(context.Background(), Config{Dir: dir, BaseURL: testBase,
		Untimed:  func(u Untimed) { untimed = append(untimed, u) },
		Untagged: func(u Untagged) { untagged = append(untagged, u) },
	}, NewCache())
	if err != nil {
		t.Fatal(err)
	}
	return s, untimed, untagged
}

// TestAPersonsRecording follows a person's recording of a seed episode
// (the seed's audio under a tag of its own, without chapters) through the
// catalog: it is not readcast's narration, its timings are found by
// recording and text, an edit of its text asks for new ones and says so,
// the revert finds the old ones, and it is served through a published copy
// that carries the episode's chapters while the recording stays as given.
func TestAPersonsRecording(t *testing.T) {
	dir := copyShow(t)
	slug := "03-economic-stagnation"
	mp3 := filepath.Join(dir, AudioDir, slug+".mp3")
	sidecar := filepath.Join(dir, AudioDir, slug+TimingExt)
	if err := audio.WriteTagsTo(mp3, mp3, audio.Tags{Title: "My own reading"}); err != nil {
		t.Fatal(err)
	}
	given, _ := os.ReadFile(mp3)
	rec, err := ReadRecording(dir, slug)
	if err != nil || !rec.Person() || rec.SHA256 != sha(given) {
		t.Fatalf("ReadRecording = %+v, %v; want a person's recording", rec, err)
	}
	if seed, _ := ReadRecording(dir, "02-the-official-history"); seed.Person() || !seed.Narrated {
		t.Errorf("the seed's narration is taken for a person's recording: %+v", seed)
	}

	s, untimed, _ := hooked(t, dir)
	e, _ := s.Episode(slug)
	if e.Timing != nil || e.Narrated || len(untimed) != 1 || untimed[0].TextKey != TextKey(e.Outline) {
		t.Fatalf("untimed person's recording: timing %v, narrated %v, hook %+v", e.Timing != nil, e.Narrated, untimed)
	}
	if !strings.Contains(s.Problems[0].Error(), "a person's recording") || strings.Contains(s.Problems[0].Error(), "narrate -episode") {
		t.Errorf("the problem does not say what to do for a person's recording: %v", s.Problems[0])
	}
	// What the aligner leaves: a map by recording and text.
	data, _ := os.ReadFile(sidecar)
	m, err := timing.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	m.AudioSHA256, m.Method = rec.SHA256, timing.MethodAligned
	out, _ := timing.Marshal(m)
	os.MkdirAll(filepath.Join(dir, AudioDir, TimingsDir), 0o755)
	if err := os.WriteFile(TimingPathFor(dir, rec.SHA256, untimed[0].TextKey), out, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(sidecar)

	s, untimed, untagged := hooked(t, dir)
	e, _ = s.Episode(slug)
	if e.Timing == nil || len(untimed) != 0 || len(untagged) != 1 || e.Audio.File != mp3 {
		t.Fatalf("timed person's recording: timing %v, untimed %v, untagged %v, served %s", e.Timing != nil, untimed, untagged, e.Audio.File)
	}
	if err := WriteTagged(untagged[0]); err != nil {
		t.Fatal(err)
	}
	before, givenURL := s, e.Audio.Path
	s, _, untagged = hooked(t, dir)
	e, _ = s.Episode(slug)
	if len(untagged) != 0 || e.Audio.File != TaggedPath(dir, rec.SHA256, ChapterKey(e.Chapters)) || e.RecordingSHA256 != rec.SHA256 {
		t.Fatalf("the published copy is not served: %s (untagged %v)", e.Audio.File, untagged)
	}
	// A feed read before the copy took its place names the recording as
	// given: its URL keeps answering, with its own bytes, once retained.
	if a := s.Find(givenURL); a != nil {
		t.Fatalf("%s is served before Retain: %+v", givenURL, a)
	}
	s.Retain(before)
	if a := s.Find(givenURL); a == nil || a.File != mp3 || a.SHA256 != rec.SHA256 {
		t.Errorf("the recording's earlier URL %s after Retain: %+v", givenURL, a)
	}
	if len(s.retired) != 1 {
		t.Errorf("retained %d assets, want only the recording: %v", len(s.retired), s.retired)
	}
	copyBytes, _ := os.ReadFile(e.Audio.File)
	tags, err := audio.ReadTags(bytes.NewReader(copyBytes), int64(len(copyBytes)))
	if err != nil || !chaptersAgree(tags.Chapters, e.Chapters) || tags.Title != "My own reading" {
		t.Errorf("the copy's tag: %+v, %v; want the episode's chapters and the recording's own title", tags.Chapters, err)
	}
	if b, _ := os.ReadFile(mp3); !bytes.Equal(b, given) {
		t.Error("the recording itself changed")
	}

	// An edit of the episode's text: new timings are asked for, the page
	// is told; the revert finds the earlier ones without asking.
	srcPath := filepath.Join(dir, s.Show.Source)
	src, _ := os.ReadFile(srcPath)
	first := e.Outline.Chapters[0].Paragraphs[len(e.Outline.Chapters[0].Paragraphs)-1].Sentences[0].Text
	edited := bytes.Replace(src, []byte(first), []byte(first+" An edit."), 1)
	if bytes.Equal(edited, src) {
		t.Fatalf("could not edit %q", first)
	}
	os.WriteFile(srcPath, edited, 0o644)
	s, untimed, _ = hooked(t, dir)
	e, _ = s.Episode(slug)
	if e.Timing != nil || !e.Realigning || len(untimed) != 1 {
		t.Fatalf("after an edit: timing %v, realigning %v, untimed %v", e.Timing != nil, e.Realigning, untimed)
	}
	if other, _ := s.Episode("02-the-official-history"); other.Timing == nil {
		t.Error("an edit of another episode's text dropped this one's timings")
	}
	os.WriteFile(srcPath, src, 0o644)
	before = s
	s, untimed, _ = hooked(t, dir)
	if e, _ = s.Episode(slug); e.Timing == nil || len(untimed) != 0 {
		t.Errorf("after the revert: timing %v, untimed %v", e.Timing != nil, untimed)
	}

	// Carried over further swaps while the recording is the one given.
	s.Retain(before)
	if s.Find(givenURL) == nil {
		t.Fatalf("%s was not carried over a second swap", givenURL)
	}
	// Not once it is replaced: an author may replace a recording to take
	// something back. Neither its URL nor its tagged copy's answers, though
	// the copy is still on disk.
	taggedURL := e.Audio.Path
	if taggedURL == givenURL || e.Audio.File == mp3 {
		t.Fatalf("the tagged copy is not served after the revert: %+v", e.Audio)
	}
	testtool.AfterModTime(t, mp3)
	if err := os.WriteFile(mp3, append(given[:len(given):len(given)], 0), 0o644); err != nil {
		t.Fatal(err)
	}
	before = s
	s, _, _ = hooked(t, dir)
	s.Retain(before)
	for _, u := range []string{givenURL, taggedURL} {
		if a := s.Find(u); a != nil {
			t.Errorf("%s is still served after the recording was replaced: %+v", u, a)
		}
	}
	if _, err := os.Stat(TaggedPath(dir, rec.SHA256, ChapterKey(e.Chapters))); err != nil {
		t.Errorf("the earlier tagged copy is gone, so the test proves nothing: %v", err)
	}
}
