package check

import (
	"context"
	"net/http"
	"strings"

	"github.com/readcast/readcast/internal/audio"
)

// episode fetches everything an item links to and checks it; image is the
// item's artwork when neither the channel nor an earlier item has the same
// URL.
func (r *run) episode(ctx context.Context, f *findings, it item, x facts, image string) {
	clk := clock{}
	if x.durationOK {
		clk = clock{seconds: float64(x.duration), known: true, slack: 1, from: "itunes:duration"}
	}
	var tag *id3
	if x.urlOK {
		tag = r.enclosure(ctx, f, it, x, &clk)
	}
	for _, t := range it.transcripts {
		if !t.url.ok || !isAbsolute(t.url.value) || !transcriptTypes[t.typ.value] {
			continue // checkItem has said what is wrong
		}
		resp, err := r.fetch.fetch(ctx, http.MethodGet, t.url.value, nil, maxText)
		if err != nil {
			f.fail(t.url.value, "%v", err)
			continue
		}
		checkTranscript(f, t, resp, clk)
	}
	r.chapters(ctx, f, it, x, tag)
	if image != "" {
		if resp, err := r.fetch.fetch(ctx, http.MethodGet, image, nil, maxImage); err != nil {
			f.fail(image, "%v", err)
		} else {
			checkArtwork(f, image, resp)
		}
	}
}

// enclosure checks the enclosure as Apple's crawler and a player fetch it:
// HEAD, Range: bytes=0-1, a plain GET, and for an MP3 its frames (setting
// clk to the MP3's own duration) and ID3 tag, which it returns (nil when it
// could not be read).
func (r *run) enclosure(ctx context.Context, f *findings, it item, x facts, clk *clock) *id3 {
	u := it.encURL.value
	if head, err := r.fetch.fetch(ctx, http.MethodHead, u, nil, 0); err != nil {
		f.fail(u, "%v", err)
	} else {
		checkHead(f, u, it, x, head)
	}
	if rng, err := r.fetch.fetch(ctx, http.MethodGet, u, map[string]string{"Range": "bytes=0-1"}, 2); err != nil {
		f.fail(u, "%v", err)
	} else {
		checkRangeProbe(f, u, x, rng)
	}
	// A plain GET, counted and discarded: the length a download gets.
	limit := int64(1) << 40
	if x.lengthOK {
		limit = x.length + countSlack
	}
	size := int64(-1)
	if get, n, err := r.fetch.count(ctx, u, map[string]string{"Accept-Encoding": "gzip"}, limit); err != nil {
		f.fail(u, "%v", err)
	} else {
		checkGet(f, u, x, get, n, limit)
		if get.status == http.StatusOK && get.header.Get("Content-Encoding") == "" && n <= limit {
			size = n
		}
	}
	if size < 0 && x.lengthOK {
		size = x.length
	}
	if !isMP3(it) || size <= 0 {
		return nil
	}
	rr := &rangeReader{ctx: ctx, f: r.fetch, url: u, size: size}
	if info, err := audio.Probe(rr, size); err != nil {
		f.fail(u, "the MP3 does not probe: %s", strings.TrimPrefix(err.Error(), "audio: "))
	} else {
		checkProbe(f, u, x, info)
		*clk = clock{seconds: info.Duration, known: true, slack: 0.5, from: "the MP3"}
	}
	tag, err := readID3(rr, size)
	if err != nil {
		f.fail(u, "the MP3's ID3 tag: %v", err)
		return nil
	}
	if len(tag.chapters) > 0 && !tag.ctoc {
		f.fail(u, "the MP3 has ID3 CHAP frames but no CTOC frame; Apple Podcasts and Overcast show no chapters without one")
	}
	return &tag
}

// chapters checks the JSON chapters and that every chapter source agrees:
// the JSON file is the reference when there is one, else the MP3's ID3
// chapters (tag, nil when unread); the others must match it.
func (r *run) chapters(ctx context.Context, f *findings, it item, x facts, tag *id3) {
	var ref []mark
	refName, refURL := "", ""
	if c := it.chapters; c != nil && c.url.ok && isAbsolute(c.url.value) {
		resp, err := r.fetch.fetch(ctx, http.MethodGet, c.url.value, nil, maxText)
		if err != nil {
			f.fail(c.url.value, "%v", err)
			return
		}
		marks, ok := checkChaptersFile(f, *c, resp)
		if !ok {
			return
		}
		ref, refName, refURL = marks, "the JSON chapters", c.url.value
		switch {
		case tag == nil:
		case len(tag.chapters) == 0:
			f.fail(it.encURL.value, "the MP3 has no ID3 chapters (CHAP frames), but the JSON chapters list %d", len(marks))
		default:
			compareChapters(f, refURL, refName, ref, "the MP3's ID3 CHAP frames", fromID3(tag.chapters))
		}
	} else if tag != nil && len(tag.chapters) > 0 {
		ref, refName, refURL = fromID3(tag.chapters), "the MP3's ID3 CHAP frames", it.encURL.value
	}
	if refName != "" && it.pscPresent && x.pscOK {
		psc := make([]mark, len(it.psc))
		for i, c := range it.psc {
			psc[i] = mark{c.title.value, x.psc[i]}
		}
		compareChapters(f, refURL, refName, ref, "psc:chapters", psc)
	}
}

func isAbsolute(u string) bool {
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")
}
