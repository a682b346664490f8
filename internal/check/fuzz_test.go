package check

import (
	"testing"
)

// FuzzFeed feeds anything to the feed parser and the channel checks: they
// must never panic, whatever a server sends.
func FuzzFeed(f *testing.F) {
	f.Add([]byte(`<rss version="2.0"><channel><title>t</title><item><title>a</title><enclosure url="http://x/a.mp3" length="1" type="audio/mpeg"/></item></channel></rss>`))
	f.Add([]byte(`<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><itunes:category text="Arts"><itunes:category text="Books"/></itunes:category></channel></rss>`))
	f.Add([]byte(`<rss><channel><item><psc:chapters xmlns:psc="http://podlove.org/simple-chapters"><psc:chapter start="1:2" title="x"/></psc:chapters></item></channel></rss>`))
	f.Add([]byte("<a><b></a>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		root, err := parseXML(b)
		if err != nil {
			return
		}
		ch, err := readChannel(root)
		if err != nil {
			return
		}
		fs := &findings{where: "feed"}
		checkChannel(fs, ch, "http://127.0.0.1/feed.xml")
		items := make([]*findings, len(ch.items))
		xs := make([]facts, len(ch.items))
		for i, it := range ch.items {
			items[i] = &findings{where: it.where()}
			xs[i] = checkItem(items[i], it, true)
		}
		checkItems(items, ch.items, xs, true)
	})
}

// FuzzHTML feeds anything to the HTML transcript check.
func FuzzHTML(f *testing.F) {
	f.Add([]byte("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"></head><body><p>Hi<p>there</body></html>"))
	f.Add([]byte("<body><b><i>x</b></i></body>"))
	f.Add([]byte("<body>&nbsp;&bogus;</body>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkHTML(b)
	})
}

// FuzzID3 feeds anything to the ID3 frame walker.
func FuzzID3(f *testing.F) {
	f.Add([]byte("ID3\x04\x00\x00\x00\x00\x00\x14CTOC\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("ID3\x03\x00\xc0\x00\x00\x00\x20\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00CHAP\x00\x00\x00\x01\x00\x00\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n := tagSize(b); n < 0 {
			t.Fatalf("tagSize = %d", n)
		}
		hasFrame(b, "CTOC")
	})
}
