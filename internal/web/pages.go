package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/player"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/transcript"
)

// pageCSP is the Content-Security-Policy of the pages: everything they load
// is their own (the player's script and stylesheet, the cover, the audio,
// the captions), and nothing runs inline.
const pageCSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

func (s *Server) handleShowPage(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, r, "/")
}

func (s *Server) handleEpisodePage(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, r, "/episodes/"+mux.Vars(r)["slug"])
}

// servePage answers with the page at path: gzip-encoded when the client
// accepts it, revalidated with its ETag (a new snapshot is a new page).
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, path string) {
	a, err := s.page(s.Snapshot(), path)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if a == nil {
		httpError(w, http.StatusNotFound, "no such page: "+path)
		return
	}
	s.serveAsset(w, r, a, pageFields)
}

// pageFields are the headers of every page besides Content-Type and the
// representation's: pages change with the show, so they are revalidated.
var pageFields = []field{
	newField("X-Content-Type-Options", "nosniff"),
	newField("Content-Security-Policy", pageCSP),
	newField("Referrer-Policy", "same-origin"),
	newField("Cache-Control", "no-cache"),
}

// pageTable is the pages of one snapshot by URL path.
type pageTable struct {
	snap  *catalog.Snapshot
	pages map[string]*catalog.Asset
}

// page returns the page of snap at a URL path ("/", "/episodes/<slug>"),
// or nil when there is none. The pages are rendered once per snapshot, by
// the first call for it, and served from memory until the snapshot is
// swapped.
func (s *Server) page(snap *catalog.Snapshot, path string) (*catalog.Asset, error) {
	t := s.pageTable.Load()
	if t == nil || t.snap != snap {
		var err error
		if t, err = s.renderPages(snap); err != nil {
			return nil, err
		}
	}
	return t.pages[path], nil
}

// renderPages renders every page of snap, once however many requests ask
// at the same time.
func (s *Server) renderPages(snap *catalog.Snapshot) (*pageTable, error) {
	s.renderMu.Lock()
	defer s.renderMu.Unlock()
	if t := s.pageTable.Load(); t != nil && t.snap == snap {
		return t, nil
	}
	show := showData(snap)
	episodes := make([]player.Episode, len(snap.Episodes))
	for i := range snap.Episodes {
		episodes[i] = episodeData(snap, show, i)
	}
	site, err := s.pages.BuildSite(show, episodes)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	t := &pageTable{snap: snap, pages: map[string]*catalog.Asset{"/": fromPlayer(site.Show, false)}}
	for slug, a := range site.Episodes {
		t.pages["/episodes/"+slug] = fromPlayer(a, false)
	}
	s.pageTable.Store(t)
	return t, nil
}

func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("render page", "path", r.URL.Path, "err", err)
	httpError(w, http.StatusInternalServerError, "this page could not be rendered")
}

func showData(snap *catalog.Snapshot) player.Show {
	sh := snap.Show
	base := basePath(snap.BaseURL)
	d := player.Show{
		Base:  base,
		Title: sh.Title, Subtitle: sh.Subtitle, Description: sh.Description, Author: sh.Author,
		Credit: sh.Credit, Language: sh.Language, Link: sh.Link,
		Narrator: sh.Narrator,
		CoverURL: base + snap.Cover.Path, FeedURL: snap.BaseURL + catalog.FeedPath,
	}
	// Disclosure follows the audio, not show.json: what is synthesized is
	// what readcast narrated. show.json's narrator names the synthesizer
	// when it says the show is synthetic, else the person who reads.
	switch snap.Disclosure() {
	case catalog.SynthesizedAll:
		d.Synthetic = true
	case catalog.SynthesizedSome:
		d.SomeSynthetic = true
	}
	if !sh.Synthetic {
		d.Reader = sh.Narrator
	}
	for _, e := range snap.Episodes {
		l := episodeLink(base, e)
		l.Synthetic = e.Synthetic(sh)
		d.Episodes = append(d.Episodes, l)
		if e.Audio != nil {
			d.Duration += e.Info.Duration
		}
	}
	return d
}

