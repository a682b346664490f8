package audio

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// ReadTags reads the ID3v2.3 or v2.4 tag at the start of an MP3 (size is the
// file's size): text frames, the comment, the front cover and the chapters.
// Chapters come in the order of the top-level CTOC when there is one (as
// players show them), otherwise by start time. A file without an ID3v2 tag
// gives empty Tags and no error; a malformed tag gives an error wrapping
// ErrBadTag.
//
// It parses the tag itself rather than with bogem/id3v2, whose reader knows
// no CTOC, unsynchronisation, extended header or v2.4 frame flags, and
// trusts the sizes in the file: every size here is checked against the bytes
// actually present, so a hostile file cannot make it allocate more than the
// file's size.
func ReadTags(r io.ReaderAt, size int64) (Tags, error) {
	t, err := readTags(r, size)
	if err != nil {
		return Tags{}, fmt.Errorf("audio: read tags: %w", err)
	}
	return t, nil
}

func readTags(r io.ReaderAt, size int64) (Tags, error) {
	head := make([]byte, 10)
	n, err := readAt(r, head, 0)
	if err != nil {
		return Tags{}, err
	}
	total := id3v2Size(head[:n])
	if total == 0 {
		return Tags{}, nil
	}
	version, flags := head[3], head[5]
	if version < 3 || version > 4 {
		return Tags{}, fmt.Errorf("ID3v2.%d is not supported (only 2.3 and 2.4): %w", version, ErrBadTag)
	}
	if total > size {
		return Tags{}, fmt.Errorf("the tag declares %d bytes but the file has %d: %w", total, size, ErrBadTag)
	}
	body := make([]byte, int(total)-10)
	if version == 4 && flags&0x10 != 0 {
		body = body[:len(body)-10] // the footer, which id3v2Size counted
	}
	if n, err := readAt(r, body, 10); err != nil {
		return Tags{}, err
	} else if n < len(body) {
		return Tags{}, fmt.Errorf("the tag declares %d bytes but only %d can be read: %w", total, n+10, ErrBadTag)
	}
	p := tagParser{version: version}
	if version == 3 && flags&0x80 != 0 {
		// In v2.3 the whole tag after the header is unsynchronised, and
		// frame sizes count the restored bytes.
		body = deunsync(body)
	}
	p.unsync = version == 4 && flags&0x80 != 0
	if flags&0x40 != 0 {
		skip, err := p.extendedHeaderSize(body)
		if err != nil {
			return Tags{}, err
		}
		body = body[skip:]
	}
	if err := p.frames(body, 10, 0); err != nil {
		return Tags{}, err
	}
	return p.result(), nil
}

// tagParser collects frames as it walks a tag.
type tagParser struct {
	version  byte
	unsync   bool // v2.4: every frame is unsynchronised
	tags     Tags
	comments []comment
	covers   []picture
	chapters []Chapter
	tocs     []toc
}

type comment struct{ desc, text string }

type picture struct {
	kind byte
	mime string
	data []byte
}

type toc struct {
	id       string
	topLevel bool
	children []string
}

func (p *tagParser) extendedHeaderSize(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, fmt.Errorf("extended header cut short: %w", ErrBadTag)
	}
	var n int
	if p.version == 3 {
		n = 4 + int(binary.BigEndian.Uint32(b)) // the size leaves itself out
	} else {
		s, ok := syncSafeValue(b[:4])
		if !ok {
			return 0, fmt.Errorf("extended header size is not sync-safe: %w", ErrBadTag)
		}
		n = s
	}
	if n < 4 || n > len(b) {
		return 0, fmt.Errorf("extended header of %d bytes in a tag of %d: %w", n, len(b), ErrBadTag)
	}
	return n, nil
}

// frames parses the frames in b, which starts at byte base of the file.
// depth is 0 for the tag and 1 for the sub-frames of CHAP and CTOC, which
// may not nest further.
func (p *tagParser) frames(b []byte, base int, depth int) error {
	for pos := 0; pos+10 <= len(b); {
		id := string(b[pos : pos+4])
		if b[pos] == 0 {
			return nil // padding
		}
		if !validFrameID(id) {
			return fmt.Errorf("invalid frame ID %q at byte %d: %w", id, base+pos, ErrBadTag)
		}
		size, ok := syncSafeValue(b[pos+4 : pos+8])
		if p.version == 3 || !ok {
			// v2.3 sizes are plain; so are those of some v2.4 writers
			// (iTunes) whose sizes have the high bits set.
			size = int(binary.BigEndian.Uint32(b[pos+4:]))
		}
		fl := b[pos+9]
		start := pos + 10
		if size < 0 || size > len(b)-start {
			return fmt.Errorf("frame %s at byte %d declares %d bytes, past the end of the tag: %w", id, base+pos, size, ErrBadTag)
		}
		data := b[start : start+size]
		pos = start + size
		data, ok = p.frameData(data, fl)
		if !ok {
			continue // compressed or encrypted: not ours, not needed
		}
		if err := p.frame(id, data, base+start, depth); err != nil {
			return err
		}
	}
	return nil
}

