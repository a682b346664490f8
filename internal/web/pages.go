package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/player"
)

func showData(snap *catalog.Snapshot) player.Show {
	sh := snap.Show
	d := player.Show{
		Title: sh.Title, Subtitle: sh.Subtitle, Description: sh.Description, Author: sh.Author,
		Credit: sh.Credit, Language: sh.Language, Link: sh.Link, Synthetic: sh.Synthetic,
		CoverURL: snap.Cover.Path, FeedURL: snap.BaseURL + catalog.FeedPath,
	}
	for _, e := range snap.Episodes {
		d.Episodes = append(d.Episodes, episodeLink(e))
	}
	return d
}

func episodeLink(e *catalog.Episode) player.EpisodeLink {
	l := player.EpisodeLink{Number: e.Outline.Number, Title: e.Outline.Title, URL: "/episodes/" + e.Slug(), Chapters: len(e.Outline.Chapters)}
	if e.Audio != nil {
		l.Duration = e.Info.Duration
	}
	return l
}

func (s *Server) handleShowPage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, r, func(p *player.Pages, buf *bytes.Buffer) error {
		return p.RenderShow(buf, showData(s.Snapshot()))
	})
}

func (s *Server) handleEpisodePage(w http.ResponseWriter, r *http.Request) {
	snap := s.Snapshot()
	e, err := snap.Episode(mux.Vars(r)["slug"])
	if errors.Is(err, catalog.ErrNotFound) {
		httpError(w, http.StatusNotFound, "no such episode: "+mux.Vars(r)["slug"])
		return
	}
	d := player.Episode{Show: showData(snap), Number: e.Outline.Number, Title: e.Outline.Title}
	if e.Audio != nil {
		d.AudioURL, d.Duration = e.Audio.Path, e.Info.Duration
	}
	d.Untimed = e.Audio != nil && e.Timing == nil
	for _, c := range e.Chapters {
		d.Chapters = append(d.Chapters, player.Chapter{Title: c.Title, Start: c.Start})
	}
	labels := map[string]string{"vtt": "WebVTT", "srt": "SRT", "json": "JSON", "html": "HTML"}
	for _, t := range e.Transcripts {
		d.Transcripts = append(d.Transcripts, player.Link{Label: labels[t.Format], URL: t.Asset.Path, Type: t.Asset.Type})
		if t.Format == "vtt" {
			d.VTTURL = t.Asset.Path
		}
		if t.Format == "html" {
			d.Transcript = template.HTML(article(t.Asset.Body))
		}
	}
	for i, other := range snap.Episodes {
		if other != e {
			continue
		}
		if i > 0 {
			l := episodeLink(snap.Episodes[i-1])
			d.Prev = &l
		}
		if i+1 < len(snap.Episodes) {
			l := episodeLink(snap.Episodes[i+1])
			d.Next = &l
		}
	}
	s.renderPage(w, r, func(p *player.Pages, buf *bytes.Buffer) error { return p.RenderEpisode(buf, d) })
}

// article cuts the <article> out of a standalone HTML transcript.
func article(doc []byte) []byte {
	i := bytes.Index(doc, []byte("<article"))
	j := bytes.LastIndex(doc, []byte("</article>"))
	if i < 0 || j < i {
		return nil
	}
	return doc[i : j+len("</article>")]
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, render func(*player.Pages, *bytes.Buffer) error) {
	var buf bytes.Buffer
	if err := render(s.pages, &buf); err != nil {
		s.log.Error("render page", "path", r.URL.Path, "err", err)
		httpError(w, http.StatusInternalServerError, "this page could not be rendered")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", s.Snapshot().Feed.ModTime, bytes.NewReader(buf.Bytes()))
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	snap := s.Snapshot()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	recorded := 0
	for _, e := range snap.Episodes {
		if e.Audio != nil {
			recorded++
		}
	}
	fmt.Fprintf(w, "ok: %d of %d episodes recorded, %d problems\n", recorded, len(snap.Episodes), len(snap.Problems))
}
