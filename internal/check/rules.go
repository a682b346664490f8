package check

import (
	"fmt"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/readcast/readcast/feed"
)

// Types of the files a feed links to, as Podcasting 2.0 names them.
const (
	typeChapters = feed.TypeChapters
	relCaptions  = feed.RelCaptions
)

// timedTypes are the transcript formats with time codes, which must be
// marked rel="captions"; srt has two names in the wild.
var timedTypes = map[string]bool{
	feed.TypeVTT: true, feed.TypeSRT: true, "application/srt": true, feed.TypeJSON: true,
}

// transcriptTypes are every transcript format the namespace names.
var transcriptTypes = map[string]bool{
	feed.TypeVTT: true, feed.TypeSRT: true, "application/srt": true, feed.TypeJSON: true,
	feed.TypeHTML: true, feed.TypeText: true,
}

// enclosureTypes are the MIME types Apple Podcasts accepts.
var enclosureTypes = []string{
	"application/pdf", "audio/mpeg", "audio/x-m4a", "video/mp4", "video/quicktime", "video/x-m4v",
}

// language is an ISO 639 code with optional subtags ("en", "en-us").
var language = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$`)

// durationForm is the W3C feed validator's itunes:duration: seconds, or
// M:SS or H:MM:SS, never with a decimal part.
var durationForm = regexp.MustCompile(`^[0-9]+(:[0-5][0-9](:[0-5][0-9])?)?$`)

// uuidForm is the 8-4-4-4-12 hex form of a UUID.
var uuidForm = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// checkChannel checks the channel's own tags; feedURL is the URL the feed
// was fetched from.
func checkChannel(f *findings, c *channel, feedURL string) {
	checkChannelRSS(f, c)
	checkShowImage(f, c)
	checkCategories(f, c)
	checkChannelITunes(f, c)
	checkSelfLink(f, c, feedURL)
	checkPodcastGUID(f, c, feedURL)
	checkLocked(f, c)
	if len(c.items) == 0 {
		f.fail("", "the feed has no <item>")
	}
}

// checkChannelRSS checks the RSS version and the channel's RSS elements.
func checkChannelRSS(f *findings, c *channel) {
	if c.version.value != "2.0" {
		f.fail("", "rss version %q is not \"2.0\"", c.version.value)
	}
	required(f, "<title>", c.title)
	required(f, "<description>", c.description)
	switch {
	case !c.language.ok || c.language.value == "":
		f.fail("", "<language> is missing; Apple requires it")
	case !language.MatchString(c.language.value):
		f.fail("", "<language> %q is not an ISO 639 code such as \"en\" or \"en-us\"", c.language.value)
	}
	if required(f, "<link>", c.link) {
		absolute(f, "<link>", c.link.value)
	}
}

// checkShowImage checks the show's artwork link.
func checkShowImage(f *findings, c *channel) {
	switch {
	case !c.image.ok || c.image.value == "":
		f.fail("", "itunes:image with an href is missing; Apple requires show artwork")
	case absolute(f, "itunes:image href", c.image.value):
		if u, _ := url.Parse(c.image.value); u != nil {
			switch strings.ToLower(path.Ext(u.Path)) {
			case ".jpg", ".jpeg", ".png":
			default:
				f.warn(c.image.value, "itunes:image href does not end in .jpg or .png, as Apple asks")
			}
		}
	}
}

// checkCategories checks itunes:category against Apple's list.
func checkCategories(f *findings, c *channel) {
	if len(c.categories) == 0 {
		f.fail("", "itunes:category is missing; Apple requires a category from its list")
	}
	for _, cat := range c.categories {
		if !cat.text.ok || cat.text.value == "" {
			f.fail("", "itunes:category has no text attribute")
			continue
		}
		subs := cat.subs
		if len(subs) == 0 {
			subs = []optional{{}}
		}
		for _, sub := range subs {
			if err := (feed.Category{Name: cat.text.value, Sub: sub.value}).Validate(); err != nil {
				f.fail("", "itunes:category: %v", err)
			}
		}
	}
}

// checkChannelITunes checks the itunes: tags Apple requires or reads:
// explicit, owner, author and type.
func checkChannelITunes(f *findings, c *channel) {
	switch {
	case !c.explicit.ok:
		f.fail("", "itunes:explicit is missing; Apple requires \"true\" or \"false\"")
	case c.explicit.value != "true" && c.explicit.value != "false":
		f.fail("", "itunes:explicit %q must be \"true\" or \"false\"", c.explicit.value)
	}
	switch {
	case !c.owner:
		f.fail("", "itunes:owner is missing; Apple requires it, with an itunes:email")
	case !c.ownerEmail.ok || c.ownerEmail.value == "":
		f.fail("", "itunes:owner has no itunes:email")
	case !isEmail(c.ownerEmail.value):
		f.fail("", "itunes:owner's itunes:email %q is not an email address", c.ownerEmail.value)
	}
	required(f, "itunes:author", c.author)
	switch {
	case !c.typ.ok:
		f.warn("", "itunes:type is missing; apps take the show as episodic")
	case c.typ.value != "episodic" && c.typ.value != "serial":
		f.fail("", "itunes:type %q must be \"episodic\" or \"serial\"", c.typ.value)
	}
}

// checkSelfLink checks that atom:link rel="self" names the URL fetched.
func checkSelfLink(f *findings, c *channel, feedURL string) {
	switch {
	case len(c.selfLinks) == 0:
		f.fail("", "atom:link rel=\"self\" is missing; it must give the feed's URL, %s", feedURL)
	case !contains(c.selfLinks, feedURL):
		f.fail("", "atom:link rel=\"self\" is %s, not the URL fetched, %s", c.selfLinks[0], feedURL)
	}
	if len(c.selfLinks) > 1 {
		f.warn("", "%d atom:link rel=\"self\" elements; a feed has one", len(c.selfLinks))
	}
}

// checkPodcastGUID checks podcast:guid: a UUID, normally the UUIDv5 of the
// feed's URL.
func checkPodcastGUID(f *findings, c *channel, feedURL string) {
	switch {
	case !c.guid.ok:
		f.warn("", "podcast:guid is missing")
	case !uuidForm.MatchString(c.guid.value):
		f.fail("", "podcast:guid %q is not a UUID", c.guid.value)
	case !strings.EqualFold(c.guid.value, feed.GUID(feedURL)):
		f.warn("", "podcast:guid %s is not the UUIDv5 of this feed's URL (%s); right only if the show moved here", c.guid.value, feed.GUID(feedURL))
	}
}

// checkLocked checks podcast:locked and its owner.
func checkLocked(f *findings, c *channel) {
	switch {
	case !c.locked.ok:
		f.warn("", "podcast:locked is missing; other platforms may import the show")
		return
	case c.locked.value != "yes" && c.locked.value != "no":
		f.fail("", "podcast:locked %q must be \"yes\" or \"no\"", c.locked.value)
	}
	switch {
	case !c.lockedOwner.ok || c.lockedOwner.value == "":
		f.fail("", "podcast:locked has no owner attribute; importers such as Partytime ignore it without one")
	case !isEmail(c.lockedOwner.value):
		f.fail("", "podcast:locked owner %q is not an email address", c.lockedOwner.value)
	}
}

// facts are an item's values once they have passed their checks; ok
// fields say which did.
type facts struct {
	length      int64 // enclosure length
	lengthOK    bool
	duration    int64 // itunes:duration, seconds
	durationOK  bool
	number      int // itunes:episode
	numberOK    bool
	full        bool // itunes:episodeType full
	published   time.Time
	publishedOK bool
	urlOK       bool // enclosure URL is absolute http(s)
	psc         []float64
	pscOK       bool
}

// checkItem checks one item's own tags; serial is whether the show is.
func checkItem(f *findings, it item, serial bool) facts {
	var x facts
	required(f, "<title>", it.title)
	if !it.guid.ok || it.guid.value == "" {
		f.fail("", "<guid> is missing; apps tell episodes apart by it")
	}
	checkEnclosure(f, it, &x)
	checkDuration(f, it, &x)
	checkEpisodeNumber(f, it, serial, &x)
	checkPubDate(f, it, &x)
	if it.explicit.ok && it.explicit.value != "true" && it.explicit.value != "false" {
		f.fail("", "itunes:explicit %q must be \"true\" or \"false\"", it.explicit.value)
	}
	if it.image.ok && it.image.value != "" {
		absolute(f, "itunes:image href", it.image.value)
	}
	for _, t := range it.transcripts {
		checkTranscriptLink(f, t)
	}
	if it.chapters != nil {
		checkChaptersLink(f, it.chapters)
	}
	if it.pscPresent {
		checkPSC(f, it, &x)
	}
	return x
}

// checkEnclosure checks the enclosure's url, length and type.
func checkEnclosure(f *findings, it item, x *facts) {
	if !it.enclosure {
		f.fail("", "<enclosure> is missing")
		return
	}
	if !it.encURL.ok || it.encURL.value == "" {
		f.fail("", "enclosure has no url")
	} else {
		x.urlOK = absolute(f, "enclosure url", it.encURL.value)
	}
	n, err := strconv.ParseInt(it.encLength.value, 10, 64)
	if err != nil || n <= 0 {
		f.fail(it.encURL.value, "enclosure length %q is not a positive integer (the file's size in bytes)", it.encLength.value)
	} else {
		x.length, x.lengthOK = n, true
	}
	switch {
	case !it.encType.ok || it.encType.value == "":
		f.fail(it.encURL.value, "enclosure has no type")
	case !contains(enclosureTypes, it.encType.value):
		f.fail(it.encURL.value, "enclosure type %q is not one Apple accepts (%s)", it.encType.value, strings.Join(enclosureTypes, ", "))
	}
}

// checkDuration checks itunes:duration.
func checkDuration(f *findings, it item, x *facts) {
	if !it.duration.ok {
		f.fail("", "itunes:duration is missing")
	} else if d, err := parseDuration(it.duration.value); err != nil {
		f.fail("", "%v", err)
	} else if d <= 0 {
		f.fail("", "itunes:duration %q is not positive", it.duration.value)
	} else {
		x.duration, x.durationOK = d, true
	}
}

// checkEpisodeNumber checks itunes:episodeType and itunes:episode, which a
// serial show's full episodes need.
func checkEpisodeNumber(f *findings, it item, serial bool, x *facts) {
	x.full = true
	if it.episodeType.ok {
		switch it.episodeType.value {
		case "full":
		case "trailer", "bonus":
			x.full = false
		default:
			f.fail("", "itunes:episodeType %q must be \"full\", \"trailer\" or \"bonus\"", it.episodeType.value)
		}
	}
	switch {
	case it.episode.ok:
		n, err := strconv.Atoi(it.episode.value)
		if err != nil || n <= 0 {
			f.fail("", "itunes:episode %q is not a positive integer", it.episode.value)
		} else {
			x.number, x.numberOK = n, true
		}
	case serial && x.full:
		f.fail("", "itunes:episode is missing; a serial show numbers every full episode")
	}
}

// checkPubDate checks pubDate, and that its weekday is the date's.
func checkPubDate(f *findings, it item, x *facts) {
	if !it.pubDate.ok || it.pubDate.value == "" {
		f.fail("", "<pubDate> is missing")
		return
	}
	t, err := parseDate(it.pubDate.value)
	if err != nil {
		f.fail("", "%v", err)
		return
	}
	x.published, x.publishedOK = t, true
	if wd, _, ok := strings.Cut(it.pubDate.value, ","); ok && len(wd) == 3 && wd != t.Weekday().String()[:3] {
		f.warn("", "<pubDate> %q says %s, but that day is a %s", it.pubDate.value, wd, t.Weekday())
	}
}

// checkTranscriptLink checks one podcast:transcript: its url, a type apps
// know, rel="captions" exactly on the timed formats, and its language.
func checkTranscriptLink(f *findings, t transcriptLink) {
	switch {
	case !t.url.ok || t.url.value == "":
		f.fail("", "podcast:transcript has no url")
	default:
		absolute(f, "podcast:transcript url", t.url.value)
	}
	switch {
	case !t.typ.ok || t.typ.value == "":
		f.fail(t.url.value, "podcast:transcript has no type")
	case !transcriptTypes[t.typ.value]:
		f.fail(t.url.value, "podcast:transcript type %q is not a transcript type apps know (text/vtt, application/x-subrip, application/json, text/html, text/plain)", t.typ.value)
	case timedTypes[t.typ.value] && t.rel.value != relCaptions:
		f.fail(t.url.value, "podcast:transcript of type %s has no rel=\"captions\"; apps show only those as captions", t.typ.value)
	case !timedTypes[t.typ.value] && t.rel.value == relCaptions:
		f.fail(t.url.value, "podcast:transcript of type %s is marked rel=\"captions\" but has no time codes", t.typ.value)
	}
	if t.language.ok && !language.MatchString(t.language.value) {
		f.warn(t.url.value, "podcast:transcript language %q is not an ISO 639 code", t.language.value)
	}
}

// checkChaptersLink checks podcast:chapters: an absolute url and the JSON
// chapters type.
func checkChaptersLink(f *findings, c *chaptersLink) {
	if !c.url.ok || c.url.value == "" {
		f.fail("", "podcast:chapters has no url")
	} else {
		absolute(f, "podcast:chapters url", c.url.value)
	}
	if c.typ.value != typeChapters {
		f.fail(c.url.value, "podcast:chapters type %q is not %q", c.typ.value, typeChapters)
	}
}

// checkPSC checks each psc:chapter's start and title, and collects the
// starts into x.
func checkPSC(f *findings, it item, x *facts) {
	x.pscOK = true
	for i, c := range it.psc {
		s, err := parseNPT(c.start.value)
		if err != nil {
			f.fail("", "psc:chapter %d start %q is not a time like 00:01:02.500", i+1, c.start.value)
			x.pscOK = false
		}
		if !c.title.ok || c.title.value == "" {
			f.fail("", "psc:chapter %d has no title", i+1)
		}
		x.psc = append(x.psc, s)
	}
}

// checkItems checks what holds between items: unique GUIDs, enclosure URLs
// and episode numbers, and, in a serial show, pubDates in episode order
// (apps that sort by date would play them out of order otherwise). fs and
// xs are each item's findings and facts.
func checkItems(fs []*findings, items []item, xs []facts, serial bool) {
	guids := map[string]int{}
	urls := map[string]int{}
	numbers := map[int]int{}
	var numbered []int
	for i, it := range items {
		if g := it.guid.value; g != "" {
			if j, ok := guids[g]; ok {
				fs[i].fail("", "<guid> %q is also episode %d's; apps would take them for one episode", g, j)
			} else {
				guids[g] = it.n
			}
		}
		if u := it.encURL.value; u != "" {
			if j, ok := urls[u]; ok {
				fs[i].fail(u, "enclosure url is also episode %d's", j)
			} else {
				urls[u] = it.n
			}
		}
		if xs[i].numberOK && xs[i].full {
			if j, ok := numbers[xs[i].number]; ok {
				fs[i].fail("", "itunes:episode %d is also episode %d's", xs[i].number, j)
			} else {
				numbers[xs[i].number] = it.n
				numbered = append(numbered, i)
			}
		}
	}
	if !serial {
		return
	}
	sort.SliceStable(numbered, func(a, b int) bool { return xs[numbered[a]].number < xs[numbered[b]].number })
	for k := 1; k < len(numbered); k++ {
		a, b := xs[numbered[k-1]], xs[numbered[k]]
		if a.publishedOK && b.publishedOK && !b.published.After(a.published) {
			fs[numbered[k]].fail("", "<pubDate> %s is not after itunes:episode %d's (%s); apps that sort by date would play them out of order",
				b.published.UTC().Format(time.RFC1123Z), a.number, a.published.UTC().Format(time.RFC1123Z))
		}
	}
}

// parseDuration reads itunes:duration in seconds, as the W3C feed validator
// accepts it: whole seconds, or M:SS or H:MM:SS.
func parseDuration(s string) (int64, error) {
	if !durationForm.MatchString(s) {
		if strings.Contains(s, ".") {
			return 0, fmt.Errorf("itunes:duration %q has a decimal part; Apple and the W3C feed validator want whole seconds", s)
		}
		return 0, fmt.Errorf("itunes:duration %q is not a whole number of seconds (or H:MM:SS)", s)
	}
	var total int64
	for _, p := range strings.Split(s, ":") {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || total > (1<<62)/60 {
			return 0, fmt.Errorf("itunes:duration %q is out of range", s)
		}
		total = total*60 + n
	}
	return total, nil
}

// dateLayouts are the RFC 822 forms feeds write (RFC 1123's four-digit
// year, a numeric or named zone, seconds optional, weekday optional).
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04 MST",
}

// parseDate reads an RFC 822 date as RSS 2.0 requires for pubDate.
func parseDate(s string) (time.Time, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("<pubDate> %q is not an RFC 822 date like \"Mon, 02 Nov 2026 06:00:00 +0000\"", s)
}

// parseNPT reads a psc:chapter start, a Normal Play Time: [[HH:]MM:]SS[.mmm].
func parseNPT(s string) (float64, error) {
	parts := strings.Split(s, ":")
	if s == "" || len(parts) > 3 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	total := 0.0
	for i, p := range parts {
		last := i == len(parts)-1
		if p == "" || strings.Trim(p, "0123456789.") != "" || (!last && strings.Contains(p, ".")) {
			return 0, fmt.Errorf("bad time %q", s)
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || (i > 0 && v >= 60) {
			return 0, fmt.Errorf("bad time %q", s)
		}
		total = total*60 + v
	}
	return total, nil
}

// required fails when v is missing or empty and reports whether it is set.
func required(f *findings, name string, v optional) bool {
	if !v.ok || v.value == "" {
		f.fail("", "%s is missing or empty", name)
		return false
	}
	return true
}

// absolute fails unless v is an absolute http or https URL, and reports
// whether it is one.
func absolute(f *findings, name, v string) bool {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.fail("", "%s %q is not an absolute http(s) URL", name, v)
		return false
	}
	return true
}

func isEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
