package feed_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/readcast/readcast/feed"
)

func ExampleBuild() {
	show := feed.Show{
		Title:       "Recollections of a Soviet Citizen",
		Description: "A memoir in five episodes.",
		Author:      "A Soviet citizen",
		Language:    "en",
		Link:        "https://listen.example.org/",
		OwnerName:   "readcast",
		OwnerEmail:  "podcast@example.org",
		Categories:  []feed.Category{{Name: "Society & Culture", Sub: "Personal Journals"}},
		Type:        "serial",
		FeedURL:     "https://listen.example.org/feed.xml",
		ImageURL:    "https://listen.example.org/artwork/cover.jpg",
		Synthetic:   true,
		Locked:      true,
		LastBuild:   time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
	}
	episodes := []feed.Episode{{
		GUID:      "recollections-01",
		Number:    1,
		Title:     "Childhood in Moscow",
		Summary:   "School, the Pioneers and a samizdat book.",
		Published: time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC),
		Duration:  612480 * time.Millisecond,
		Enclosure: feed.Enclosure{URL: "https://listen.example.org/audio/01-9f86d081.mp3", Length: 9876543, Type: "audio/mpeg"},
		Chapters: []feed.Chapter{
			{Start: 0, Title: "Childhood"},
			{Start: 95500 * time.Millisecond, Title: "School"},
		},
		ChaptersURL: "https://listen.example.org/chapters/01.json",
		Transcripts: []feed.Transcript{
			{URL: "https://listen.example.org/transcripts/01.vtt", Type: feed.TypeVTT},
			{URL: "https://listen.example.org/transcripts/01.html", Type: feed.TypeHTML},
		},
	}}
	rss, err := feed.Build(show, episodes)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Show the tags the library cannot write.
	for _, line := range strings.Split(string(rss), "\n") {
		for _, tag := range []string{"<itunes:type", "<podcast:", "<itunes:episode", "<itunes:duration", "<psc:chapter ", "<guid", "<li>"} {
			if strings.Contains(line, tag) {
				fmt.Println(strings.TrimSpace(line))
				break
			}
		}
	}
	// Output:
	// <itunes:type>serial</itunes:type>
	// <podcast:guid>69fe8a87-df9f-52e7-9955-4018a07ac5ab</podcast:guid>
	// <podcast:locked owner="podcast@example.org">yes</podcast:locked>
	// <podcast:txt purpose="ai-content">The narration is synthesized speech, not a human reader.</podcast:txt>
	// <guid isPermaLink="false">recollections-01</guid>
	// <li>0:00 Childhood</li>
	// <li>1:35 School</li>
	// <itunes:duration>612</itunes:duration>
	// <itunes:episode>1</itunes:episode>
	// <itunes:episodeType>full</itunes:episodeType>
	// <li>0:00 Childhood</li>
	// <li>1:35 School</li>
	// <podcast:transcript url="https://listen.example.org/transcripts/01.vtt" type="text/vtt" language="en" rel="captions"></podcast:transcript>
	// <podcast:transcript url="https://listen.example.org/transcripts/01.html" type="text/html" language="en"></podcast:transcript>
	// <podcast:chapters url="https://listen.example.org/chapters/01.json" type="application/json+chapters"></podcast:chapters>
	// <psc:chapter start="00:00:00.000" title="Childhood"></psc:chapter>
	// <psc:chapter start="00:01:35.500" title="School"></psc:chapter>
	// <podcast:txt purpose="ai-content">The narration is synthesized speech, not a human reader.</podcast:txt>
}

func ExampleBuild_invalid() {
	show := feed.Show{Title: "Untitled", Type: "weekly"}
	_, err := feed.Build(show, []feed.Episode{{GUID: "ep-1", Title: "One", Number: 0}})
	fmt.Println(err)
	// Output:
	// feed: invalid show or episodes (17 problems):
	// show: Description is required
	// show: Author is required
	// show: OwnerName is required
	// show: Language "" is not an ISO 639 code such as "en" or "en-us"
	// show: OwnerEmail: an email address is required
	// show: Categories: at least one Apple Podcasts category is required
	// show: Type "weekly" must be "serial" or "episodic"
	// show: Link is required
	// show: FeedURL is required
	// show: ImageURL is required
	// show: LastBuild is required (Build never reads the clock)
	// episode 1 (GUID "ep-1"): Summary or DescriptionHTML is required
	// episode 1 (GUID "ep-1"): Published is required
	// episode 1 (GUID "ep-1"): Duration 0s must be at least 1 s (itunes:duration is whole seconds)
	// episode 1 (GUID "ep-1"): Enclosure.URL is required
	// episode 1 (GUID "ep-1"): Enclosure.Length 0 must be the file's exact size in bytes
	// episode 1 (GUID "ep-1"): Enclosure.Type "" is not one Apple accepts (application/pdf, audio/mpeg, audio/x-m4a, video/mp4, video/quicktime, video/x-m4v)
}

func ExampleGUID() {
	fmt.Println(feed.GUID("https://podnews.net/rss/"))
	fmt.Println(feed.GUID("podnews.net/rss"))
	// Output:
	// 9b024349-ccf0-5f69-a609-6b82873eab3c
	// 9b024349-ccf0-5f69-a609-6b82873eab3c
}

func ExampleCategory_Validate() {
	for _, c := range []feed.Category{
		{Name: "Society & Culture", Sub: "Personal Journals"},
		{Name: "History", Sub: "Personal Journals"},
		{Name: "Personal Journals"},
		{Name: "Podcasting"},
	} {
		fmt.Println(c.Validate())
	}
	// Output:
	// <nil>
	// subcategory "Personal Journals" belongs to "Society & Culture", not "History"
	// category "Personal Journals" is a subcategory of "Society & Culture": use Name "Society & Culture", Sub "Personal Journals"
	// category "Podcasting" is not an Apple Podcasts category
}
