package audio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/bogem/id3v2/v2"

	"github.com/readcast/readcast/internal/atomicfile"
)

// ErrBadTag is wrapped by errors about an ID3v2 tag that cannot be read, or
// Tags that cannot be written as one.
var ErrBadTag = errors.New("bad ID3v2 tag")

// Chapter is one ID3v2 CHAP frame: a titled span of the audio.
type Chapter struct {
	ID         string // element ID, unique in the tag, like "chp1"
	Title      string
	Start, End time.Duration // on the player's clock, stored in milliseconds
}

// Tags is the metadata readcast writes into an episode's MP3.
type Tags struct {
	Title, Artist, Album, Genre, Comment string
	Track, TrackTotal, Year              int
	Cover                                []byte // front cover image
	CoverMIME                            string // "image/jpeg" or "image/png"; sniffed when empty
	Chapters                             []Chapter
}

const (
	// maxChapters is what one CTOC frame can list: its entry count is a
	// single byte.
	maxChapters = 255
	// tocID is the element ID of the table of contents.
	tocID = "toc"
	// CTOC flags.
	tocTopLevel = 0x02
	tocOrdered  = 0x01
	// maxSyncSafe is the largest size a v2.4 tag or frame can declare.
	maxSyncSafe = 1<<28 - 1
)

// WriteTags replaces the tags of the MP3 at path with one ID3v2.4 tag
// holding t. ID3v2 tags at the start go, and so do ID3v1, Lyrics3 and APE
// tags at the end, so that no stale title lingers for a player that reads
// those. The tag holds TIT2, TPE1, TALB, TRCK ("n/N"), TDRC, TCON, COMM,
// APIC (front cover), one CTOC (element "toc", top-level and ordered, listing
// every chapter, titled with t.Title) and one CHAP per chapter with a TIT2
// sub-frame. Empty fields are left out. Apple Podcasts and Overcast show no
// chapters without the CTOC.
//
// The same Tags always give the same bytes, so an episode's content hash (and
// its URL) only changes when its metadata does. The file is replaced
// atomically: the new one is written next to it, synced and renamed over it,
// so a reader (or the server) never sees half a tag.
func WriteTags(path string, t Tags) error { return WriteTagsTo(path, path, t) }

// WriteTagsTo writes to dst a copy of the MP3 at src whose only tag is one
// ID3v2.4 tag holding t, as WriteTags would: the audio frames are src's,
// byte for byte, and src itself is not touched. A person's recording keeps
// its own bytes; what is published can carry the episode's chapters.
func WriteTagsTo(src, dst string, t Tags) error {
	tag, err := encodeTag(t)
	if err != nil {
		return fmt.Errorf("audio: write tags %s: %w", dst, err)
	}
	if err := replaceTag(src, dst, tag); err != nil {
		return fmt.Errorf("audio: write tags %s: %w", dst, err)
	}
	return nil
}

// replaceTag writes tag followed by the audio of the MP3 at from, without
// its old tags, to a temporary file in path's directory and renames it over
// path.
func replaceTag(from, path string, tag []byte) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return err
	}
	// Refuse what is not an MP3: a tag in front of a WAV would make it
	// neither.
	if _, err := probe(src, st.Size()); err != nil {
		return err
	}
	audioStart, err := skipID3v2(src, st.Size())
	if err != nil {
		return err
	}
	audioEnd, err := trailingTagsStart(src, audioStart, st.Size())
	if err != nil {
		return err
	}
	tmp, err := atomicfile.Create(path, st.Mode().Perm())
	if err != nil {
		return err
	}
	defer tmp.Cleanup()
	if _, err := tmp.Write(tag); err != nil {
		return err
	}
	if _, err := io.Copy(tmp, io.NewSectionReader(src, audioStart, audioEnd-audioStart)); err != nil {
		return err
	}
	return tmp.Commit()
}

// encodeTag builds the ID3v2.4 tag for t. bogem/id3v2 encodes the frame
// bodies, but the tag is assembled here: its Tag.WriteTo orders frames by
// ranging over a map, so the same tags would give different bytes on every
// save, and it has no CTOC.
func encodeTag(t Tags) ([]byte, error) {
	chapters, err := checkChapters(t.Chapters)
	if err != nil {
		return nil, err
	}
	var frames bytes.Buffer
	for _, f := range tagFrames(t, chapters) {
		if err := writeFrame(&frames, f.id, f.body); err != nil {
			return nil, err
		}
	}
	if frames.Len() > maxSyncSafe {
		return nil, fmt.Errorf("tag of %d bytes is over the ID3v2 limit of %d: %w", frames.Len(), maxSyncSafe, ErrBadTag)
	}
	tag := make([]byte, 0, 10+frames.Len())
	tag = append(tag, 'I', 'D', '3', 4, 0, 0)
	tag = append(tag, syncSafe(frames.Len())...)
	return append(tag, frames.Bytes()...), nil
}

// tagFrame is one frame of a tag: its ID and its body.
type tagFrame struct {
	id   string
	body id3v2.Framer
}