// frameData applies a frame's format flags and reports false for frames it
// cannot read (compressed or encrypted).
func (p *tagParser) frameData(data []byte, fl byte) ([]byte, bool) {
	if p.version == 3 {
		if fl&0xC0 != 0 {
			return nil, false
		}
		if fl&0x20 != 0 { // grouping identity
			if len(data) < 1 {
				return nil, false
			}
			data = data[1:]
		}
		return data, true
	}
	if fl&0x0C != 0 {
		return nil, false
	}
	if fl&0x40 != 0 {
		if len(data) < 1 {
			return nil, false
		}
		data = data[1:]
	}
	if fl&0x01 != 0 { // data length indicator
		if len(data) < 4 {
			return nil, false
		}
		data = data[4:]
	}
	if fl&0x02 != 0 || p.unsync {
		data = deunsync(data)
	}
	return data, true
}

func (p *tagParser) frame(id string, b []byte, at int, depth int) error {
	switch {
	case depth > 0 && id != "TIT2":
		return nil
	case id == "TXXX":
		return nil
	case id[0] == 'T':
		return p.text(id, b)
	case id == "COMM":
		if len(b) < 4 {
			return nil
		}
		desc, rest := decodeTerminated(b[0], b[4:])
		p.comments = append(p.comments, comment{desc, firstValue(decodeText(b[0], rest))})
	case id == "APIC":
		if len(b) < 1 {
			return nil
		}
		mime, rest := decodeTerminated(0, b[1:])
		if len(rest) < 1 {
			return nil
		}
		kind := rest[0]
		_, data := decodeTerminated(b[0], rest[1:])
		p.covers = append(p.covers, picture{kind, mime, data})
	case id == "CHAP" && depth == 0:
		return p.chapter(b, at)
	case id == "CTOC" && depth == 0:
		return p.toc(b, at)
	}
	return nil
}

func (p *tagParser) text(id string, b []byte) error {
	if len(b) < 1 {
		return nil
	}
	s := firstValue(decodeText(b[0], b[1:]))
	t := &p.tags
	switch id {
	case "TIT2":
		t.Title = s
	case "TPE1":
		t.Artist = s
	case "TALB":
		t.Album = s
	case "TCON":
		t.Genre = s
	case "TRCK":
		n, total, _ := strings.Cut(s, "/")
		t.Track, _ = strconv.Atoi(strings.TrimSpace(n))
		t.TrackTotal, _ = strconv.Atoi(strings.TrimSpace(total))
	case "TDRC", "TYER":
		if len(s) >= 4 {
			t.Year, _ = strconv.Atoi(s[:4])
		}
	}
	return nil
}

func (p *tagParser) chapter(b []byte, at int) error {
	id, rest := decodeTerminated(0, b)
	if len(rest) < 16 {
		return fmt.Errorf("CHAP frame %q at byte %d is cut short: %w", id, at, ErrBadTag)
	}
	start := binary.BigEndian.Uint32(rest)
	end := binary.BigEndian.Uint32(rest[4:])
	sub := tagParser{version: p.version}
	if err := sub.frames(rest[16:], at+len(b)-len(rest)+16, 1); err != nil {
		return err
	}
	p.chapters = append(p.chapters, Chapter{
		ID:    id,
		Title: sub.tags.Title,
		Start: time.Duration(start) * time.Millisecond,
		End:   time.Duration(end) * time.Millisecond,
	})
	return nil
}

func (p *tagParser) toc(b []byte, at int) error {
	id, rest := decodeTerminated(0, b)
	if len(rest) < 2 {
		return fmt.Errorf("CTOC frame %q at byte %d is cut short: %w", id, at, ErrBadTag)
	}
	t := toc{id: id, topLevel: rest[0]&tocTopLevel != 0}
	count := int(rest[1])
	rest = rest[2:]
	for range count {
		if len(rest) == 0 {
			return fmt.Errorf("CTOC frame %q at byte %d lists %d entries but holds fewer: %w", id, at, count, ErrBadTag)
		}
		var child string
		child, rest = decodeTerminated(0, rest)
		t.children = append(t.children, child)
	}
	p.tocs = append(p.tocs, t)
	return nil
}

