package feed

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is wrapped by Build's error when the show or its episodes
// break a rule of Apple Podcasts, the W3C feed validator or the Podcasting
// 2.0 namespace. The error's text lists every problem, one a line.
var ErrInvalid = errors.New("invalid show or episodes")

// Limits Apple and the W3C feed validator set.
const (
	maxShortText   = 255  // characters: itunes:author, itunes:subtitle, itunes:name
	maxDescription = 4000 // bytes: channel and item description
)

// language is an ISO 639 code with optional subtags ("en", "en-us").
var language = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$`)

// validate checks s and eps, whose HTML descriptions are descs, and
// returns every problem it finds, wrapped with ErrInvalid, or nil.
func validate(s Show, eps []Episode, descs []string) error {
	var p problems
	validateShow(&p, s, eps)
	for i, e := range eps {
		validateEpisode(&p, s, i, e, descs[i])
	}
	validateEpisodes(&p, s, eps)
	if len(p) == 0 {
		return nil
	}
	noun := "problems"
	if len(p) == 1 {
		noun = "problem"
	}
	return fmt.Errorf("feed: %w (%d %s):\n%w", ErrInvalid, len(p), noun, errors.Join(p...))
}

// problems collects what is wrong, each prefixed by where it is.
type problems []error

func (p *problems) add(where place, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
}

// place is where a problem is: the show, an episode, or an element of one
// of an episode's lists. It is formatted only when there is a problem.
type place struct {
	episode int    // counting from 1; 0 is the show
	guid    string // the episode's, when known
	list    string // "Chapters" or "Transcripts", or ""
	index   int    // in list
}

func (pl place) String() string {
	if pl.episode == 0 {
		return "show"
	}
	s := "episode " + strconv.Itoa(pl.episode)
	if pl.guid != "" {
		s += " (GUID " + strconv.Quote(pl.guid) + ")"
	}
	if pl.list != "" {
		s += ": " + pl.list + "[" + strconv.Itoa(pl.index) + "]"
	}
	return s
}

func validateShow(p *problems, s Show, eps []Episode) {
	w := place{}
	required(p, w, "Title", s.Title)
	required(p, w, "Description", s.Description)
	required(p, w, "Author", s.Author)
	required(p, w, "OwnerName", s.OwnerName)
	short(p, w, "Author", s.Author)
	short(p, w, "OwnerName", s.OwnerName)
	short(p, w, "Subtitle", s.Subtitle)
	if n := len(channelDescription(s, eps)); n > maxDescription {
		p.add(w, "Description is %d bytes with the disclosure; Apple allows %d", n, maxDescription)
	}
	if !language.MatchString(s.Language) {
		p.add(w, "Language %q is not an ISO 639 code such as \"en\" or \"en-us\"", s.Language)
	}
	if err := email(s.OwnerEmail); err != nil {
		p.add(w, "OwnerEmail: %v", err)
	}
	if len(s.Categories) == 0 {
		p.add(w, "Categories: at least one Apple Podcasts category is required")
	}
	for i, c := range s.Categories {
		if err := c.Validate(); err != nil {
			p.add(w, "Categories[%d]: %v", i, err)
		}
	}
	if s.Type != "serial" && s.Type != "episodic" {
		p.add(w, "Type %q must be \"serial\" or \"episodic\"", s.Type)
	}
	absolute(p, w, "Link", s.Link)
	absolute(p, w, "FeedURL", s.FeedURL)
	artwork(p, w, "ImageURL", s.ImageURL, true)
	if s.GUID != "" && !isUUID(s.GUID) {
		p.add(w, "GUID %q is not a UUID", s.GUID)
	}
	if s.LastBuild.IsZero() {
		p.add(w, "LastBuild is required (Build never reads the clock)")
	}
}

// validateEpisode checks episode i, e, whose HTML description is desc.
func validateEpisode(p *problems, s Show, i int, e Episode, desc string) {
	w := place{episode: i + 1, guid: e.GUID}
	switch {
	case strings.TrimSpace(e.GUID) == "":
		p.add(w, "GUID is required")
	case strings.Contains(e.GUID, "://") || e.GUID == e.Enclosure.URL:
		p.add(w, "GUID %q is a URL; an item GUID must not change when the host or the file does", e.GUID)
	}
	required(p, w, "Title", e.Title)
	if strings.TrimSpace(e.Summary) == "" && strings.TrimSpace(e.DescriptionHTML) == "" {
		p.add(w, "Summary or DescriptionHTML is required")
	} else if n := len(desc); n > maxDescription {
		p.add(w, "description is %d bytes with the chapter list; Apple allows %d", n, maxDescription)
	}
	validateNumber(p, w, s, e)
	if e.Published.IsZero() {
		p.add(w, "Published is required")
	}
	if durationSeconds(e.Duration) < 1 {
		p.add(w, "Duration %v must be at least 1 s (itunes:duration is whole seconds)", e.Duration)
	}
	validateEnclosure(p, w, e.Enclosure)
	if e.Link != "" {
		absolute(p, w, "Link", e.Link)
	}
	artwork(p, w, "ImageURL", e.ImageURL, false)
	validateChapters(p, w, e)
	if e.ChaptersURL != "" {
		absolute(p, w, "ChaptersURL", e.ChaptersURL)
	}
	for j, t := range e.Transcripts {
		validateTranscript(p, place{episode: w.episode, guid: w.guid, list: "Transcripts", index: j}, t)
	}
}

// validateNumber checks the episode's type and its number, which a full
// episode of a serial show needs.
func validateNumber(p *problems, w place, s Show, e Episode) {
	switch e.Type {
	case "", "full":
		if e.Number <= 0 && (s.Type == "serial" || e.Number < 0) {
			p.add(w, "Number %d must be a positive integer (itunes:episode counts from 1)", e.Number)
		}
	case "trailer", "bonus":
		if e.Number < 0 {
			p.add(w, "Number %d must be a positive integer, or 0 for none", e.Number)
		}
	default:
		p.add(w, "Type %q must be \"full\", \"trailer\" or \"bonus\"", e.Type)
	}
}

// validateEnclosure checks the audio file's URL, size and type.
func validateEnclosure(p *problems, w place, enc Enclosure) {
	absolute(p, w, "Enclosure.URL", enc.URL)
	if enc.Length <= 0 {
		p.add(w, "Enclosure.Length %d must be the file's exact size in bytes", enc.Length)
	}
	if _, ok := enclosureTypes[enc.Type]; !ok {
		p.add(w, "Enclosure.Type %q is not one Apple accepts (%s)", enc.Type, strings.Join(sortedKeys(enclosureTypes), ", "))
	}
}

// validateChapters checks that each chapter has a title and starts inside
// the audio, after the one before.
func validateChapters(p *problems, w place, e Episode) {
	for j, c := range e.Chapters {
		cw := place{episode: w.episode, guid: w.guid, list: "Chapters", index: j}
		required(p, cw, "Title", c.Title)
		switch {
		case c.Start < 0:
			p.add(cw, "Start %v is negative", c.Start)
		case c.Start >= e.Duration && e.Duration > 0:
			p.add(cw, "Start %v is not before the end of the audio (%v)", c.Start, e.Duration)
		case j > 0 && c.Start <= e.Chapters[j-1].Start:
			p.add(cw, "Start %v is not after the previous chapter's (%v)", c.Start, e.Chapters[j-1].Start)
		}
	}
}

// validateTranscript checks a transcript link at tw: an absolute URL, a
// known type, rel="captions" only on timed formats, and its language.
func validateTranscript(p *problems, tw place, t Transcript) {
	absolute(p, tw, "URL", t.URL)
	if !transcriptTypes[t.Type] {
		p.add(tw, "Type %q is not a transcript type (%s)", t.Type, strings.Join(sortedKeys(transcriptTypes), ", "))
	}
	switch {
	case t.Rel != "" && t.Rel != RelCaptions:
		p.add(tw, "Rel %q must be empty or %q", t.Rel, RelCaptions)
	case t.Rel == RelCaptions && transcriptTypes[t.Type] && !timedTypes[t.Type]:
		p.add(tw, "Rel %q marks time codes, which %s has not", t.Rel, t.Type)
	}
	if t.Language != "" && !language.MatchString(t.Language) {
		p.add(tw, "Language %q is not an ISO 639 code", t.Language)
	}
}

// validateEpisodes checks what holds between episodes: unique GUIDs,
// enclosure URLs and full-episode numbers, and pubDates in episode order.
func validateEpisodes(p *problems, s Show, eps []Episode) {
	guids := make(map[string]int)
	urls := make(map[string]int)
	numbers := make(map[int]int)
	var numbered []int // indexes of numbered episodes
	for i, e := range eps {
		w := place{episode: i + 1}
		if j, ok := guids[e.GUID]; ok && e.GUID != "" {
			p.add(w, "GUID %q is also episode %d's", e.GUID, j+1)
		}
		guids[e.GUID] = i
		if j, ok := urls[e.Enclosure.URL]; ok && e.Enclosure.URL != "" {
			p.add(w, "Enclosure.URL %q is also episode %d's; apps ignore a reused URL", e.Enclosure.URL, j+1)
		}
		urls[e.Enclosure.URL] = i
		if e.Number > 0 && episodeType(e) == "full" {
			if j, ok := numbers[e.Number]; ok {
				p.add(w, "Number %d is also episode %d's", e.Number, j+1)
			}
			numbers[e.Number] = i
			numbered = append(numbered, i)
		}
	}
	sort.SliceStable(numbered, func(a, b int) bool { return eps[numbered[a]].Number < eps[numbered[b]].Number })
	for k := 1; k < len(numbered); k++ {
		a, b := eps[numbered[k-1]], eps[numbered[k]]
		if a.Number != b.Number && !b.Published.After(a.Published) && !a.Published.IsZero() && !b.Published.IsZero() {
			p.add(place{episode: numbered[k] + 1},
				"Published %s is not after episode number %d's (%s); apps that sort by date would play them out of order",
				b.Published.UTC().Format(timeFormat), a.Number, a.Published.UTC().Format(timeFormat))
		}
	}
}

// timeFormat is how problems show times.
const timeFormat = "2006-01-02 15:04:05Z07:00"

func required(p *problems, where place, field, v string) {
	if strings.TrimSpace(v) == "" {
		p.add(where, "%s is required", field)
	}
}

func short(p *problems, where place, field, v string) {
	if n := utf8.RuneCountInString(v); n > maxShortText {
		p.add(where, "%s is %d characters; Apple allows %d", field, n, maxShortText)
	}
}

// absolute checks that v is an absolute http or https URL.
func absolute(p *problems, where place, field, v string) {
	if v == "" {
		p.add(where, "%s is required", field)
		return
	}
	u, err := url.Parse(v)
	if err != nil {
		p.add(where, "%s %q is not a URL: %v", field, v, err)
		return
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add(where, "%s %q is not an absolute http(s) URL", field, v)
	}
}

// artwork checks an image URL: absolute, and named .jpg, .jpeg or .png, as
// Apple asks (the name must match the file's format).
func artwork(p *problems, where place, field, v string, needed bool) {
	if v == "" && !needed {
		return
	}
	absolute(p, where, field, v)
	u, err := url.Parse(v)
	if err != nil || v == "" {
		return
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png":
	default:
		p.add(where, "%s %q must name a .jpg or .png file", field, v)
	}
}

// email checks that v is a bare email address.
func email(v string) error {
	if v == "" {
		return errors.New("an email address is required")
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v {
		return fmt.Errorf("%q is not a bare email address", v)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
