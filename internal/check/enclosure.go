package check

import (
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/readcast/readcast/internal/audio"
)

// durationSlack is how far itunes:duration (whole seconds) may be from the
// MP3's own duration.
const durationSlack = 1.0

// checkHead checks the answer to HEAD on an enclosure: Apple's crawler
// sends one and wants the exact length and byte ranges.
func checkHead(f *findings, u string, it item, x facts, resp *response) {
	if resp.status != http.StatusOK {
		f.fail(u, "HEAD answered %s, want 200 OK; Apple checks enclosures with HEAD", status(resp.status))
		return
	}
	switch {
	case resp.length < 0:
		f.fail(u, "HEAD answered without a Content-Length")
	case x.lengthOK && resp.length != x.length:
		f.fail(u, "enclosure length %d != Content-Length %d", x.length, resp.length)
	}
	if !strings.EqualFold(resp.header.Get("Accept-Ranges"), "bytes") {
		f.fail(u, "HEAD answered without \"Accept-Ranges: bytes\"; Apple requires byte-range support")
	}
	if got, want := mediaType(resp.header.Get("Content-Type")), it.encType.value; want != "" && got != want {
		f.warn(u, "Content-Type is %q, the enclosure type %q", got, want)
	}
	if ce := resp.header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		f.fail(u, "HEAD answered Content-Encoding %q; audio must be sent as is", ce)
	}
}

// checkRangeProbe checks the answer to Range: bytes=0-1, Apple's test of
// byte-range support: 206 with exactly those two bytes.
func checkRangeProbe(f *findings, u string, x facts, resp *response) {
	if resp.status != http.StatusPartialContent {
		f.fail(u, "Range: bytes=0-1 answered %s, want 206 Partial Content; Apple rejects hosts without byte ranges", status(resp.status))
		return
	}
	if len(resp.body) != 2 || resp.truncated {
		n := fmt.Sprint(len(resp.body))
		if resp.truncated {
			n = "more than 2"
		}
		f.fail(u, "Range: bytes=0-1 sent %s bytes, want 2", n)
	}
	got := resp.header.Get("Content-Range")
	if x.lengthOK {
		if want := fmt.Sprintf("bytes 0-1/%d", x.length); got != want {
			f.fail(u, "Range: bytes=0-1 answered Content-Range %q, want %q", got, want)
		}
	} else if !strings.HasPrefix(got, "bytes 0-1/") {
		f.fail(u, "Range: bytes=0-1 answered Content-Range %q, want \"bytes 0-1/LENGTH\"", got)
	}
}

// checkGet checks a plain GET of an enclosure, sent with Accept-Encoding:
// gzip, whose body was n bytes long.
func checkGet(f *findings, u string, x facts, resp *response, n int64, limit int64) {
	if resp.status != http.StatusOK {
		f.fail(u, "GET answered %s, want 200 OK", status(resp.status))
		return
	}
	if ce := resp.header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		f.fail(u, "GET with Accept-Encoding: gzip answered Content-Encoding %q; audio must be sent as is, or ranges and lengths break", ce)
		return
	}
	if !x.lengthOK {
		return
	}
	switch {
	case n > limit:
		f.fail(u, "enclosure length %d != GET body of more than %d bytes", x.length, limit)
	case n != x.length:
		f.fail(u, "enclosure length %d != GET body of %d bytes", x.length, n)
	}
}

// checkProbe compares the MP3's own duration with itunes:duration.
func checkProbe(f *findings, u string, x facts, info audio.Info) {
	if !x.durationOK {
		return
	}
	if d := math.Abs(info.Duration - float64(x.duration)); d > durationSlack {
		f.fail(u, "itunes:duration is %d s, but the MP3 plays %.3f s (%.1f s apart; at most %.0f s allowed)",
			x.duration, info.Duration, d, durationSlack)
	}
}

// isMP3 reports whether an enclosure is declared as MP3.
func isMP3(it item) bool {
	return it.encType.value == "audio/mpeg" || strings.HasSuffix(strings.ToLower(strings.SplitN(it.encURL.value, "?", 2)[0]), ".mp3")
}

// status formats an HTTP status as "405 Method Not Allowed".
func status(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}
