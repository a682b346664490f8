package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // covers
	_ "image/png"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"crypto/sha256"
	"encoding/hex"

	"github.com/readcast/readcast/feed"
	"github.com/readcast/readcast/internal/artwork"
	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/show"
	"github.com/readcast/readcast/internal/timing"
	"github.com/readcast/readcast/internal/transcript"
)

// Content types of what the catalog serves.
const (
	TypeFeed     = "application/rss+xml; charset=utf-8"
	TypeMP3      = "audio/mpeg"
	TypeJPEG     = "image/jpeg"
	TypePNG      = "image/png"
	TypeVTT      = "text/vtt; charset=utf-8"
	TypeSRT      = "application/x-subrip; charset=utf-8"
	TypeJSON     = "application/json"
	TypeHTML     = "text/html; charset=utf-8"
	TypeChapters = "application/json+chapters"
)

// Files and folders inside the episodes directory.
const (
	AudioDir    = "audio"
	CoverFile   = "cover.jpg"
	TimingExt   = ".timing.json"
	TimingsDir  = "timings" // under AudioDir: timing maps by recording hash
	FeedPath    = "/feed.xml"
	episodePath = "/episodes/"
)

// ErrNotFound is returned for an unknown episode or asset.
var ErrNotFound = errors.New("not found")

// Config says where the show is and where it is published.
type Config struct {
	Dir string
	// ShowDir, when set, is where show.json, overrides.json, the source
	// text and the cover are read from instead of Dir: serve points it at
	// the last good copy of them when the ones in Dir are broken.
	ShowDir string
	// BaseURL is the absolute URL the site is published under, without a
	// trailing slash: every link in the feed is built on it.
	BaseURL string
	// Generator names the software in the feed.
	Generator string
	// Untimed, when set, is told about every recording without a valid
	// timing map, so that it can be aligned in the background; the result
	// goes to TimingPathFor and a reload picks it up.
	Untimed func(Untimed)
	// Untagged, when set, is told about every timed recording whose own
	// ID3 chapters are not the episode's and that has no published copy
	// with them yet (TaggedPath); a reload picks the copy up.
	Untagged func(Untagged)
}

// Snapshot is a loaded show, immutable once it is served (Load returns it,
// Retain may add to it before it is).
type Snapshot struct {
	Show     *show.Show
	Outline  *segment.Outline
	Episodes []*Episode
	Feed     *Asset
	Cover    *Asset
	BaseURL  string
	// Problems are what is wrong but does not stop the show: an episode
	// without a recording, a sidecar that disagrees with its MP3. Each names
	// the file.
	Problems []error

	assets map[string]*Asset
	// retired are earlier URLs of recordings this one serves (Retain).
	retired  map[string]retained
	slugs    map[string]*Episode
	untimed  func(Untimed)
	untagged func(Untagged)
}

// Episode is one episode of a snapshot.
type Episode struct {
	Outline   segment.Episode
	Published time.Time
	GUID      string
	PageURL   string // absolute
	// Audio is nil until the episode is recorded. It is the recording, or
	// its published copy with the episode's ID3 chapters (TaggedPath).
	Audio *Asset
	// RecordingSHA256 is the content hash of the recording itself, as
	// narrated or as its author gave it: what timing maps are keyed by.
	RecordingSHA256 string
	// Narrated says the recording is readcast's own narration (a synthesis
	// timing map of it exists), not a person's.
	Narrated bool
	// Realigning says the recording has timings for an earlier text of the
	// episode, not for this one: it is being aligned to the new text.
	Realigning bool
	Info       audio.Info
	// Timing is nil when the recording has no valid sidecar; the episode is
	// then served without a synchronized transcript.
	Timing      *timing.Map
	Chapters    []timing.Chapter
	Transcripts []Transcript
	ChaptersDoc *Asset
	// Doc is the transcript structure the player renders from.
	Doc *transcript.Doc
}

// Transcript is one rendered transcript format of an episode.
type Transcript struct {
	Format string // "vtt", "srt", "json", "html"
	Asset  *Asset
}

