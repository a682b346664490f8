package player

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages renders the show's pages.
type Pages struct {
	show, episode *template.Template
}

// New parses the embedded templates.
func New() (*Pages, error) {
	funcs := template.FuncMap{"clock": Clock}
	parse := func(name string) (*template.Template, error) {
		t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("player: parse %s: %w", name, err)
		}
		return t, nil
	}
	var p Pages
	var err error
	if p.show, err = parse("show.html"); err != nil {
		return nil, err
	}
	if p.episode, err = parse("episode.html"); err != nil {
		return nil, err
	}
	return &p, nil
}

// Show is what the show page shows.
type Show struct {
	Title, Subtitle, Description, Author, Credit, Language string
	CoverURL, FeedURL, Link                                string
	Synthetic                                              bool
	Episodes                                               []EpisodeLink
}

// EpisodeLink is an episode in a list.
type EpisodeLink struct {
	Number   int
	Title    string
	URL      string
	Duration float64 // seconds; 0 when not recorded
	Chapters int
	Summary  string
}

// Episode is what the episode page shows.
type Episode struct {
	Show        Show
	Number      int
	Title       string
	AudioURL    string
	Duration    float64
	VTTURL      string
	Transcripts []Link
	Chapters    []Chapter
	// Transcript is the rendered HTML transcript, trusted: it is made by
	// internal/transcript, which escapes the text.
	Transcript template.HTML
	Prev, Next *EpisodeLink
	// Untimed says the recording has no timings yet.
	Untimed bool
}

// Link is a labelled URL.
type Link struct{ Label, URL, Type string }

// Chapter is a chapter in the episode page's list.
type Chapter struct {
	Title string
	Start float64
}

// RenderShow writes the show page.
func (p *Pages) RenderShow(w io.Writer, s Show) error { return render(w, p.show, s) }

// RenderEpisode writes an episode page.
func (p *Pages) RenderEpisode(w io.Writer, e Episode) error { return render(w, p.episode, e) }

// render executes into a buffer first, so a template error never leaves a
// half-written page behind a 200.
func render(w io.Writer, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return fmt.Errorf("player: render: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// Clock formats seconds as m:ss or h:mm:ss.
func Clock(sec float64) string {
	s := int(sec + 0.5)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