// result picks the comment and cover and orders the chapters.
func (p *tagParser) result() Tags {
	t := p.tags
	// iTunes and others add comments with a description (iTunNORM...);
	// the one without is the listener's.
	for i, c := range p.comments {
		if c.desc == "" || i == 0 {
			t.Comment = c.text
		}
		if c.desc == "" {
			break
		}
	}
	for i, c := range p.covers {
		if c.kind == 3 || i == 0 {
			t.Cover, t.CoverMIME = c.data, c.mime
		}
		if c.kind == 3 { // front cover
			break
		}
	}
	t.Chapters = p.orderedChapters()
	return t
}

// orderedChapters lists the chapters in the order of the top-level CTOC
// (following nested CTOCs), then any it leaves out by start time.
func (p *tagParser) orderedChapters() []Chapter {
	if len(p.chapters) == 0 {
		return nil
	}
	byID := make(map[string]int, len(p.chapters))
	for i, c := range p.chapters {
		if _, dup := byID[c.ID]; !dup {
			byID[c.ID] = i
		}
	}
	tocByID := make(map[string]toc, len(p.tocs))
	var root *toc
	for i, t := range p.tocs {
		tocByID[t.id] = t
		if t.topLevel && root == nil {
			root = &p.tocs[i]
		}
	}
	used := make([]bool, len(p.chapters))
	var out []Chapter
	visited := map[string]bool{}
	var walk func(t toc)
	walk = func(t toc) {
		if visited[t.id] {
			return // a CTOC that lists itself or a loop
		}
		visited[t.id] = true
		for _, child := range t.children {
			if i, ok := byID[child]; ok && !used[i] {
				used[i] = true
				out = append(out, p.chapters[i])
			} else if sub, ok := tocByID[child]; ok {
				walk(sub)
			}
		}
	}
	if root != nil {
		walk(*root)
	}
	var rest []Chapter
	for i, c := range p.chapters {
		if !used[i] {
			rest = append(rest, c)
		}
	}
	slices.SortStableFunc(rest, func(a, b Chapter) int { return cmp.Compare(a.Start, b.Start) })
	return append(out, rest...)
}

func validFrameID(id string) bool {
	for i := range len(id) {
		c := id[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func syncSafeValue(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c&0x80 != 0 {
			return 0, false
		}
		n = n<<7 | int(c)
	}
	return n, true
}

// deunsync undoes unsynchronisation: every 0xFF 0x00 becomes 0xFF.
func deunsync(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xFF, 0x00}) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		out = append(out, b[i])
		if b[i] == 0xFF && i+1 < len(b) && b[i+1] == 0x00 {
			i++
		}
	}
	return out
}

// decodeTerminated decodes a string in encoding enc up to its terminator
// (one zero byte, or two aligned ones for UTF-16) and returns the rest.
func decodeTerminated(enc byte, b []byte) (string, []byte) {
	if enc == 1 || enc == 2 {
		for i := 0; i+1 < len(b); i += 2 {
			if b[i] == 0 && b[i+1] == 0 {
				return decodeText(enc, b[:i]), b[i+2:]
			}
		}
		return decodeText(enc, b), nil
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return decodeText(enc, b[:i]), b[i+1:]
	}
	return decodeText(enc, b), nil
}

// decodeText decodes an ID3v2 string: 0 ISO-8859-1, 1 UTF-16 with a byte
// order mark, 2 UTF-16BE, 3 UTF-8.
func decodeText(enc byte, b []byte) string {
	switch enc {
	case 1, 2:
		big := true
		if enc == 1 && len(b) >= 2 {
			switch {
			case b[0] == 0xFF && b[1] == 0xFE:
				big, b = false, b[2:]
			case b[0] == 0xFE && b[1] == 0xFF:
				b = b[2:]
			}
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			if big {
				u[i] = binary.BigEndian.Uint16(b[2*i:])
			} else {
				u[i] = binary.LittleEndian.Uint16(b[2*i:])
			}
		}
		return string(utf16.Decode(u))
	case 3:
		if utf8.Valid(b) {
			return string(b)
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	default:
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
}

// firstValue is the first of the NUL-separated values of a v2.4 text frame
// (and drops the terminator writers add).
func firstValue(s string) string {
	v, _, _ := strings.Cut(s, "\x00")
	return v
}
