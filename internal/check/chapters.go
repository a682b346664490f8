package check

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/timing"
	"github.com/readcast/readcast/internal/transcript"
)

// chapterSlack is how far apart two sources may place a chapter: AntennaPod
// merges chapter lists only when their starts agree within 1 s.
const chapterSlack = 1.0

// mark is a chapter as any source gives it: a title and a start in seconds.
type mark struct {
	title string
	start float64
}

// checkChaptersFile checks a podcast:chapters answer and parses it as JSON
// Chapters; ok is false when it could not be read.
func checkChaptersFile(f *findings, l chaptersLink, resp *response) (marks []mark, ok bool) {
	u := l.url.value
	if resp.status != http.StatusOK {
		f.fail(u, "chapters GET answered %s, want 200 OK", status(resp.status))
		return nil, false
	}
	if resp.truncated {
		f.fail(u, "chapters file is over %d MB", maxText>>20)
		return nil, false
	}
	if got := mediaType(resp.header.Get("Content-Type")); got != typeChapters {
		f.warn(u, "chapters Content-Type is %q, not %q", got, typeChapters)
	}
	corsWarning(f, u, "chapters file", resp)
	cs, err := transcript.ParseChapters(resp.body)
	if err != nil {
		f.fail(u, "the JSON chapters do not parse: %s", strings.TrimPrefix(err.Error(), "transcript: "))
		return nil, false
	}
	var doc struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(resp.body, &doc) == nil && !strings.HasPrefix(doc.Version, "1.") {
		f.warn(u, "the JSON chapters' version is %q; apps read version 1.x (1.2.0)", doc.Version)
	}
	if len(cs) == 0 {
		f.warn(u, "the JSON chapters list no chapter")
	}
	return fromTiming(cs), true
}

func fromTiming(cs []timing.Chapter) []mark {
	out := make([]mark, len(cs))
	for i, c := range cs {
		out[i] = mark{c.Title, c.Start}
	}
	return out
}

func fromID3(cs []audio.Chapter) []mark {
	out := make([]mark, len(cs))
	for i, c := range cs {
		out[i] = mark{c.Title, c.Start.Seconds()}
	}
	return out
}

// compareChapters fails for every way other disagrees with ref: the number
// of chapters, a title, or a start more than chapterSlack away. The names
// say where each list comes from ("the JSON chapters", "psc:chapters").
func compareChapters(f *findings, u string, refName string, ref []mark, otherName string, other []mark) {
	if len(ref) != len(other) {
		f.fail(u, "%s list %d chapters, %s %d", refName, len(ref), otherName, len(other))
		return
	}
	for i := range ref {
		a, b := ref[i], other[i]
		if a.title != b.title {
			f.fail(u, "chapter %d is %q in %s but %q in %s", i+1, a.title, refName, b.title, otherName)
		}
		if d := math.Abs(a.start - b.start); d > chapterSlack {
			f.fail(u, "chapter %d %q starts at %.3f s in %s but at %.3f s in %s (%.1f s apart; at most %.0f s allowed)",
				i+1, a.title, a.start, refName, b.start, otherName, d, chapterSlack)
		}
	}
}

// id3 is what check reads of an MP3's ID3v2 tag.
type id3 struct {
	present  bool // the file starts with an ID3v2 tag
	chapters []audio.Chapter
	ctoc     bool // the tag has a CTOC frame
}

// readID3 reads the ID3v2 tag at the start of an MP3 of size bytes: its
// 10-byte header gives its size, and then only the tag is read.
func readID3(r io.ReaderAt, size int64) (id3, error) {
	head := make([]byte, 10)
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return id3{}, fmt.Errorf("reading the first 10 bytes: %w", err)
	}
	total := tagSize(head)
	if total == 0 {
		return id3{}, nil
	}
	if total > size {
		return id3{}, fmt.Errorf("the ID3v2 tag declares %d bytes, the file has %d", total, size)
	}
	if total > maxTag {
		return id3{}, fmt.Errorf("the ID3v2 tag is %d bytes, over check's limit of %d", total, maxTag)
	}
	tag := make([]byte, total)
	if n, err := r.ReadAt(tag, 0); int64(n) < total {
		return id3{}, fmt.Errorf("reading the %d-byte ID3v2 tag: %w", total, err)
	}
	t, err := audio.ReadTags(bytes.NewReader(tag), total)
	if err != nil {
		return id3{}, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "audio: "))
	}
	return id3{present: true, chapters: t.Chapters, ctoc: hasFrame(tag, "CTOC")}, nil
}

// tagSize is the size of the ID3v2 tag whose 10-byte header is h, footer
// included, or 0 when h is not one.
func tagSize(h []byte) int64 {
	if len(h) < 10 || string(h[:3]) != "ID3" || h[3] == 0xFF || h[4] == 0xFF {
		return 0
	}
	n, ok := syncSafe(h[6:10])
	if !ok {
		return 0
	}
	n += 10
	if h[3] >= 4 && h[5]&0x10 != 0 {
		n += 10
	}
	return n
}

func syncSafe(b []byte) (int64, bool) {
	var n int64
	for _, c := range b {
		if c&0x80 != 0 {
			return 0, false
		}
		n = n<<7 | int64(c)
	}
	return n, true
}

// hasFrame reports whether the ID3v2.3 or v2.4 tag holds a top-level frame
// with the given ID. audio.ReadTags orders chapters by the CTOC but does not
// say whether there was one, and Apple Podcasts shows no chapters without.
func hasFrame(tag []byte, id string) bool {
	if len(tag) < 10 {
		return false
	}
	version, flags := tag[3], tag[5]
	body := tag[10:]
	if version == 4 && flags&0x10 != 0 && len(body) >= 10 {
		body = body[:len(body)-10]
	}
	if version == 3 && flags&0x80 != 0 {
		body = bytes.ReplaceAll(body, []byte{0xFF, 0x00}, []byte{0xFF})
	}
	if flags&0x40 != 0 && len(body) >= 4 {
		if version == 3 {
			body = body[min(len(body), 4+int(binary.BigEndian.Uint32(body))):]
		} else if n, ok := syncSafe(body[:4]); ok {
			body = body[min(int64(len(body)), n):]
		}
	}
	for len(body) >= 10 && body[0] != 0 {
		var n int64
		if version == 4 {
			var ok bool
			if n, ok = syncSafe(body[4:8]); !ok {
				return false
			}
		} else {
			n = int64(binary.BigEndian.Uint32(body[4:8]))
		}
		if string(body[:4]) == id {
			return true
		}
		if n > int64(len(body)-10) {
			return false
		}
		body = body[10+n:]
	}
	return false
}