// Synthetic reports whether the episode's narration is synthesized: its
// recording is readcast's own narration. A person's recording is never
// declared synthetic, whatever show.json says; nor is an episode not
// recorded yet.
func (e *Episode) Synthetic(sh *show.Show) bool {
	return e.Audio != nil && e.Narrated
}

// Disclosure is how much of a show's recorded narration is synthesized.
type Disclosure int

// Disclosures.
const (
	SynthesizedNone Disclosure = iota
	SynthesizedSome
	SynthesizedAll
)

// Disclosure says whether all, some or none of the recorded episodes are
// synthesized.
func (s *Snapshot) Disclosure() Disclosure {
	n, recorded := 0, 0
	for _, e := range s.Episodes {
		if e.Audio == nil {
			continue
		}
		recorded++
		if e.Synthetic(s.Show) {
			n++
		}
	}
	switch {
	case n == 0:
		return SynthesizedNone
	case n == recorded:
		return SynthesizedAll
	}
	return SynthesizedSome
}

// allSynthetic reports whether every recorded episode is synthesized, which
// is when the channel itself declares it.
func (s *Snapshot) allSynthetic() bool { return s.Disclosure() == SynthesizedAll }

// Slug is the episode's URL name.
func (e *Episode) Slug() string { return e.Outline.Slug }

// Transcript returns the asset of a format, or nil.
func (e *Episode) Transcript(format string) *Asset {
	for _, t := range e.Transcripts {
		if t.Format == format {
			return t.Asset
		}
	}
	return nil
}

// Asset returns the asset served at a URL path.
func (s *Snapshot) Asset(path string) (*Asset, error) {
	if a, ok := s.assets[path]; ok {
		return a, nil
	}
	if r, ok := s.retired[path]; ok {
		return r.Asset, nil
	}
	return nil, fmt.Errorf("catalog: %s: %w", path, ErrNotFound)
}

// Find returns the asset at a URL path, or nil: Asset without the error,
// for the server's hot path, where a miss is common and not an error.
func (s *Snapshot) Find(path string) *Asset {
	if a, ok := s.assets[path]; ok {
		return a
	}
	return s.retired[path].Asset
}

// Retain carries over from prev the earlier URLs of recordings this
// snapshot still serves, as long as each file is still the bytes prev
// hashed. A recording's URL changes without the recording changing when
// its copy with ID3 chapters takes its place (after it is aligned, or a
// chapter is renamed); a podcast app that read the feed a minute before
// downloads the episode later, and a player that started the recording
// keeps asking for ranges of it. A recording that was replaced is not
// carried over: its URL answers 404 at once, since an author may have
// replaced it to take something back, and so are a replaced cover,
// transcripts and chapters. What is retained is at most one file per
// earlier chapter set of a live recording, dropped at the swap after its
// file changes or goes away (Open still checks every request). Call it
// before the snapshot is served.
func (s *Snapshot) Retain(prev *Snapshot) {
	if prev == nil {
		return
	}
	keep := func(r retained) {
		e := s.slugs[r.slug]
		if e == nil || e.Audio == nil || e.RecordingSHA256 != r.recording || s.assets[r.Path] != nil || s.retired[r.Path].Asset != nil || !r.intact() {
			return
		}
		if s.retired == nil {
			s.retired = map[string]retained{}
		}
		s.retired[r.Path] = r
	}
	for _, e := range prev.Episodes {
		if e.Audio != nil {
			keep(retained{Asset: e.Audio, slug: e.Slug(), recording: e.RecordingSHA256})
		}
	}
	for _, r := range prev.retired {
		keep(r)
	}
}

// retained is an earlier URL of a recording a snapshot serves (Retain).
type retained struct {
	*Asset
	slug, recording string
}

// Episode returns an episode by slug.
func (s *Snapshot) Episode(slug string) (*Episode, error) {
	if e, ok := s.slugs[slug]; ok {
		return e, nil
	}
	return nil, fmt.Errorf("catalog: episode %q: %w", slug, ErrNotFound)
}

