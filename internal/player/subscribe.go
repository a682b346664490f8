package player

import (
	"html/template"
	"net/url"
	"strings"
)

// AppLink is a link that opens a feed in a podcast app. Its URL may have an
// app's own scheme (pktc:, overcast:), which html/template would otherwise
// refuse: it is built here from the feed URL, never from a request.
type AppLink struct {
	Label string
	URL   template.URL
}

// SubscribeLinks returns the links that open the feed at feedURL in the
// common podcast apps, and last a generic podcast:// link that the system
// hands to whichever app registered the scheme. Each app documents its own
// form: AntennaPod's deeplink page takes the feed URL and the title as query
// parameters; Overcast an x-callback-url with the URL; Apple Podcasts
// (podcasts://) and Pocket Casts (pktc://subscribe/) the feed URL without
// its scheme.
func SubscribeLinks(feedURL, title string) []AppLink {
	bare := feedURL
	if i := strings.Index(bare, "://"); i >= 0 {
		bare = bare[i+3:]
	}
	q := url.Values{"url": {feedURL}}
	if title != "" {
		q.Set("title", title)
	}
	return []AppLink{
		{Label: "Apple Podcasts", URL: template.URL("podcasts://" + bare)},
		{Label: "Pocket Casts", URL: template.URL("pktc://subscribe/" + bare)},
		{Label: "AntennaPod", URL: template.URL("https://antennapod.org/deeplink/subscribe?" + q.Encode())},
		{Label: "Overcast", URL: template.URL("overcast://x-callback-url/add?url=" + url.QueryEscape(feedURL))},
		{Label: "Other apps", URL: template.URL("podcast://" + bare)},
	}
}
