package check

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/showtest"
	"github.com/readcast/readcast/internal/transcript"
)

// wrapper breaks one thing about a good server.
type wrapper func(http.Handler, *catalog.Snapshot) http.Handler

// rewrite passes the body of GET responses for the paths pick chooses
// through edit, and fixes up Content-Length.
func rewrite(pick func(s *catalog.Snapshot) string, edit func(b []byte, s *catalog.Snapshot) []byte) wrapper {
	return func(next http.Handler, s *catalog.Snapshot) http.Handler {
		path := pick(s)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != path || r.Method != http.MethodGet {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := edit(rec.Body.Bytes(), s)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("ETag")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			w.Write(body)
		})
	}
}

// feedEdit rewrites the feed with a regular expression, at most n times
// (n < 0: every match).
func feedEdit(pattern, repl string, n int) wrapper {
	re := regexp.MustCompile(pattern)
	return rewrite(func(*catalog.Snapshot) string { return catalog.FeedPath }, func(b []byte, s *catalog.Snapshot) []byte {
		count := 0
		return re.ReplaceAllFunc(b, func(m []byte) []byte {
			if n >= 0 && count >= n {
				return m
			}
			count++
			return re.ReplaceAll(m, []byte(repl))
		})
	})
}

// onAudio runs f instead of the server for requests of episode 1's audio
// that match.
func onAudio(match func(r *http.Request) bool, f func(w http.ResponseWriter, r *http.Request, next http.Handler)) wrapper {
	return func(next http.Handler, s *catalog.Snapshot) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == s.Episodes[0].Audio.Path && match(r) {
				f(w, r, next)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// headerEdit lets a handler write, then changes a header just before the
// status goes out.
type headerEdit struct {
	http.ResponseWriter
	edit func(http.Header)
	done bool
}

func (h *headerEdit) WriteHeader(code int) {
	if !h.done {
		h.done = true
		h.edit(h.Header())
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerEdit) Write(b []byte) (int, error) {
	if !h.done {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

// cover serves body as the show's artwork.
func cover(body []byte) wrapper {
	return func(next http.Handler, s *catalog.Snapshot) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != s.Cover.Path {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(body)
		})
	}
}

func jpegOf(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, nil); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// cmykJPEG is a baseline JPEG of side×side pixels with four components (CMYK), one flat colour: every block is
// a DC difference of 0 and an end of block, each coded as a single 0 bit.
func cmykJPEG(side int) []byte {
	var b bytes.Buffer
	seg := func(marker byte, body ...byte) {
		b.Write([]byte{0xFF, marker, byte((len(body) + 2) >> 8), byte(len(body) + 2)})
		b.Write(body)
	}
	b.Write([]byte{0xFF, 0xD8})
	dqt := []byte{0}
	for range 64 {
		dqt = append(dqt, 1)
	}
	seg(0xDB, dqt...)
	seg(0xEE, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0) // transform 0: CMYK, not YCCK
	sof := []byte{8, byte(side >> 8), byte(side), byte(side >> 8), byte(side), 4}
	for c := byte(1); c <= 4; c++ {
		sof = append(sof, c, 0x11, 0)
	}
	seg(0xC0, sof...)
	one := make([]byte, 16)
	one[0] = 1                                               // one code of length 1
	seg(0xC4, append(append([]byte{0x00}, one...), 0x00)...) // DC: category 0
	seg(0xC4, append(append([]byte{0x10}, one...), 0x00)...) // AC: end of block
	sos := []byte{4}
	for c := byte(1); c <= 4; c++ {
		sos = append(sos, c, 0x00)
	}
	seg(0xDA, append(sos, 0, 63, 0)...)
	blocks := (side + 7) / 8 * ((side + 7) / 8) * 4
	b.Write(make([]byte, (blocks*2+7)/8))
	b.Write([]byte{0xFF, 0xD9})
	return b.Bytes()
}

// ep1 names episode 1 in findings, and its URLs.
func ep1(s *catalog.Snapshot) (where, audio string) {
	e := s.Episodes[0]
	return fmt.Sprintf("episode 1 %q", e.Outline.Title), s.BaseURL + e.Audio.Path
}

func TestBrokenShowsFail(t *testing.T) {
	dir := showtest.Build(t)
	gray := jpegOf(t, image.NewGray(image.Rect(0, 0, 1400, 1400)))
	small := jpegOf(t, image.NewRGBA(image.Rect(0, 0, 1000, 1000)))
	cmyk := cmykJPEG(1400)
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(cmyk)); err != nil || cfg.ColorModel != color.CMYKModel {
		t.Fatalf("the CMYK artwork is not CMYK: %v %v", cfg.ColorModel, err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(cmyk)); err != nil {
		t.Fatalf("the CMYK artwork does not decode: %v", err)
	}
	tests := []struct {
		name string
		wrap wrapper
		want func(s *catalog.Snapshot) string // the exact line
	}{
		{
			"no 206 for bytes=0-1",
			onAudio(func(r *http.Request) bool { return r.Header.Get("Range") == "bytes=0-1" }, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				r.Header.Del("Range")
				next.ServeHTTP(w, r)
			}),
			func(s *catalog.Snapshot) string {
				where, u := ep1(s)
				return "FAIL " + where + ": Range: bytes=0-1 answered 200 OK, want 206 Partial Content; Apple rejects hosts without byte ranges (" + u + ")"
			},
		},
		{
			"enclosure length in the feed is wrong",
			rewrite(func(*catalog.Snapshot) string { return catalog.FeedPath }, func(b []byte, s *catalog.Snapshot) []byte {
				n := s.Episodes[0].Audio.Size
				return bytes.Replace(b, fmt.Appendf(nil, `length="%d"`, n), fmt.Appendf(nil, `length="%d"`, n-66), 1)
			}),
			func(s *catalog.Snapshot) string {
				where, u := ep1(s)
				n := s.Episodes[0].Audio.Size
				return fmt.Sprintf("FAIL %s: enclosure length %d != Content-Length %d (%s)", where, n-66, n, u)
			},
		},
		{
			"HEAD sends the wrong Content-Length",
			onAudio(func(r *http.Request) bool { return r.Method == http.MethodHead }, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				next.ServeHTTP(&headerEdit{ResponseWriter: w, edit: func(h http.Header) { h.Set("Content-Length", "1200") }}, r)
			}),
			func(s *catalog.Snapshot) string {
				where, u := ep1(s)
				return fmt.Sprintf("FAIL %s: enclosure length %d != Content-Length 1200 (%s)", where, s.Episodes[0].Audio.Size, u)
			},
		},
		{
			"decimal itunes:duration",
			feedEdit(`<itunes:duration>(\d+)</itunes:duration>`, `<itunes:duration>${1}.5</itunes:duration>`, 1),
			func(s *catalog.Snapshot) string {
				where, _ := ep1(s)
				d := int(s.Episodes[0].Info.Duration + 0.5)
				return fmt.Sprintf("FAIL %s: itunes:duration \"%d.5\" has a decimal part; Apple and the W3C feed validator want whole seconds", where, d)
			},
		},
		{
			"missing itunes:category",
			feedEdit(`(?s)\s*<itunes:category .*</itunes:category>`, ``, -1),
			func(*catalog.Snapshot) string {
				return "FAIL feed: itunes:category is missing; Apple requires a category from its list"
			},
		},
		{
			"itunes:category not on Apple's list",
			feedEdit(`text="History"`, `text="Histories"`, 1),
			func(*catalog.Snapshot) string {
				return `FAIL feed: itunes:category: category "Histories" is not an Apple Podcasts category`
			},
		},
		{
			"itunes:explicit yes",
			feedEdit(`<itunes:explicit>false</itunes:explicit>`, `<itunes:explicit>yes</itunes:explicit>`, 1),
			func(*catalog.Snapshot) string {
				return `FAIL feed: itunes:explicit "yes" must be "true" or "false"`
			},
		},
		{
			"artwork 1000 px",
			cover(small),
			func(s *catalog.Snapshot) string {
				return "FAIL feed: artwork is 1000×1000 px; Apple wants 1400 to 3000 px a side (" + s.BaseURL + s.Cover.Path + ")"
			},
		},
		{
			"CMYK artwork",
			cover(cmyk),
			func(s *catalog.Snapshot) string {
				return "FAIL feed: artwork is CMYK; Apple wants RGB (" + s.BaseURL + s.Cover.Path + ")"
			},
		},
		{
			"grayscale artwork",
			cover(gray),
			func(s *catalog.Snapshot) string {
				return "FAIL feed: artwork is grayscale; Apple wants RGB (" + s.BaseURL + s.Cover.Path + ")"
			},
		},
		{
			"JSON chapters 5 s off the MP3's",
			rewrite(func(s *catalog.Snapshot) string { return s.Episodes[0].ChaptersDoc.Path }, func(b []byte, s *catalog.Snapshot) []byte {
				var doc map[string]any
				if err := json.Unmarshal(b, &doc); err != nil {
					panic(err)
				}
				cs := doc["chapters"].([]any)
				c := cs[1].(map[string]any)
				c["startTime"] = c["startTime"].(float64) + 5
				cs[0].(map[string]any)["endTime"] = c["startTime"]
				out, _ := json.Marshal(doc)
				return out
			}),
			func(s *catalog.Snapshot) string {
				where, _ := ep1(s)
				c := s.Episodes[0].Chapters[1]
				return fmt.Sprintf("FAIL %s: chapter 2 %q starts at %.3f s in the JSON chapters but at %.3f s in the MP3's ID3 CHAP frames (5.0 s apart; at most 1 s allowed) (%s)",
					where, c.Title, c.Start+5, c.Start, s.BaseURL+s.Episodes[0].ChaptersDoc.Path)
			},
		},
		{
			"psc:chapters title differs from the JSON chapters",
			feedEdit(`title="Winters on the rock"></psc:chapter>`, `title="Summers on the rock"></psc:chapter>`, 1),
			func(s *catalog.Snapshot) string {
				where, _ := ep1(s)
				return fmt.Sprintf("FAIL %s: chapter 2 is \"Winters on the rock\" in the JSON chapters but \"Summers on the rock\" in psc:chapters (%s)",
					where, s.BaseURL+s.Episodes[0].ChaptersDoc.Path)
			},
		},
		{
			"transcript with the wrong Content-Type",
			func(next http.Handler, s *catalog.Snapshot) http.Handler {
				path := s.Episodes[0].Transcript("srt").Path
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == path {
						w = &headerEdit{ResponseWriter: w, edit: func(h http.Header) { h.Set("Content-Type", "text/plain; charset=utf-8") }}
					}
					next.ServeHTTP(w, r)
				})
			},
			func(s *catalog.Snapshot) string {
				where, _ := ep1(s)
				return fmt.Sprintf("FAIL %s: transcript Content-Type is \"text/plain\", but podcast:transcript declares \"application/x-subrip\" (%s)",
					where, s.BaseURL+s.Episodes[0].Transcript("srt").Path)
			},
		},
		{
			"VTT that does not parse",
			rewrite(func(s *catalog.Snapshot) string { return s.Episodes[0].Transcript("vtt").Path }, func(b []byte, _ *catalog.Snapshot) []byte {
				return bytes.Replace(b, []byte("WEBVTT"), []byte("WEBVTX"), 1)
			}),
			func(s *catalog.Snapshot) string {
				where, _ := ep1(s)
				return fmt.Sprintf("FAIL %s: the text/vtt transcript does not parse: parse vtt: line 1: malformed: no WEBVTT header (%s)",
					where, s.BaseURL+s.Episodes[0].Transcript("vtt").Path)
			},
		},
		{
			"VTT cue past the end of the audio",
			rewrite(func(s *catalog.Snapshot) string { return s.Episodes[0].Transcript("vtt").Path }, func(b []byte, _ *catalog.Snapshot) []byte {
				i := bytes.LastIndex(b, []byte("--> "))
				return append(append(b[:i:i], "--> 00:10:00.000"...), b[i+len("--> 00:00:00.000"):]...)
			}),
			func(s *catalog.Snapshot) string {
				where, _ := ep1(s)
				cues, err := transcript.ParseVTT(s.Episodes[0].Transcript("vtt").Body)
				if err != nil {
					panic(err)
				}
				return fmt.Sprintf("FAIL %s: the text/vtt transcript's cue %d ends at 600.000 s, after the audio ends (%.3f s by the MP3) (%s)",
					where, len(cues), s.Episodes[0].Info.Duration, s.BaseURL+s.Episodes[0].Transcript("vtt").Path)
			},
		},
		{
			"timed transcript without rel=captions",
			feedEdit(` type="text/vtt" language="en" rel="captions"`, ` type="text/vtt" language="en"`, 1),
			func(s *catalog.Snapshot) string {
				where, _ := ep1(s)
				return fmt.Sprintf("FAIL %s: podcast:transcript of type text/vtt has no rel=\"captions\"; apps show only those as captions (%s)",
					where, s.BaseURL+s.Episodes[0].Transcript("vtt").Path)
			},
		},
		{
			"itunes:duration off the MP3's",
			feedEdit(`<itunes:duration>(\d+)</itunes:duration>`, `<itunes:duration>${1}0</itunes:duration>`, 1),
			func(s *catalog.Snapshot) string {
				where, u := ep1(s)
				d := s.Episodes[0].Info.Duration
				n := int(d+0.5) * 10
				return fmt.Sprintf("FAIL %s: itunes:duration is %d s, but the MP3 plays %.3f s (%.1f s apart; at most 1 s allowed) (%s)", where, n, d, float64(n)-d, u)
			},
		},
		{
			"MP3 chapters without a CTOC frame",
			func(next http.Handler, s *catalog.Snapshot) http.Handler {
				a := s.Episodes[0].Audio
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != a.Path {
						next.ServeHTTP(w, r)
						return
					}
					body, err := os.ReadFile(a.File)
					if err != nil {
						panic(err)
					}
					body = bytes.Replace(body, []byte("CTOC"), []byte("XTOC"), 1)
					w.Header().Set("Content-Type", "audio/mpeg")
					http.ServeContent(w, r, "", a.ModTime, bytes.NewReader(body))
				})
			},
			func(s *catalog.Snapshot) string {
				where, u := ep1(s)
				return "FAIL " + where + ": the MP3 has ID3 CHAP frames but no CTOC frame; Apple Podcasts and Overcast show no chapters without one (" + u + ")"
			},
		},
		{
			"podcast:chapters of the wrong type",
			feedEdit(`type="application/json\+chapters"`, `type="application/json"`, 1),
			func(s *catalog.Snapshot) string {
				where, _ := ep1(s)
				return fmt.Sprintf("FAIL %s: podcast:chapters type \"application/json\" is not \"application/json+chapters\" (%s)", where, s.BaseURL+s.Episodes[0].ChaptersDoc.Path)
			},
		},
		{
			"podcast:locked without an owner",
			feedEdit(`<podcast:locked owner="[^"]*">`, `<podcast:locked>`, 1),
			func(*catalog.Snapshot) string {
				return "FAIL feed: podcast:locked has no owner attribute; importers such as Partytime ignore it without one"
			},
		},
		{
			"duplicate GUIDs",
			rewrite(func(*catalog.Snapshot) string { return catalog.FeedPath }, func(b []byte, s *catalog.Snapshot) []byte {
				return bytes.Replace(b, []byte(">"+s.Episodes[1].GUID+"<"), []byte(">"+s.Episodes[0].GUID+"<"), 1)
			}),
			func(s *catalog.Snapshot) string {
				return fmt.Sprintf("FAIL episode 2 %q: <guid> %q is also episode 1's; apps would take them for one episode", s.Episodes[1].Outline.Title, s.Episodes[0].GUID)
			},
		},
		{
			"episode number 0",
			feedEdit(`<itunes:episode>1</itunes:episode>`, `<itunes:episode>0</itunes:episode>`, 1),
			func(s *catalog.Snapshot) string {
				where, _ := ep1(s)
				return "FAIL " + where + `: itunes:episode "0" is not a positive integer`
			},
		},
		{
			"pubDates out of serial order",
			rewrite(func(*catalog.Snapshot) string { return catalog.FeedPath }, func(b []byte, s *catalog.Snapshot) []byte {
				return bytes.Replace(b, []byte("<pubDate>Tue, 03 Nov 2026"), []byte("<pubDate>Sun, 01 Nov 2026"), 1)
			}),
			func(s *catalog.Snapshot) string {
				return fmt.Sprintf("FAIL episode 2 %q: <pubDate> Sun, 01 Nov 2026 06:00:00 +0000 is not after itunes:episode 1's (Mon, 02 Nov 2026 06:00:00 +0000); apps that sort by date would play them out of order",
					s.Episodes[1].Outline.Title)
			},
		},
		{
			"HEAD answered 405",
			onAudio(func(r *http.Request) bool { return r.Method == http.MethodHead }, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				http.Error(w, "no HEAD here", http.StatusMethodNotAllowed)
			}),
			func(s *catalog.Snapshot) string {
				where, u := ep1(s)
				return "FAIL " + where + ": HEAD answered 405 Method Not Allowed, want 200 OK; Apple checks enclosures with HEAD (" + u + ")"
			},
		},
		{
			"no Accept-Ranges",
			onAudio(func(r *http.Request) bool { return r.Method == http.MethodHead }, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				next.ServeHTTP(&headerEdit{ResponseWriter: w, edit: func(h http.Header) { h.Del("Accept-Ranges") }}, r)
			}),
			func(s *catalog.Snapshot) string {
				where, u := ep1(s)
				return "FAIL " + where + `: HEAD answered without "Accept-Ranges: bytes"; Apple requires byte-range support (` + u + ")"
			},
		},
		{
			"audio gzipped",
			onAudio(func(r *http.Request) bool {
				return r.Method == http.MethodGet && r.Header.Get("Range") == "" && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
			}, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(rec.Body.Bytes())
				zw.Close()
				w.Header().Set("Content-Type", "audio/mpeg")
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(z.Bytes())
			}),
			func(s *catalog.Snapshot) string {
				where, u := ep1(s)
				return "FAIL " + where + `: GET with Accept-Encoding: gzip answered Content-Encoding "gzip"; audio must be sent as is, or ranges and lengths break (` + u + ")"
			},
		},
		{
			"atom:link rel=self elsewhere",
			feedEdit(`<atom:link href="[^"]*"`, `<atom:link href="http://example.invalid/feed.xml"`, 1),
			func(s *catalog.Snapshot) string {
				return "FAIL feed: atom:link rel=\"self\" is http://example.invalid/feed.xml, not the URL fetched, " + s.BaseURL + catalog.FeedPath
			},
		},
		{
			"podcast:guid not a UUID",
			feedEdit(`<podcast:guid>[^<]*</podcast:guid>`, `<podcast:guid>recollections</podcast:guid>`, 1),
			func(*catalog.Snapshot) string {
				return `FAIL feed: podcast:guid "recollections" is not a UUID`
			},
		},
		{
			"feed not well-formed",
			feedEdit(`</channel>`, `</chanel>`, 1),
			func(s *catalog.Snapshot) string {
				line := 1 + bytes.Count(s.Feed.Body[:bytes.Index(s.Feed.Body, []byte("</channel>"))], []byte("\n"))
				return "FAIL feed: the feed is not well-formed XML: XML syntax error on line " + strconv.Itoa(line) +
					": element <channel> closed by </chanel> (" + s.BaseURL + catalog.FeedPath + ")"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			feedURL, snap := serve(t, dir, tt.wrap)
			rep, out := runCheck(t, feedURL)
			t.Logf("\n%s", out)
			if rep.OK() {
				t.Errorf("check passed a broken show:\n%s", out)
			}
			want := tt.want(snap)
			if !strings.Contains(out, want+"\n") {
				t.Errorf("no line\n%s\nin\n%s", want, out)
			}
			if !strings.Contains(out, "FAILED ") {
				t.Errorf("no FAILED summary in\n%s", out)
			}
		})
	}
}