// Cache keeps what is costly to compute across loads, keyed by content:
// file digests by path, size, modification time and inode, so a reload
// after an edit only hashes what changed.
type Cache struct {
	mu     sync.Mutex
	hashes map[fileKey]string
	// agree remembers whether a file's ID3 chapters are those of a
	// chapter key: reading the tag of every episode at every reload would
	// read its cover art too.
	agree map[chapterCheck]bool
}

type chapterCheck struct {
	file fileKey
	key  string
}

// chaptersAgree reports whether the MP3 at path holds the chapters cs (of
// key) as ID3 frames.
func (c *Cache) chaptersAgree(path, key string, cs []timing.Chapter) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	k := chapterCheck{fileKey{path, fi.Size(), fi.ModTime(), identity(fi)}, key}
	if c != nil {
		c.mu.Lock()
		ok, found := c.agree[k]
		c.mu.Unlock()
		if found {
			return ok
		}
	}
	own, err := readID3Chapters(path)
	ok := err == nil && chaptersAgree(own, cs)
	if c != nil {
		c.mu.Lock()
		c.agree[k] = ok
		c.mu.Unlock()
	}
	return ok
}

type fileKey struct {
	path  string
	size  int64
	mtime time.Time
	id    fileID
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{hashes: map[fileKey]string{}, agree: map[chapterCheck]bool{}} }

func (c *Cache) fileSHA(path string, fi os.FileInfo) (string, error) {
	k := fileKey{path, fi.Size(), fi.ModTime(), identity(fi)}
	if c != nil {
		c.mu.Lock()
		h, ok := c.hashes[k]
		c.mu.Unlock()
		if ok {
			return h, nil
		}
	}
	h, err := timing.HashFile(path)
	if err != nil {
		return "", err
	}
	if c != nil {
		c.mu.Lock()
		c.hashes[k] = h
		c.mu.Unlock()
	}
	return h, nil
}

