package player

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/transcript"
)

//go:embed templates/*.html
var templateFS embed.FS

// Pages renders the show's pages and holds the player's static assets.
type Pages struct {
	show, episode *template.Template
	static        map[string]*catalog.Asset // by URL path
	staticByName  map[string]*catalog.Asset // by file name
}

// New parses the embedded templates and fingerprints the static assets.
func New() (*Pages, error) {
	p := &Pages{}
	var err error
	if p.static, p.staticByName, err = loadStatic(); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset":     p.assetURL,
		"clock":     Clock,
		"sec":       seconds,
		"iso":       isoDuration,
		"plural":    plural,
		"subscribe": SubscribeLinks,
		"megabytes": func(n int64) string { return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB" },
		"add":       func(a, b int) int { return a + b },
		"minutes":   minutes,
		"timelink":  func(audio string, start float64) timeLink { return timeLink{audio, start} },
		"words":     wordViews,
		"echoes":    echoes,
		"dir":       transcript.Direction,
		"para": func(audio string, timed bool, p Paragraph) paragraphView {
			return paragraphView{Audio: audio, Timed: timed, Paragraph: p}
		},
	}
	parse := func(name string) (*template.Template, error) {
		t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("player: parse %s: %w", name, err)
		}
		return t, nil
	}
	if p.show, err = parse("show.html"); err != nil {
		return nil, err
	}
	if p.episode, err = parse("episode.html"); err != nil {
		return nil, err
	}
	return p, nil
}

// page is what the base template gets: the show, and the episode on an
// episode page.
type page struct {
	Show    *Show
	Episode *Episode
}

// timeLink is a link into the audio at a time, for the "timelink" template.
type timeLink struct {
	Audio string
	Start float64
}

// paragraphView is a paragraph with what the "paragraph" template needs of
// its episode.
type paragraphView struct {
	Audio     string
	Timed     bool
	Paragraph Paragraph
}

// wordView is a word as the page writes it: its end is left out (End is
// empty) when it is implied, the start of the next word or, for the last
// word, the end of the sentence. That is most words, and it keeps the
// transcript's markup small; the script reads the same rule back.
type wordView struct {
	Text, Start, End string
}

func wordViews(s Sentence) []wordView {
	out := make([]wordView, len(s.Words))
	for i, w := range s.Words {
		next := s.End
		if i+1 < len(s.Words) {
			next = s.Words[i+1].Start
		}
		out[i] = wordView{Text: w.Text, Start: seconds(w.Start)}
		if end := seconds(w.End); end != seconds(next) {
			out[i].End = end
		}
	}
	return out
}

// RenderShow writes the show page.
func (p *Pages) RenderShow(w io.Writer, s Show) error {
	return render(w, p.show, page{Show: &s})
}

// RenderEpisode writes an episode page.
func (p *Pages) RenderEpisode(w io.Writer, e Episode) error {
	return render(w, p.episode, page{Show: &e.Show, Episode: &e})
}

// render executes into a buffer first, so a template error never leaves a
// half-written page behind a 200. Control characters in the show's text
// (html/template escapes markup, not them) are dropped.
func render(w io.Writer, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return fmt.Errorf("player: render: %w", err)
	}
	_, err := w.Write(transcript.DropControlBytes(buf.Bytes()))
	return err
}

// Clock formats seconds as m:ss or h:mm:ss, rounded down as a player's clock
// is: 59.9 s is still "0:59".
func Clock(sec float64) string {
	if !(sec > 0) {
		sec = 0
	}
	s := int(math.Floor(sec + 1e-6))
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// seconds formats a time for a data attribute or a media fragment: seconds
// to the millisecond, without trailing zeros ("83.45", "0").
func seconds(sec float64) string {
	if !(sec > 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(sec*1000)/1000, 'f', -1, 64)
}

// minutes formats a length for people: "18 min", "1 h 05 min".
func minutes(sec float64) string {
	m := int(math.Round(sec / 60))
	if m >= 60 {
		return fmt.Sprintf("%d h %02d min", m/60, m%60)
	}
	return strconv.Itoa(max(m, 1)) + " min"
}

// isoDuration formats seconds as an HTML duration for <time datetime>, to
// the millisecond: "PT2M57.059S".
func isoDuration(sec float64) string {
	ms := int64(math.Round(max(sec, 0) * 1000))
	s := ms / 1000
	out := "PT"
	if s >= 3600 {
		out += strconv.FormatInt(s/3600, 10) + "H"
	}
	if s >= 60 {
		out += strconv.FormatInt(s/60%60, 10) + "M"
	}
	return out + strconv.FormatFloat(float64(s%60)+float64(ms%1000)/1000, 'f', -1, 64) + "S"
}

// plural writes a count with its noun: "1 chapter", "5 chapters".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// echoes says whether a chapter's title only repeats the opening of the
// sentence under it (a title the outline took from the text, "So we
// carried water in buckets…"). The transcript then marks the chapter
// without a visible heading, rather than say the sentence twice in a row;
// the chapter list still names it.
func echoes(s Section) bool {
	if s.Heading != nil || len(s.Paragraphs) == 0 || len(s.Paragraphs[0].Sentences) == 0 {
		return false
	}
	return s.Title == segment.TitleFrom(s.Paragraphs[0].Sentences[0].Text)
}
