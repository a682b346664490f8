package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

// TaggedDir, under AudioDir, holds the published copies of recordings whose
// own ID3 chapters are not the episode's: the same audio, with the
// episode's CHAP and CTOC frames. The recording itself is never rewritten.
const TaggedDir = "tagged"

// CleanTagged removes what a WriteTagged cut off by a crash left in the
// show's tagged directory (its hidden temporary files). Call it before any
// WriteTagged of this process runs: a copy being written looks the same.
func CleanTagged(dir string) error {
	tmps, err := filepath.Glob(filepath.Join(dir, AudioDir, TaggedDir, ".*.tmp"))
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	for _, p := range tmps {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("catalog: removing a leftover of an interrupted write: %w", err)
		}
	}
	return nil
}

// TextKey names the text of an episode as a timing map depends on it: the
// digest of its sentence IDs in order (each ID is derived from its
// sentence's words). An edit elsewhere in the source leaves it unchanged;
// reverting an edit brings the earlier key back.
func TextKey(ep segment.Episode) string {
	h := sha256.New()
	for _, c := range ep.Chapters {
		for _, p := range c.Paragraphs {
			for _, s := range p.Sentences {
				io.WriteString(h, s.ID)
				h.Write([]byte{'\n'})
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// TimingPathFor is where the timing map of a recording for one text of its
// episode is kept: alignment writes here, so that each (recording, text)
// pair is aligned once and an edit that is reverted finds its timings again.
func TimingPathFor(dir, audioSHA256, textKey string) string {
	return filepath.Join(TimingsPath(dir), audioSHA256+"."+textKey+".json")
}

// ChapterKey names a list of chapters as ID3 frames would hold them.
func ChapterKey(cs []timing.Chapter) string {
	h := sha256.New()
	for _, c := range cs {
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", c.Title, ms(c.Start), ms(c.End))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// TaggedPath is where the published copy of recording audioSHA256 with the
// chapters of key is kept.
func TaggedPath(dir, audioSHA256, chapterKey string) string {
	return filepath.Join(dir, AudioDir, TaggedDir, audioSHA256+"."+chapterKey+".mp3")
}

func ms(s float64) int64 { return int64(math.Round(s * 1000)) }

// ID3Chapters converts chapters on the timing clock to ID3 CHAP frames.
func ID3Chapters(cs []timing.Chapter) []audio.Chapter {
	out := make([]audio.Chapter, len(cs))
	for i, c := range cs {
		out[i] = audio.Chapter{ID: fmt.Sprintf("chp%d", i+1), Title: c.Title,
			Start: msDuration(c.Start), End: msDuration(c.End)}
	}
	return out
}

// chaptersAgree reports whether an MP3's ID3 chapters are the episode's:
// the same titles, starting on the same millisecond.
func chaptersAgree(id3 []audio.Chapter, cs []timing.Chapter) bool {
	if len(id3) != len(cs) {
		return false
	}
	for i, c := range cs {
		if id3[i].Title != c.Title || id3[i].Start.Milliseconds() != ms(c.Start) {
			return false
		}
	}
	return true
}

// readID3Chapters reads the ID3 chapters of the MP3 at path.
func readID3Chapters(path string) ([]audio.Chapter, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	t, err := audio.ReadTags(f, fi.Size())
	if err != nil {
		return nil, err
	}
	return t.Chapters, nil
}

// Recording is what is known of an episode's audio/<slug>.mp3 without
// loading the show: whether there is one, its content hash, and whether it
// is readcast's own narration (a synthesis timing map of these bytes
// exists) or a person's recording.
type Recording struct {
	Path   string // audio/<slug>.mp3 (a symlink is not resolved)
	File   string // the file it is, symlinks resolved
	SHA256 string
	Exists bool
	// Narrated: readcast narrate made these bytes. A recording that is not
	// is a person's, and readcast never overwrites or deletes it.
	Narrated bool
}

// Person reports whether the recording is a person's: it exists and
// readcast did not synthesize it.
func (r Recording) Person() bool { return r.Exists && !r.Narrated }

// ReadRecording says what audio/<slug>.mp3 of the episodes directory dir is.
func ReadRecording(dir, slug string) (Recording, error) {
	r := Recording{Path: filepath.Join(dir, AudioDir, slug+".mp3")}
	real, err := filepath.EvalSymlinks(r.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("catalog: %w", err)
	}
	r.File, r.Exists = real, true
	if r.SHA256, err = timing.HashFile(real); err != nil {
		return r, fmt.Errorf("catalog: hash %s: %w", real, err)
	}
	r.Narrated = narrated(dir, slug, r.SHA256)
	return r, nil
}

// narrated reports whether a synthesis timing map of the recording with
// hash sum exists: the sidecar narrate writes, or a copy the store kept.
// Only readcast narrate writes maps of method synthesis.
func narrated(dir, slug, sum string) bool {
	// Maps by recording and text are made by alignment; a synthesis map
	// is the sidecar, or its copy the store keeps by the recording's hash.
	for _, p := range []string{filepath.Join(dir, AudioDir, slug+TimingExt), TimingPath(dir, sum)} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if m, err := timing.Parse(data); err == nil && m.AudioSHA256 == sum && m.Method == timing.MethodSynthesis {
			return true
		}
	}
	return false
}

// timedBefore reports whether the recording with hash sum has a timing
// map for some text of its episode: it was synchronized before an edit.
func timedBefore(dir, sum string) bool {
	maps, _ := filepath.Glob(filepath.Join(TimingsPath(dir), sum+"*.json"))
	return len(maps) > 0
}

// staleAdvice says what to do about a timing map that does not fit its
// recording, for this kind of audio.
func staleAdvice(slug string, own bool) string {
	if own {
		return "readcast's own narration: run readcast narrate -episode " + slug
	}
	return "a person's recording: readcast serve aligns it in the background, or run readcast align; do not narrate over it"
}

func msDuration(s float64) time.Duration { return time.Duration(ms(s)) * time.Millisecond }
