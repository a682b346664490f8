package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // covers
	_ "image/png"
	"io"
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
	// goes to TimingPath and a reload picks it up.
	Untimed func(Untimed)
}

// Snapshot is a loaded show, immutable once Load returns it.
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

	assets  map[string]*Asset
	slugs   map[string]*Episode
	untimed func(Untimed)
}

// Episode is one episode of a snapshot.
type Episode struct {
	Outline   segment.Episode
	Published time.Time
	GUID      string
	PageURL   string // absolute
	// Audio is nil until the episode is recorded.
	Audio *Asset
	Info  audio.Info
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

// Synthetic reports whether the episode's narration is synthesized: the
// show says its narration is, and this recording's timings came from the
// synthesizer. A person's recording (timings found by alignment, or not yet
// found) is not declared synthetic.
func (e *Episode) Synthetic(sh *show.Show) bool {
	return sh.Synthetic && e.Timing != nil && e.Timing.Method == timing.MethodSynthesis
}

// allSynthetic reports whether every recorded episode is synthesized, which
// is when the channel itself declares it.
func (s *Snapshot) allSynthetic() bool {
	any := false
	for _, e := range s.Episodes {
		if e.Audio == nil {
			continue
		}
		if !e.Synthetic(s.Show) {
			return false
		}
		any = true
	}
	return any
}

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
	return nil, fmt.Errorf("catalog: %s: %w", path, ErrNotFound)
}

// Find returns the asset at a URL path, or nil: Asset without the error,
// for the server's hot path, where a miss is common and not an error.
func (s *Snapshot) Find(path string) *Asset { return s.assets[path] }

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
}

type fileKey struct {
	path  string
	size  int64
	mtime time.Time
	id    fileID
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{hashes: map[fileKey]string{}} }

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
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	hw := sha256.New()
	if _, err := io.Copy(hw, f); err != nil {
		return "", err
	}
	h := hex.EncodeToString(hw.Sum(nil))
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
	s := &Snapshot{Show: sh, Outline: o, BaseURL: baseURL, assets: map[string]*Asset{}, slugs: map[string]*Episode{}, untimed: cfg.Untimed}
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

func (s *Snapshot) loadCover(dir string, cache *Cache) error {
	path := filepath.Join(dir, CoverFile)
	body, err := os.ReadFile(path)
	modTime := time.Time{}
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
	s.Cover = s.add(newMemAsset(contentName("/cover", sum, ext), typ, body, modTime, true, true))
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
		return fmt.Errorf("catalog: %s is not playable: %w", mp3, err)
	}
	e.Info = info
	e.Audio = s.add(&Asset{
		Path: "/audio/" + contentName(slug, sum, ".mp3"), Type: TypeMP3, File: mp3,
		Size: fi.Size(), SHA256: sum, ETag: `"` + sum[:16] + `"`, ModTime: fi.ModTime(), Immutable: true,
		id: identity(fi),
	})

	m, sidecar, err := findTiming(dir, slug, mp3, sum, e, info)
	if err != nil {
		if s.untimed != nil {
			s.untimed(Untimed{Slug: slug, Audio: mp3, AudioSHA256: sum, Episode: e.Outline, Reason: err})
		}
		return err
	}
	doc, err := transcript.NewDoc(e.Outline, s.Show.Language, "", m)
	if err != nil {
		return fmt.Errorf("catalog: %s: %w", sidecar, err)
	}
	e.Timing, e.Doc, e.Chapters = m, &doc, doc.Chapters
	return s.render(e, doc)
}

// findTiming finds the timing map of a recording: the sidecar next to the
// MP3 when it describes this recording, else the one kept under
// audio/timings/ by the recording's content hash (where alignment and the
// admin API put theirs, so that swapping a recording is one rename).
func findTiming(dir, slug, mp3, sum string, e *Episode, info audio.Info) (*timing.Map, string, error) {
	candidates := []string{
		filepath.Join(dir, AudioDir, slug+TimingExt),
		TimingPath(dir, sum),
	}
	var firstErr error
	for _, sidecar := range candidates {
		data, err := os.ReadFile(sidecar)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil {
			var m *timing.Map
			if m, err = timing.Parse(data); err != nil {
				err = fmt.Errorf("catalog: %s: %w", sidecar, err)
			} else if err = agree(m, e, sum, info); err != nil {
				err = fmt.Errorf("catalog: %s disagrees with %s: %w", sidecar, mp3, err)
			} else {
				return m, sidecar, nil
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, "", firstErr
	}
	return nil, "", fmt.Errorf("catalog: %s has no timing sidecar %s: served without a synchronized transcript", mp3, candidates[0])
}

// TimingPath is where the timing map of the recording with the given
// content hash is kept.
func TimingPath(dir, audioSHA256 string) string {
	return filepath.Join(dir, AudioDir, TimingsDir, audioSHA256+".json")
}

// Untimed describes a recording that has no valid timing map: the input an
// aligner needs to make one.
type Untimed struct {
	Slug        string
	Audio       string // path of the MP3
	AudioSHA256 string
	Episode     segment.Episode
	Reason      error
}

// agree checks that a sidecar describes this recording of this text.
func agree(m *timing.Map, e *Episode, audioSHA string, info audio.Info) error {
	if m.AudioSHA256 != audioSHA {
		return fmt.Errorf("audio_sha256 is %.12s…, the MP3's is %.12s… (re-run readcast narrate or align)", m.AudioSHA256, audioSHA)
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
		return fmt.Errorf("it times %d sentences, the text has %d in this episode (the text changed since the recording was timed)", len(m.Sentences), len(want))
	}
	for i, id := range want {
		if m.Sentences[i].ID != id {
			return fmt.Errorf("sentence %d is %s, the text has %s (the text changed since the recording was timed)", i+1, m.Sentences[i].ID, id)
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
		a := s.add(newMemAsset("/transcripts/"+contentName(slug, sha(body), f.ext), f.typ, body, modTime, true, true))
		e.Transcripts = append(e.Transcripts, Transcript{Format: f.format, Asset: a})
	}
	body, err := transcript.Chapters(doc)
	if err != nil {
		return fmt.Errorf("catalog: episode %s: chapters: %w", slug, err)
	}
	e.ChaptersDoc = s.add(newMemAsset("/chapters/"+contentName(slug, sha(body), ".json"), TypeChapters, body, modTime, true, true))
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
	s.Feed = s.add(newMemAsset(FeedPath, TypeFeed, body, fs.LastBuild, false, true))
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