// tagFrames lists the frames of t in the order they are written: the text
// frames, the comment, the cover, then the table of contents and the
// chapters (already checked). Empty fields have no frame.
func tagFrames(t Tags, chapters []Chapter) []tagFrame {
	text := func(s string) id3v2.TextFrame {
		return id3v2.TextFrame{Encoding: id3v2.EncodingUTF8, Text: s}
	}
	var out []tagFrame
	texts := []struct{ id, value string }{
		{"TIT2", t.Title},
		{"TPE1", t.Artist},
		{"TALB", t.Album},
		{"TRCK", trackNumber(t.Track, t.TrackTotal)},
		{"TDRC", year(t.Year)},
		{"TCON", t.Genre},
	}
	for _, tf := range texts {
		if tf.value != "" {
			out = append(out, tagFrame{tf.id, text(tf.value)})
		}
	}
	if t.Comment != "" {
		out = append(out, tagFrame{"COMM", id3v2.CommentFrame{Encoding: id3v2.EncodingUTF8, Language: "eng", Text: t.Comment}})
	}
	if len(t.Cover) > 0 {
		mime := t.CoverMIME
		if mime == "" {
			mime = http.DetectContentType(t.Cover)
		}
		out = append(out, tagFrame{"APIC", id3v2.PictureFrame{
			Encoding:    id3v2.EncodingUTF8,
			MimeType:    mime,
			PictureType: id3v2.PTFrontCover,
			Picture:     t.Cover,
		}})
	}
	if len(chapters) > 0 {
		out = append(out, tagFrame{"CTOC", id3v2.UnknownFrame{Body: tocBody(chapters, t.Title)}})
	}
	for _, c := range chapters {
		title := text(c.Title)
		out = append(out, tagFrame{"CHAP", id3v2.ChapterFrame{
			ElementID: c.ID,
			StartTime: c.Start,
			EndTime:   c.End,
			// Offsets unused: players seek by time, and byte offsets
			// would change whenever the tag does.
			StartOffset: id3v2.IgnoredOffset,
			EndOffset:   id3v2.IgnoredOffset,
			Title:       &title,
		}})
	}
	return out
}

// writeFrame appends one ID3v2.4 frame: its header (ID, sync-safe size, no
// flags) and its body.
func writeFrame(frames *bytes.Buffer, id string, f id3v2.Framer) error {
	size := f.Size()
	if size > maxSyncSafe {
		return fmt.Errorf("%s frame of %d bytes is over the ID3v2 limit of %d: %w", id, size, maxSyncSafe, ErrBadTag)
	}
	frames.WriteString(id)
	frames.Write(syncSafe(size))
	frames.Write([]byte{0, 0}) // no flags
	_, err := f.WriteTo(frames)
	return err
}

// checkChapters fills in missing IDs ("chp1", ...), rounds times to the
// millisecond a CHAP frame stores (bogem truncates, which would turn 12.345 s
// held as 12.3449999 s into 12.344 s and break agreement with the JSON
// chapters), and rejects what a CHAP or CTOC frame cannot hold.
func checkChapters(in []Chapter) ([]Chapter, error) {
	if len(in) > maxChapters {
		return nil, fmt.Errorf("%d chapters; a CTOC frame lists at most %d: %w", len(in), maxChapters, ErrBadTag)
	}
	out := make([]Chapter, len(in))
	seen := map[string]bool{tocID: true}
	for i, c := range in {
		if c.ID == "" {
			c.ID = "chp" + strconv.Itoa(i+1)
		}
		for _, r := range c.ID {
			if r <= ' ' || r > '~' {
				return nil, fmt.Errorf("chapter %d: ID %q must be printable ASCII without spaces: %w", i+1, c.ID, ErrBadTag)
			}
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("chapter %d: ID %q is used twice (or is the table of contents' ID): %w", i+1, c.ID, ErrBadTag)
		}
		seen[c.ID] = true
		c.Start, c.End = c.Start.Round(time.Millisecond), c.End.Round(time.Millisecond)
		if c.Start < 0 || c.End < c.Start || c.End > (1<<31-1)*time.Millisecond {
			return nil, fmt.Errorf("chapter %d (%q): span %v to %v is not a forward span a CHAP frame can hold: %w", i+1, c.Title, c.Start, c.End, ErrBadTag)
		}
		out[i] = c
	}
	return out, nil
}

// tocBody is the body of a top-level, ordered CTOC frame listing chapters,
// with an optional TIT2 sub-frame (ID3v2 Chapter Frame Addendum, section
// 3.2).
func tocBody(chapters []Chapter, title string) []byte {
	b := append([]byte(tocID), 0, tocTopLevel|tocOrdered, byte(len(chapters)))
	for _, c := range chapters {
		b = append(append(b, c.ID...), 0)
	}
	if title != "" {
		var sub bytes.Buffer
		tf := id3v2.TextFrame{Encoding: id3v2.EncodingUTF8, Text: title}
		tf.WriteTo(&sub)
		b = append(b, "TIT2"...)
		b = append(b, syncSafe(sub.Len())...)
		b = append(b, 0, 0)
		b = append(b, sub.Bytes()...)
	}
	return b
}

// syncSafe encodes n (< 2^28) in four bytes of seven bits each, as ID3v2.4
// sizes are, so that no size can look like an MPEG frame sync.
func syncSafe(n int) []byte {
	return []byte{byte(n >> 21 & 0x7F), byte(n >> 14 & 0x7F), byte(n >> 7 & 0x7F), byte(n & 0x7F)}
}

func trackNumber(n, total int) string {
	switch {
	case n <= 0:
		return ""
	case total <= 0:
		return strconv.Itoa(n)
	default:
		return strconv.Itoa(n) + "/" + strconv.Itoa(total)
	}
}

func year(y int) string {
	if y <= 0 {
		return ""
	}
	return fmt.Sprintf("%04d", y)
}
