package feed_test

import (
	"testing"

	"github.com/readcast/readcast/feed"
)

func TestGUID(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		// The namespace's own examples.
		{"podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"},
		{"mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"},
		// Scheme and trailing slashes do not count.
		{"https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"},
		{"https://podnews.net/rss/", "9b024349-ccf0-5f69-a609-6b82873eab3c"},
		{"http://podnews.net/rss///", "9b024349-ccf0-5f69-a609-6b82873eab3c"},
		{"HTTPS://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"},
		{"https://mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"},
	} {
		if got := feed.GUID(tt.url); got != tt.want {
			t.Errorf("GUID(%q) = %s, want %s", tt.url, got, tt.want)
		}
	}
	// A path or query is part of the name; only the scheme is dropped.
	if feed.GUID("podnews.net/rss?x=1") == feed.GUID("podnews.net/rss") {
		t.Error("GUID ignores the query")
	}
}