// Load reads the episodes directory into a snapshot. It fails only when the
// show itself cannot be built (metadata, text, feed); a problem with one
// episode's files is reported in Snapshot.Problems and that episode is
// served as well as it can be.
func Load(ctx context.Context, cfg Config, cache *Cache) (*Snapshot, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("catalog: base URL %q must be absolute, like http://127.0.0.1:8080", cfg.BaseURL)
	}
	baseURL := strings.TrimRight(cfg.BaseURL, "/")
	showDir := cfg.Dir
	if cfg.ShowDir != "" {
		showDir = cfg.ShowDir
	}
	// The show's own errors name the file and the fix; they go out as they are.
	sh, ov, err := show.Load(showDir)
	if err != nil {
		return nil, err
	}
	srcPath := filepath.Join(showDir, sh.Source)
	src, err := show.ReadText(srcPath)
	if err != nil {
		return nil, err
	}
	o, err := segment.Parse(src, segment.Options{
		WordsPerMinute: ov.WordsPerMinute, MaxEpisode: ov.MaxEpisodeMinutes * 60,
		ChapterTitles: ov.ChapterTitles, SplitBefore: ov.SplitBefore,
	})
	if err != nil {
		return nil, show.TextError(srcPath, err)
	}
	first := sh.FirstDate()
	s := &Snapshot{Show: sh, Outline: o, BaseURL: baseURL, assets: map[string]*Asset{}, slugs: map[string]*Episode{}, untimed: cfg.Untimed, untagged: cfg.Untagged}
	if err := checkLinks(cfg.Dir); err != nil {
		return nil, err
	}
	if err := s.loadCover(showDir, cache); err != nil {
		return nil, err
	}
	for i, oe := range o.Episodes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e := &Episode{
			Outline: oe,
			// Serial order survives apps that sort by date: one day apart,
			// at the same hour, in reading order.
			Published: first.Add(time.Duration(i)*24*time.Hour + 6*time.Hour),
			GUID:      episodeGUID(sh, oe.Slug),
			PageURL:   baseURL + episodePath + oe.Slug,
		}
		s.Episodes = append(s.Episodes, e)
		s.slugs[oe.Slug] = e
		if err := s.loadEpisode(cfg.Dir, e, cache); err != nil {
			s.Problems = append(s.Problems, err)
		}
	}
	if err := s.buildFeed(cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// episodeGUID is the item GUID: it names the show and the episode, never a
// host or a file, so moving the show or re-recording keeps it.
func episodeGUID(sh *show.Show, slug string) string {
	sum := sha256.Sum256([]byte(sh.Title + "\x00" + sh.Link))
	return "readcast:" + hex.EncodeToString(sum[:6]) + ":" + slug
}

func (s *Snapshot) add(a *Asset) *Asset {
	s.assets[a.Path] = a
	return a
}

// CoverPath is the show's cover: the file show.json names, else cover.jpg.
func CoverPath(dir string, sh *show.Show) (string, error) {
	if sh.Cover == "" {
		return filepath.Join(dir, CoverFile), nil
	}
	if !filepath.IsLocal(sh.Cover) {
		return "", fmt.Errorf("catalog: %s: cover %q must name a file inside %s, like cover.jpg", show.MetadataFile, sh.Cover, dir)
	}
	return filepath.Join(dir, sh.Cover), nil
}

func (s *Snapshot) loadCover(dir string, cache *Cache) error {
	path, err := CoverPath(dir, s.Show)
	if err != nil {
		return err
	}
	body, err := os.ReadFile(path)
	modTime := time.Time{}
	if errors.Is(err, os.ErrNotExist) && s.Show.Cover != "" {
		return fmt.Errorf("catalog: %s names the cover %s, which does not exist", show.MetadataFile, path)
	}
	switch {
	case errors.Is(err, os.ErrNotExist):
		// No committed cover: draw one from the metadata.
		body, err = artwork.JPEG(artwork.Cover{Title: s.Show.Title, Subtitle: s.Show.Subtitle, Author: s.Show.Author})
		if err != nil {
			return fmt.Errorf("catalog: cover: %w", err)
		}
	case err != nil:
		return fmt.Errorf("catalog: %w", err)
	default:
		if fi, err := os.Stat(path); err == nil {
			modTime = fi.ModTime()
		}
	}
	typ, ext, err := coverType(path, body)
	if err != nil {
		return err
	}
	sum := sha(body)
	s.Cover = s.add(NewAsset(contentName("/cover", sum, ext), typ, body, modTime, true, true))
	return nil
}

// coverType checks that a cover is what the feed declares it to be, a JPEG
// or PNG image, square, artwork.MinSize to artwork.MaxSize pixels a side
// (as Apple asks), and returns its content type and URL extension.
func coverType(path string, body []byte) (typ, ext string, err error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return "", "", fmt.Errorf("catalog: %s is not a JPEG or PNG image (%v); replace it, or remove it to have one drawn from show.json", path, err)
	}
	switch format {
	case "jpeg":
		typ, ext = TypeJPEG, ".jpg"
	case "png":
		typ, ext = TypePNG, ".png"
	default:
		return "", "", fmt.Errorf("catalog: %s is a %s image; podcast apps take only JPEG or PNG artwork", path, format)
	}
	if cfg.Width != cfg.Height || cfg.Width < artwork.MinSize || cfg.Width > artwork.MaxSize {
		return "", "", fmt.Errorf("catalog: %s is %d×%d pixels; podcast artwork must be square, %d to %d pixels a side", path, cfg.Width, cfg.Height, artwork.MinSize, artwork.MaxSize)
	}
	return typ, ext, nil
}

// checkLinks refuses a show with a symbolic link under its directory that
// resolves outside it: the server would serve whatever it names (a key, a
// password file) as a recording or the cover.
func checkLinks(dir string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil // a dangling link serves nothing; a missing recording is reported where it is needed
		}
		if target, err = filepath.Abs(target); err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		if rel, err := filepath.Rel(root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("catalog: %s is a symbolic link to %s, outside the show's directory %s; copy the file into the show instead", p, target, dir)
		}
		return nil
	})
}

