package check

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultConcurrency = 4
)

// Options tune Run. The zero value means the defaults.
type Options struct {
	// Timeout is how long a request may wait for its headers, or for more
	// of its body, before it is given up.
	Timeout time.Duration
	// Concurrency is the most requests in flight at once.
	Concurrency int
	// Client makes the requests. Nil means a client that follows up to 10
	// redirects and never decodes a Content-Encoding, so that check sees
	// what the server sends; a client given here should not either.
	Client *http.Client
}

// run is one check in progress.
type run struct {
	fetch   *fetcher
	feedURL string
}

// Run fetches the feed at feedURL and everything it links to, checks them,
// and returns what it found. Problems with the feed or the server are
// findings in the report; the error is for a feedURL that is not an
// absolute http(s) URL, or a ctx done before the check finished.
func Run(ctx context.Context, feedURL string, opt Options) (*Report, error) {
	u, err := url.Parse(feedURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("check: %q is not an absolute http(s) URL", feedURL)
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = DefaultConcurrency
	}
	r := &run{fetch: newFetcher(opt.Client, opt.Timeout, opt.Concurrency), feedURL: feedURL}
	defer r.fetch.close()
	rep := &Report{URL: feedURL}
	top := &findings{where: "feed"}
	ch := r.feed(ctx, top)
	rep.add(top)
	if ch != nil {
		r.links(ctx, rep, ch)
		rep.Episodes = len(ch.items)
	}
	rep.Requests = int(r.fetch.requests.Load())
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("check: %w", err)
	}
	return rep, nil
}

// feed fetches and checks the feed document, and returns its channel, or
// nil when there is none to read.
func (r *run) feed(ctx context.Context, f *findings) *channel {
	resp, err := r.fetch.fetch(ctx, http.MethodGet, r.feedURL, nil, maxFeed)
	if err != nil {
		f.fail(r.feedURL, "%v", err)
		return nil
	}
	if resp.status != http.StatusOK {
		f.fail(r.feedURL, "GET answered %s, want 200 OK", status(resp.status))
		return nil
	}
	if resp.truncated {
		f.fail(r.feedURL, "the feed is over %d MB", maxFeed>>20)
		return nil
	}
	switch ct := mediaType(resp.header.Get("Content-Type")); ct {
	case "application/rss+xml", "application/xml", "text/xml":
	default:
		f.warn(r.feedURL, "Content-Type is %q; feeds are served as application/rss+xml", ct)
	}
	corsWarning(f, r.feedURL, "the feed", resp)
	root, err := parseXML(resp.body)
	if err != nil {
		f.fail(r.feedURL, "the feed is not well-formed XML: %v", err)
		return nil
	}
	ch, err := readChannel(root)
	if err != nil {
		f.fail(r.feedURL, "the feed is not RSS: %v", err)
		return nil
	}
	checkChannel(f, ch, r.feedURL)
	return ch
}

// links checks the items and everything the feed links to: each episode
// concurrently (the fetcher bounds the requests in flight), reported in
// feed order.
func (r *run) links(ctx context.Context, rep *Report, ch *channel) {
	serial := ch.typ.value == "serial"
	fs := make([]*findings, len(ch.items))
	xs := make([]facts, len(ch.items))
	for i, it := range ch.items {
		fs[i] = &findings{where: it.where()}
		xs[i] = checkItem(fs[i], it, serial)
	}
	checkItems(fs, ch.items, xs, serial)

	art := &findings{where: "feed"}
	seen := map[string]bool{}
	var wg sync.WaitGroup
	if img := ch.image.value; img != "" && isAbsolute(img) {
		seen[img] = true
		wg.Go(func() {
			if resp, err := r.fetch.fetch(ctx, http.MethodGet, img, nil, maxImage); err != nil {
				art.fail(img, "%v", err)
			} else {
				checkArtwork(art, img, resp)
			}
		})
	}
	for i, it := range ch.items {
		image := ""
		if img := it.image.value; img != "" && isAbsolute(img) && !seen[img] {
			seen[img], image = true, img
		}
		wg.Go(func() { r.episode(ctx, fs[i], it, xs[i], image) })
	}
	wg.Wait()
	rep.add(art)
	for _, f := range fs {
		rep.add(f)
	}
}