// basePath is the path of the base URL without its trailing slash.
func basePath(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

func episodeLink(base string, e *catalog.Episode) player.EpisodeLink {
	l := player.EpisodeLink{
		Number: e.Outline.Number, Title: e.Outline.Title, URL: base + "/episodes/" + e.Slug(),
		Chapters: len(e.Outline.Chapters), Summary: catalog.Summary(e.Outline, 240),
	}
	if e.Audio != nil {
		l.Duration = e.Info.Duration
	}
	return l
}

// episodeData is everything the page of snap.Episodes[i] shows.
func episodeData(snap *catalog.Snapshot, show player.Show, i int) player.Episode {
	e := snap.Episodes[i]
	// The page says synthesized only when this recording is.
	show.Synthetic, show.SomeSynthetic = e.Synthetic(snap.Show), false
	base := show.Base
	d := player.Episode{Show: show, Slug: e.Slug(), Number: e.Outline.Number, Title: e.Outline.Title}
	if i > 0 {
		l := episodeLink(base, snap.Episodes[i-1])
		d.Prev = &l
	}
	if i+1 < len(snap.Episodes) {
		l := episodeLink(base, snap.Episodes[i+1])
		d.Next = &l
	}
	if e.Audio != nil {
		d.AudioURL, d.AudioSize, d.Duration = base+e.Audio.Path, e.Audio.Size, e.Info.Duration
	}
	if e.ChaptersDoc != nil {
		d.ChaptersURL = base + e.ChaptersDoc.Path
	}
	labels := map[string]string{"vtt": "WebVTT", "srt": "SRT", "json": "JSON", "html": "HTML"}
	for _, t := range e.Transcripts {
		d.Transcripts = append(d.Transcripts, player.Link{Label: labels[t.Format], URL: base + t.Asset.Path, Type: t.Asset.Type})
		if t.Format == "vtt" {
			d.VTTURL = base + t.Asset.Path
		}
	}
	if e.Audio == nil || e.Timing == nil || e.Doc == nil {
		d.Untimed = e.Audio != nil
		d.Realigning = e.Realigning
		d.Sections = untimedSections(e.Outline)
		return d
	}
	d.Timed = true
	for _, c := range e.Chapters {
		d.Chapters = append(d.Chapters, player.Chapter{Title: c.Title, Start: c.Start, End: c.End})
	}
	d.Sections = timedSections(e)
	return d
}

// timedSections lays out the transcript of a timed episode: its chapters,
// their paragraphs, and every sentence and written word with its times. The
// words and their times are those of the episode's JSON transcript (one
// segment a written word, punctuation attached), so the page and the JSON
// agree to the millisecond.
func timedSections(e *catalog.Episode) []player.Section {
	m, doc := e.Timing, e.Doc
	words := sentenceWords(e)
	index := make(map[string]int, len(m.Sentences))
	for i, s := range m.Sentences {
		index[s.ID] = i
	}
	var sections []player.Section
	if len(doc.Chapters) == 0 {
		sections = append(sections, player.Section{})
	}
	for ci, c := range doc.Chapters {
		sections = append(sections, player.Section{Number: ci + 1, Title: c.Title, Start: c.Start})
	}
	sentence := func(id string) player.Sentence {
		i := index[id]
		s := m.Sentences[i]
		ps := player.Sentence{ID: s.ID, Start: s.Start, End: s.End, Text: s.Text}
		if words != nil {
			ps.Words = words[i]
		}
		return ps
	}
	for _, p := range doc.Paragraphs {
		if len(p.SentenceIDs) == 0 {
			continue
		}
		sec := &sections[min(p.Chapter, len(sections)-1)]
		first := sentence(p.SentenceIDs[0])
		if len(sec.Paragraphs) == 0 && sec.Heading == nil && saysTitle(p, first.Text, sec.Title) {
			sec.Heading = &first
			continue
		}
		para := player.Paragraph{Kind: p.Kind}
		for _, id := range p.SentenceIDs {
			para.Sentences = append(para.Sentences, sentence(id))
		}
		para.Start = para.Sentences[0].Start
		sec.Paragraphs = append(sec.Paragraphs, para)
	}
	return sections
}

// saysTitle reports whether paragraph p, whose first sentence is text, is a
// spoken heading that says title.
func saysTitle(p transcript.Paragraph, text, title string) bool {
	return p.Kind == segment.KindHeading && len(p.SentenceIDs) == 1 &&
		strings.EqualFold(strings.TrimSpace(text), strings.TrimSpace(title))
}

// sentenceWords returns the timed written words of each sentence of e's
// timing map, from its JSON transcript, or nil when the two do not line up
// (the page then highlights sentences only).
func sentenceWords(e *catalog.Episode) [][]player.Word {
	a := e.Transcript("json")
	if a == nil {
		return nil
	}
	segs, err := transcript.ParseJSON(a.Body)
	if err != nil {
		return nil
	}
	out := make([][]player.Word, len(e.Timing.Sentences))
	k := 0
	for i, s := range e.Timing.Sentences {
		tokens := strings.Fields(s.Text)
		if k+len(tokens) > len(segs) {
			return nil
		}
		ws := make([]player.Word, len(tokens))
		for j, tok := range tokens {
			seg := segs[k+j]
			if strings.TrimSpace(seg.Body) != tok {
				return nil
			}
			ws[j] = player.Word{Text: tok, Start: seg.Start, End: seg.End}
		}
		out[i] = ws
		k += len(tokens)
	}
	if k != len(segs) {
		return nil
	}
	return out
}

// untimedSections lays out the text of an episode that has no timings:
// chapters and paragraphs, without times.
func untimedSections(o segment.Episode) []player.Section {
	var sections []player.Section
	for _, c := range o.Chapters {
		sec := player.Section{Number: c.Number, Title: c.Title}
		for _, p := range c.Paragraphs {
			if len(sec.Paragraphs) == 0 && sec.Heading == nil && p.Kind == segment.KindHeading && len(p.Sentences) == 1 &&
				strings.EqualFold(strings.TrimSpace(p.Sentences[0].Text), strings.TrimSpace(c.Title)) {
				sec.Heading = &player.Sentence{ID: p.Sentences[0].ID, Text: p.Sentences[0].Text}
				continue
			}
			para := player.Paragraph{Kind: p.Kind}
			for _, s := range p.Sentences {
				para.Sentences = append(para.Sentences, player.Sentence{ID: s.ID, Text: s.Text})
			}
			sec.Paragraphs = append(sec.Paragraphs, para)
		}
		sections = append(sections, sec)
	}
	return sections
}