// minDuration is the shortest recording an episode may have, in seconds:
// the feed's itunes:duration counts whole seconds and refuses 0.
const minDuration = 1.0

// loadEpisode attaches the recording, its timings and everything rendered
// from them. An error leaves the episode as complete as it could be made.
func (s *Snapshot) loadEpisode(dir string, e *Episode, cache *Cache) error {
	slug := e.Slug()
	mp3 := filepath.Join(dir, AudioDir, slug+".mp3")
	// A published recording is a symlink into the content-addressed store
	// (internal/publish): serve the file it names now, so that a publish
	// that flips the symlink before the next reload cannot put the new
	// bytes under this snapshot's URL, length and ETag.
	if real, err := filepath.EvalSymlinks(mp3); err == nil {
		mp3 = real
	}
	fi, err := os.Stat(mp3)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("catalog: episode %s is not recorded yet: no %s", slug, mp3)
	}
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	sum, err := cache.fileSHA(mp3, fi)
	if err != nil {
		return fmt.Errorf("catalog: hash %s: %w", mp3, err)
	}
	info, err := audio.ProbeFile(mp3)
	if err != nil {
		if fix := audio.Remedy(mp3, err); fix != "" {
			return fmt.Errorf("catalog: %s is not playable: %w; %s", mp3, err, fix)
		}
		return fmt.Errorf("catalog: %s is not playable: %w", mp3, err)
	}
	if info.Duration < minDuration {
		// The feed cannot list it (itunes:duration is whole seconds),
		// and one episode must not stop the show from loading.
		return fmt.Errorf("catalog: %s plays %.2f s, and an episode must last at least 1 s: record the episode again, or remove the file to list it as not recorded", mp3, info.Duration)
	}
	e.Info = info
	e.RecordingSHA256 = sum
	// Whether readcast narrated it is read from its synthesis map only when
	// the map found does not say (parsing a sidecar twice doubles a load).
	own := sync.OnceValue(func() bool { return narrated(dir, slug, sum) })
	served := &Asset{
		Path: "/audio/" + contentName(slug, sum, ".mp3"), Type: TypeMP3, File: mp3,
		Size: fi.Size(), SHA256: sum, ETag: `"` + sum[:16] + `"`, ModTime: fi.ModTime(), Immutable: true,
		id: identity(fi),
	}
	e.Audio = served
	textKey := TextKey(e.Outline)
	m, sidecar, err := findTiming(dir, slug, mp3, sum, textKey, e, info, own)
	e.Narrated = err == nil && m.Method == timing.MethodSynthesis || own()
	if err != nil {
		e.Realigning = !e.Narrated && (errors.Is(err, errOtherText) || timedBefore(dir, sum))
		s.add(served)
		if s.untimed != nil {
			s.untimed(Untimed{Slug: slug, Audio: mp3, AudioSHA256: sum, TextKey: textKey, Episode: e.Outline, Language: s.Show.Language, Reason: err})
		}
		return err
	}
	doc, err := transcript.NewDoc(e.Outline, s.Show.Language, "", m)
	if err != nil {
		s.add(served)
		return fmt.Errorf("catalog: %s: %w", sidecar, err)
	}
	e.Timing, e.Doc, e.Chapters = m, &doc, doc.Chapters
	if tagged, err := s.tagged(dir, e, mp3, cache); err != nil {
		s.Problems = append(s.Problems, err)
	} else if tagged != nil {
		e.Audio = tagged
	}
	s.add(e.Audio)
	return s.render(e, doc)
}

// tagged returns the published copy of the episode's recording that holds
// its chapters as ID3 CHAP and CTOC frames, when the recording's own do
// not; nil when the recording's own are right, or when the copy is not made
// yet (the Untagged hook is then told, and the recording is served as it is
// meanwhile).
func (s *Snapshot) tagged(dir string, e *Episode, mp3 string, cache *Cache) (*Asset, error) {
	if len(e.Chapters) == 0 {
		return nil, nil
	}
	key := ChapterKey(e.Chapters)
	if cache.chaptersAgree(mp3, key, e.Chapters) {
		return nil, nil
	}
	p := TaggedPath(dir, e.RecordingSHA256, key)
	fi, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		if s.untagged != nil {
			sh := s.Show
			s.untagged(Untagged{Slug: e.Slug(), Audio: mp3, AudioSHA256: e.RecordingSHA256, Path: p,
				Tags: audio.Tags{Title: e.Outline.Title, Artist: sh.Author, Album: sh.Title, Track: e.Outline.Number,
					TrackTotal: len(s.Outline.Episodes), Cover: s.Cover.Body, CoverMIME: "image/jpeg",
					Chapters: ID3Chapters(e.Chapters)}})
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	sum, err := cache.fileSHA(p, fi)
	if err != nil {
		return nil, fmt.Errorf("catalog: hash %s: %w", p, err)
	}
	return &Asset{
		Path: "/audio/" + contentName(e.Slug(), sum, ".mp3"), Type: TypeMP3, File: p,
		Size: fi.Size(), SHA256: sum, ETag: `"` + sum[:16] + `"`, ModTime: fi.ModTime(), Immutable: true,
		id: identity(fi),
	}, nil
}

// Untagged describes a timed recording whose ID3 chapters are not its
// episode's: the input for writing its published copy.
type Untagged struct {
	Slug        string
	Audio       string // path of the recording
	AudioSHA256 string
	// Tags are the episode's: the copy takes its chapters from them, and
	// every other field the recording's own tag leaves empty.
	Tags audio.Tags
	// Path is where the copy goes (TaggedPath).
	Path string
}

// WriteTagged writes the published copy u describes: the recording's
// audio, byte for byte, under one ID3 tag that keeps what the recording's
// own tag says and holds the episode's chapters (CHAP and CTOC frames).
func WriteTagged(u Untagged) error {
	if err := os.MkdirAll(filepath.Dir(u.Path), 0o755); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	f, err := os.Open(u.Audio)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("catalog: %w", err)
	}
	own, err := audio.ReadTags(f, fi.Size())
	f.Close()
	if err != nil {
		own = audio.Tags{} // an unreadable tag of its own is replaced
	}
	t := u.Tags
	for _, kv := range []struct {
		dst *string
		src string
	}{
		{&t.Title, own.Title}, {&t.Artist, own.Artist}, {&t.Album, own.Album}, {&t.Genre, own.Genre}, {&t.Comment, own.Comment},
	} {
		if kv.src != "" {
			*kv.dst = kv.src
		}
	}
	if own.Year != 0 {
		t.Year = own.Year
	}
	if len(own.Cover) > 0 {
		t.Cover, t.CoverMIME = own.Cover, own.CoverMIME
	}
	if err := audio.WriteTagsTo(u.Audio, u.Path, t); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return nil
}

// findTiming finds the timing map of a recording for the episode's text:
// the sidecar next to the MP3 when it describes this recording, else the one
// kept under audio/timings/ by the recording's content hash and the text's
// key (where alignment and the admin API put theirs), else one by the hash
// alone (older stores). When none fits, the error says why and, for a map
// of this recording made for another text, wraps errOtherText.
func findTiming(dir, slug, mp3, sum, textKey string, e *Episode, info audio.Info, own func() bool) (*timing.Map, string, error) {
	candidates := []string{
		filepath.Join(dir, AudioDir, slug+TimingExt),
		TimingPathFor(dir, sum, textKey),
		TimingPath(dir, sum),
	}
	var ours, other error // why a map of this recording, or of another, does not fit
	for _, sidecar := range candidates {
		data, err := os.ReadFile(sidecar)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		var m *timing.Map
		if err == nil {
			m, err = timing.Parse(data)
		}
		if err != nil {
			if ours == nil {
				ours = fmt.Errorf("catalog: %s: %w", sidecar, err)
			}
			continue
		}
		err = agree(m, e, sum, info)
		if err == nil {
			return m, sidecar, nil
		}
		err = fmt.Errorf("catalog: %s disagrees with %s: %w (%s)", sidecar, mp3, err, staleAdvice(slug, own()))
		if m.AudioSHA256 != sum {
			if other == nil {
				other = err
			}
		} else if ours == nil {
			ours = err
		}
	}
	switch {
	case ours != nil:
		return nil, "", ours
	case other != nil:
		return nil, "", other
	}
	return nil, "", fmt.Errorf("catalog: %s has no timing sidecar %s and no timing map yet: served without a synchronized transcript (%s)", mp3, candidates[0], staleAdvice(slug, own()))
}

// errOtherText is wrapped when a recording's timing map is of another text
// of its episode.
var errOtherText = errors.New("the text changed since the recording was timed")

// TimingsPath is the directory of the episodes directory dir where timing
// maps are kept by recording hash.
func TimingsPath(dir string) string { return filepath.Join(dir, AudioDir, TimingsDir) }

// TimingPath is where the timing map of the recording with the given
// content hash is kept.
func TimingPath(dir, audioSHA256 string) string {
	return filepath.Join(TimingsPath(dir), audioSHA256+".json")
}

// Untimed describes a recording that has no valid timing map: the input an
// aligner needs to make one.
type Untimed struct {
	Slug        string
	Audio       string // path of the MP3
	AudioSHA256 string
	// TextKey names the episode's text (TextKey): the timing map goes to
	// TimingPathFor(dir, AudioSHA256, TextKey).
	TextKey string
	Episode segment.Episode
	// Language is the show's (show.json), which the aligner must speak.
	Language string
	Reason   error
}

// agree checks that a sidecar describes this recording of this text.
func agree(m *timing.Map, e *Episode, audioSHA string, info audio.Info) error {
	if m.AudioSHA256 != audioSHA {
		return fmt.Errorf("audio_sha256 is %.12s…, the MP3's is %.12s…", m.AudioSHA256, audioSHA)
	}
	if d := math.Abs(m.Duration - info.Duration); d > 0.05 {
		return fmt.Errorf("duration is %.3f s, the MP3 plays %.3f s", m.Duration, info.Duration)
	}
	var want []string
	for _, c := range e.Outline.Chapters {
		for _, p := range c.Paragraphs {
			for _, s := range p.Sentences {
				want = append(want, s.ID)
			}
		}
	}
	if len(want) != len(m.Sentences) {
		return fmt.Errorf("it times %d sentences, the text has %d in this episode: %w", len(m.Sentences), len(want), errOtherText)
	}
	for i, id := range want {
		if m.Sentences[i].ID != id {
			return fmt.Errorf("sentence %d is %s, the text has %s: %w", i+1, m.Sentences[i].ID, id, errOtherText)
		}
	}
	return nil
}

// render makes every transcript and the chapters of an episode, once.
func (s *Snapshot) render(e *Episode, doc transcript.Doc) error {
	slug := e.Slug()
	modTime := e.Audio.ModTime
	formats := []struct {
		format, ext, typ string
		write            func(transcript.Doc) ([]byte, error)
	}{
		{"vtt", ".vtt", TypeVTT, transcript.VTT},
		{"srt", ".srt", TypeSRT, transcript.SRT},
		{"json", ".json", TypeJSON, transcript.JSON},
		{"html", ".html", TypeHTML, transcript.HTML},
	}
	for _, f := range formats {
		body, err := f.write(doc)
		if err != nil {
			return fmt.Errorf("catalog: episode %s: %s transcript: %w", slug, f.format, err)
		}
		a := s.add(NewAsset("/transcripts/"+contentName(slug, sha(body), f.ext), f.typ, body, modTime, true, true))
		e.Transcripts = append(e.Transcripts, Transcript{Format: f.format, Asset: a})
	}
	body, err := transcript.Chapters(doc)
	if err != nil {
		return fmt.Errorf("catalog: episode %s: chapters: %w", slug, err)
	}
	e.ChaptersDoc = s.add(NewAsset("/chapters/"+contentName(slug, sha(body), ".json"), TypeChapters, body, modTime, true, true))
	return nil
}

// link is the show's website, or without one (show.json's link is
// optional) its own home page.
func (s *Snapshot) link() string {
	if s.Show.Link != "" {
		return s.Show.Link
	}
	return s.BaseURL + "/"
}

// joinNonEmpty joins the parts that are not blank with a blank line.
func joinNonEmpty(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n")
}

// buildFeed renders the RSS document of the recorded episodes.
func (s *Snapshot) buildFeed(cfg Config) error {
	sh := s.Show
	fs := feed.Show{
		Title: sh.Title, Subtitle: sh.Subtitle, Description: joinNonEmpty(sh.Description, sh.Credit),
		Author: sh.Author, Language: sh.Language, Link: s.link(), Copyright: sh.Copyright,
		OwnerName: sh.Owner.Name, OwnerEmail: sh.Owner.Email, Explicit: sh.Explicit, Type: sh.Type,
		FeedURL: s.BaseURL + FeedPath, ImageURL: s.BaseURL + s.Cover.Path,
		Synthetic: s.allSynthetic(), Narrator: sh.Narrator, Locked: true, Generator: cfg.Generator,
	}
	for _, c := range sh.Categories {
		fs.Categories = append(fs.Categories, feed.Category{Name: c.Name, Sub: c.Subcategory})
	}
	var items []feed.Episode
	for _, e := range s.Episodes {
		if e.Audio == nil {
			continue
		}
		it := feed.Episode{
			GUID: e.GUID, Number: e.Outline.Number, Type: "full", Title: e.Outline.Title,
			Summary: Summary(e.Outline, 400), Published: e.Published,
			Duration:  time.Duration(math.Round(e.Info.Duration * float64(time.Second))),
			Enclosure: feed.Enclosure{URL: s.BaseURL + e.Audio.Path, Length: e.Audio.Size, Type: TypeMP3},
			Link:      e.PageURL, Synthetic: e.Synthetic(sh),
		}
		for _, c := range e.Chapters {
			it.Chapters = append(it.Chapters, feed.Chapter{Start: time.Duration(math.Round(c.Start*1000)) * time.Millisecond, Title: c.Title})
		}
		if e.ChaptersDoc != nil {
			it.ChaptersURL = s.BaseURL + e.ChaptersDoc.Path
		}
		types := map[string]string{"vtt": feed.TypeVTT, "srt": feed.TypeSRT, "json": feed.TypeJSON, "html": feed.TypeHTML}
		for _, t := range e.Transcripts {
			it.Transcripts = append(it.Transcripts, feed.Transcript{URL: s.BaseURL + t.Asset.Path, Type: types[t.Format], Language: sh.Language})
		}
		items = append(items, it)
		if it.Published.After(fs.LastBuild) {
			fs.LastBuild = it.Published
		}
	}
	if fs.LastBuild.IsZero() {
		fs.LastBuild = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	body, err := feed.Build(fs, items)
	if err != nil {
		return fmt.Errorf("catalog: feed: %w", err)
	}
	s.Feed = s.add(NewAsset(FeedPath, TypeFeed, body, fs.LastBuild, false, true))
	return nil
}

// Summary is the opening of an episode's prose — its first paragraph of
// text, past the spoken heading and the editor's introduction — cut at a
// sentence boundary to at most max bytes (one sentence always fits).
func Summary(e segment.Episode, max int) string {
	var b strings.Builder
	for _, c := range e.Chapters {
		for _, p := range c.Paragraphs {
			if p.Kind != segment.KindText {
				continue
			}
			for _, s := range p.Sentences {
				if b.Len() > 0 && b.Len()+len(s.Text) > max {
					return b.String()
				}
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s.Text)
			}
			return b.String()
		}
	}
	return e.Title
}
