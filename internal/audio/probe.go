package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotMP3 is wrapped by every error that says a file is not a usable MP3:
// empty, another format, an ID3 tag with no audio, no frame sync, or cut
// short. Callers map it to "bad input" rather than an internal failure.
var ErrNotMP3 = errors.New("not a valid MP3")

// ErrTruncated is wrapped (with ErrNotMP3) when the file ends inside an audio
// frame or before the byte count its Info tag promises. Probe then still
// returns the Info of the complete frames, so a caller may choose to accept
// the file.
var ErrTruncated = errors.New("truncated")

// errIncomplete is ErrNotMP3 for a file that holds no audio at all (empty,
// or only a tag): a copy or an export that did not finish, which Remedy
// tells apart from another format.
var errIncomplete = fmt.Errorf("%w", ErrNotMP3)

// Remedy says what a person can do about the file at path that Probe or
// Decode refused with err, with the command that makes a usable MP3 of it
// when one can; "" when err is not about the file's contents.
func Remedy(path string, err error) string {
	out := strings.TrimSuffix(path, filepath.Ext(path)) + ".converted.mp3"
	switch {
	case errors.Is(err, ErrTruncated):
		return fmt.Sprintf("%s was cut short (a copy or an upload that stopped): copy it again; to keep what is there, re-encode it with ffmpeg -i %q -vn -ar 44100 -codec:a libmp3lame -qscale:a 2 %q and use that file", path, path, out)
	case errors.Is(err, errIncomplete):
		return fmt.Sprintf("%s holds no recording: copy it again from the recorder or the program that made it", path)
	case errors.Is(err, ErrNotMP3):
		return fmt.Sprintf("convert %s to MP3 with ffmpeg -i %q -vn -ar 44100 -codec:a libmp3lame -qscale:a 2 %q and use that file", path, path, out)
	}
	return ""
}

// Info describes an MP3 as a player sees it.
type Info struct {
	SampleRate int
	Channels   int
	// Duration is in seconds on the player's clock. With a LAME tag it is
	// (Frames*samplesPerFrame - EncoderDelay - EncoderPadding)/SampleRate:
	// what is left after the trim ffmpeg does, which drops EncoderDelay+529
	// samples at the start and ends EncoderPadding-529 samples before the
	// last frame does (the decoder's 529 samples shift both ends). Without
	// one it is Frames*samplesPerFrame/SampleRate; Frames never counts the
	// Info frame. ffprobe's format=duration differs: it is the untrimmed
	// Frames*samplesPerFrame/SampleRate with an Info tag, and an estimate
	// from the first frame's bitrate without one.
	Duration float64
	// Bitrate is the average bits per second of the audio frames.
	Bitrate int
	// VBR is set by a Xing or VBRI tag, or by frames of different bitrates.
	VBR bool
	// Frames counts audio frames, not the Xing/Info/VBRI frame.
	Frames int
	// EncoderDelay and EncoderPadding come from the LAME tag, 0 if absent;
	// Gapless is set when they do (the player's clock is then trimmed).
	EncoderDelay, EncoderPadding int
	Gapless                      bool
	// SamplesPerFrame is 1152 for MPEG-1, 576 for MPEG-2 and 2.5.
	SamplesPerFrame int
	// AudioStart is the byte offset of the first audio frame, after any
	// ID3v2 tags and the Xing/Info/VBRI frame.
	AudioStart int64
	// Version is "MPEG-1", "MPEG-2" or "MPEG-2.5"; only layer III is read.
	Version string
}

const (
	// syncSearch bounds the search for the first frame after the ID3v2 tag:
	// real encoders put it right there, and a longer search in a non-MP3
	// only finds false syncs.
	syncSearch = 128 << 10
	// maxFrameSize is the largest layer III frame (MPEG-1 320 kbit/s at
	// 32 kHz, or MPEG-2.5 160 kbit/s at 8 kHz, plus padding).
	maxFrameSize = 1441
	// syncFrames is how many consecutive frames of one stream make a sync
	// believable.
	syncFrames = 3
	// scanChunk is how much of the file a frame scan reads at once.
	scanChunk = 64 << 10
)

// layout is what probe learns: Info plus the byte range that Decode needs.
type layout struct {
	Info
	audioEnd int64       // end of the last audio frame
	stream   frameHeader // the first frame's header: its stream is the audio
}

// Samples is the number of samples per channel on the player's clock: the
// frames' samples less the gapless trim.
func (in Info) Samples() int64 {
	return int64(in.Frames)*int64(in.SamplesPerFrame) - int64(in.EncoderDelay) - int64(in.EncoderPadding)
}

// LeadIn is the number of samples a decoder puts out before the player's
// clock starts: the encoder's and the decoder's delay of a gapless file
// (which Decode drops), 0 otherwise.
func (in Info) LeadIn() int {
	if !in.Gapless {
		return 0
	}
	return in.EncoderDelay + decoderDelay
}

// Probe reads an MP3's layout from its frame headers without decoding. It
// skips ID3v2 tags at the start (several, and the v2.4 footer) and ID3v1,
// Lyrics3v2 and APE tags at the end, and believes a Xing/Info or VBRI frame
// count when it fits the file; otherwise it counts the frames. Errors wrap
// ErrNotMP3; on ErrTruncated the Info of the complete frames is returned too.
func Probe(r io.ReaderAt, size int64) (Info, error) {
	l, err := probe(r, size)
	if err != nil {
		return l.Info, fmt.Errorf("audio: %w", err)
	}
	return l.Info, nil
}

// ProbeFile probes the MP3 at path.
func ProbeFile(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("audio: probe: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("audio: probe: %w", err)
	}
	l, err := probe(f, st.Size())
	if err != nil {
		return l.Info, fmt.Errorf("audio: probe %s: %w", path, err)
	}
	return l.Info, nil
}

// probe does Probe's work; its errors lack the "audio: " prefix so that
// ProbeFile and Decode can add their own context without stutter.
func probe(r io.ReaderAt, size int64) (layout, error) {
	start, end, err := audioSpan(r, size)
	if err != nil {
		return layout{}, err
	}
	first, h, err := findFirstFrame(r, start, end)
	if err != nil {
		return layout{}, err
	}
	l := layout{
		stream: h,
		Info: Info{
			SampleRate:      h.sampleRate,
			Channels:        h.channels,
			Version:         h.versionName(),
			AudioStart:      first,
			SamplesPerFrame: h.samples,
		},
	}
	frame := make([]byte, h.size)
	if _, err := readAt(r, frame, first); err != nil {
		return layout{}, err
	}
	tag, isTag := parseVBRTag(frame, h)
	if isTag {
		l.AudioStart = first + int64(h.size)
		l.VBR = tag.vbr
		if tag.lame && tag.delay+tag.padding < tag.frames*h.samples {
			l.EncoderDelay, l.EncoderPadding, l.Gapless = tag.delay, tag.padding, true
		}
	}
	var truncErr error
	joined := isTag && tag.bytes > 0 && framesAt(r, first+tag.bytes, end, h)
	if joined {
		// Another recording was appended (cat part1.mp3 part2.mp3): the
		// tag counts only the first, and its padding is not at the end.
		l.EncoderPadding = 0
	}
	if isTag && tag.frames > 0 && !joined && believable(tag, h, first, l.AudioStart, end) {
		l.Frames = tag.frames
		l.audioEnd = end
		if tag.bytes > 0 && first+tag.bytes < end {
			// Trailing bytes that are not audio (a tag we do not know) are
			// left out of the bitrate.
			l.audioEnd = first + tag.bytes
		}
	} else if truncErr, err = l.countFrames(r, h, first, end, size, tag, isTag); err != nil {
		return layout{}, err
	}
	l.finish(h)
	return l, truncErr
}

// audioSpan returns where the MP3 stream of a file of size bytes lies:
// after its ID3v2 tag, before its trailing tags. A file that is another
// format, or only a tag, is ErrNotMP3.
func audioSpan(r io.ReaderAt, size int64) (start, end int64, err error) {
	if size <= 0 {
		return 0, 0, fmt.Errorf("empty file (0 bytes): %w", errIncomplete)
	}
	head := make([]byte, 12)
	n, err := readAt(r, head, 0)
	if err != nil {
		return 0, 0, err
	}
	if kind := otherFormat(head[:n]); kind != "" {
		return 0, 0, fmt.Errorf("this is %s file, not an MP3: %w", kind, ErrNotMP3)
	}
	start, err = skipID3v2(r, size)
	if err != nil {
		return 0, 0, err
	}
	if start == size {
		return 0, 0, fmt.Errorf("the file is only an ID3v2 tag (%d bytes) with no audio after it: %w", size, errIncomplete)
	}
	end, err = trailingTagsStart(r, start, size)
	return start, end, err
}

// countFrames counts the frames where the VBR tag (if isTag) has no count
// to believe. A stream cut short is not an error but truncErr: what is
// there can still be played, without the end's padding trim.
func (l *layout) countFrames(r io.ReaderAt, h frameHeader, first, end, size int64, tag vbrTag, isTag bool) (truncErr, err error) {
	s, err := scanFrames(r, l.AudioStart, end, h)
	if err != nil {
		return nil, err
	}
	l.Frames, l.audioEnd, truncErr = s.frames, s.end, s.truncated
	l.VBR = l.VBR || s.vbr
	if truncErr == nil && isTag && tag.bytes > 0 && first+tag.bytes > end {
		truncErr = fmt.Errorf("truncated at byte %d: the Info tag promises %d bytes of audio from byte %d, the file holds %d: %w (%w)",
			size, tag.bytes, first, end-first, ErrNotMP3, ErrTruncated)
	}
	if truncErr != nil {
		// The end of the stream and its padding are gone; keep only
		// the start trim.
		l.EncoderPadding = 0
	}
	if l.Frames == 0 && truncErr == nil {
		return nil, fmt.Errorf("no audio frames after the %s tag at byte %d: %w", tag.name, first, ErrNotMP3)
	}
	return truncErr, nil
}

// finish derives the bitrate and the duration from the frames counted.
func (l *layout) finish(h frameHeader) {
	perFrame := float64(h.samples) / float64(h.sampleRate)
	raw := float64(l.Frames) * perFrame
	if raw > 0 {
		l.Bitrate = int(float64(l.audioEnd-l.AudioStart)*8/raw + 0.5)
	}
	if l.Samples() < 0 {
		l.EncoderDelay, l.EncoderPadding, l.Gapless = 0, 0, false
	}
	l.Duration = float64(l.Samples()) / float64(h.sampleRate)
}

// believable reports whether a Xing/Info or VBRI frame count fits the file:
// every frame is at least minFrameSize bytes, and the byte count, when the
// tag has one, must not run past the audio. A tag from a file that was cut
// short, or a forged one, falls back to counting frames.
func believable(t vbrTag, h frameHeader, first, audioStart, end int64) bool {
	if int64(t.frames) > (end-audioStart)/int64(h.minFrameSize())+1 {
		return false
	}
	return t.bytes == 0 || first+t.bytes <= end
}

// framesAt reports whether frames of h's stream start at off (before end):
// audio past the end that a VBR tag gives its stream.
func framesAt(r io.ReaderAt, off, end int64, h frameHeader) bool {
	if off >= end {
		return false
	}
	buf := make([]byte, min(end-off, syncFrames*maxFrameSize+4))
	n, err := readAt(r, buf, off)
	if err != nil {
		return false
	}
	nh, ok := parseFrameHeader(buf[:n])
	return ok && nh.sameStream(h) && chainAt(buf[:n], 0, nh, off, end)
}

// otherFormat names a few formats that people save with an .mp3 name, so
// that the error says what the file is instead of only what it is not.
func otherFormat(b []byte) string {
	switch {
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return "a WAV (RIFF WAVE)"
	case len(b) >= 4 && string(b[:4]) == "fLaC":
		return "a FLAC"
	case len(b) >= 4 && string(b[:4]) == "OggS":
		return "an Ogg"
	case len(b) >= 8 && string(b[4:8]) == "ftyp":
		return "an MP4/M4A"
	}
	return ""
}

// readAt fills b from r at off, reporting a short read at the end of the
// data as n < len(b) rather than an error.
func readAt(r io.ReaderAt, b []byte, off int64) (int, error) {
	n, err := r.ReadAt(b, off)
	if err == io.EOF || (err == nil && n < len(b)) {
		return n, nil
	}
	if err != nil {
		return n, fmt.Errorf("read at byte %d: %w", off, err)
	}
	return n, nil
}

// id3v2Size returns the total size of the ID3v2 tag whose 10-byte header is
// h (header, frames and the v2.4 footer), or 0 if h is not one.
func id3v2Size(h []byte) int64 {
	if len(h) < 10 || string(h[:3]) != "ID3" || h[3] == 0xFF || h[4] == 0xFF {
		return 0
	}
	var n int64
	for _, b := range h[6:10] {
		if b&0x80 != 0 {
			return 0
		}
		n = n<<7 | int64(b)
	}
	n += 10
	if h[3] >= 4 && h[5]&0x10 != 0 {
		n += 10
	}
	return n
}

// skipID3v2 returns the offset after the ID3v2 tags at the start of the file.
// Some taggers prepend a new tag without removing the old one, so it skips
// as many as there are.
func skipID3v2(r io.ReaderAt, size int64) (int64, error) {
	var off int64
	h := make([]byte, 10)
	for {
		n, err := readAt(r, h, off)
		if err != nil {
			return 0, err
		}
		tag := id3v2Size(h[:n])
		if tag == 0 {
			return off, nil
		}
		if off+tag > size {
			return 0, fmt.Errorf("the ID3v2 tag at byte %d declares %d bytes but the file ends at byte %d: %w", off, tag, size, errIncomplete)
		}
		off += tag
	}
}

// trailingTagsStart returns where the audio ends: before an ID3v1 tag, a
// Lyrics3v2 block and an APE tag, in the order taggers append them.
func trailingTagsStart(r io.ReaderAt, start, end int64) (int64, error) {
	if end-start >= 128 {
		b := make([]byte, 3)
		if _, err := readAt(r, b, end-128); err != nil {
			return 0, err
		}
		if string(b) == "TAG" {
			end -= 128
		}
	}
	if end-start >= 15 {
		b := make([]byte, 15)
		if _, err := readAt(r, b, end-15); err != nil {
			return 0, err
		}
		if string(b[6:]) == "LYRICS200" {
			var n int64
			for _, c := range b[:6] {
				if c < '0' || c > '9' {
					n = -1
					break
				}
				n = n*10 + int64(c-'0')
			}
			if n >= 0 && end-15-n >= start {
				end -= 15 + n
			}
		}
	}
	if end-start >= 32 {
		b := make([]byte, 32)
		if _, err := readAt(r, b, end-32); err != nil {
			return 0, err
		}
		if string(b[:8]) == "APETAGEX" {
			n := int64(binary.LittleEndian.Uint32(b[12:16]))
			if binary.LittleEndian.Uint32(b[20:24])&(1<<31) != 0 {
				n += 32 // the header, which the size leaves out
			}
			if end-n >= start {
				end -= n
			}
		}
	}
	return end, nil
}

// findFirstFrame finds the first frame of a stream of syncFrames consecutive
// layer III frames (fewer if the audio ends exactly after them) within
// syncSearch bytes of start. It looks in a small window first: real files
// have their first frame right at start, and probing every episode of a show
// should not read 128 KiB of each.
func findFirstFrame(r io.ReaderAt, start, end int64) (int64, frameHeader, error) {
	var searched int64
	for _, limit := range []int64{4 << 10, syncSearch} {
		window := min(end-start, limit+syncFrames*maxFrameSize)
		buf := make([]byte, window)
		n, err := readAt(r, buf, start)
		if err != nil {
			return 0, frameHeader{}, err
		}
		buf = buf[:n]
		searched = min(int64(n), limit)
		for i := 0; int64(i) < searched; i++ {
			if buf[i] != 0xFF {
				continue
			}
			h, ok := parseFrameHeader(buf[i:])
			if !ok {
				continue
			}
			if chainAt(buf, i, h, start, end) {
				return start + int64(i), h, nil
			}
			if i == 0 && start+int64(h.size) > end {
				return 0, frameHeader{}, fmt.Errorf("truncated at byte %d: the first frame, at byte %d, needs %d bytes: %w (%w)",
					end, start, h.size, ErrNotMP3, ErrTruncated)
			}
		}
		if int64(n) < window {
			break // the whole file has been searched
		}
	}
	if start > 0 {
		return 0, frameHeader{}, fmt.Errorf("no MPEG audio frame in the first %d bytes after the ID3v2 tag (which ends at byte %d): %w", searched, start, ErrNotMP3)
	}
	return 0, frameHeader{}, fmt.Errorf("no MPEG audio frame in the first %d bytes: %w", searched, ErrNotMP3)
}

// chainAt reports whether the frame h at buf[i] is followed by frames of the
// same stream, syncFrames in all, or by the exact end of the audio.
func chainAt(buf []byte, i int, h frameHeader, start, end int64) bool {
	for k := 1; ; k++ {
		next := i + h.size
		if start+int64(next) == end {
			return true
		}
		if start+int64(next) > end {
			return false
		}
		if k == syncFrames {
			return true
		}
		if next+4 > len(buf) {
			return false
		}
		nh, ok := parseFrameHeader(buf[next:])
		if !ok || !nh.sameStream(h) {
			return false
		}
		i, h = next, nh
	}
}

// vbrTag is what a Xing/Info or VBRI frame says.
type vbrTag struct {
	name           string // "Xing", "Info" or "VBRI"
	vbr            bool
	frames         int
	bytes          int64
	lame           bool
	delay, padding int
}

// parseVBRTag reads the Xing/Info tag (with LAME's extension) or the VBRI
// tag from the first frame. Fields are read in order as ffmpeg does: each
// optional field is present only when its flag is set.
func parseVBRTag(frame []byte, h frameHeader) (vbrTag, bool) {
	offsets := []int{4 + h.sideInfoSize()}
	if h.crc {
		offsets = append(offsets, 6+h.sideInfoSize())
	}
	for _, x := range offsets {
		if x+8 > len(frame) {
			continue
		}
		name := string(frame[x : x+4])
		if name != "Xing" && name != "Info" {
			continue
		}
		t := vbrTag{name: name, vbr: name == "Xing"}
		flags := binary.BigEndian.Uint32(frame[x+4:])
		p := x + 8
		field := func(n int) []byte {
			if p+n > len(frame) {
				p = len(frame) + 1
				return nil
			}
			b := frame[p : p+n]
			p += n
			return b
		}
		if flags&1 != 0 {
			if b := field(4); b != nil {
				t.frames = int(binary.BigEndian.Uint32(b) & 0x7FFFFFFF)
			}
		}
		if flags&2 != 0 {
			if b := field(4); b != nil {
				t.bytes = int64(binary.BigEndian.Uint32(b))
			}
		}
		if flags&4 != 0 {
			field(100) // seek table, not needed to probe
		}
		if flags&8 != 0 {
			field(4) // quality
		}
		if enc := field(24); enc != nil {
			v := string(enc[:4])
			if v == "LAME" || v == "Lavf" || v == "Lavc" {
				d := int(enc[21])<<16 | int(enc[22])<<8 | int(enc[23])
				t.lame = true
				t.delay, t.padding = d>>12, d&0xFFF
			}
		}
		return t, true
	}
	if x := 4 + 32; x+18 <= len(frame) && bytes.Equal(frame[x:x+4], []byte("VBRI")) {
		return vbrTag{
			name:   "VBRI",
			vbr:    true,
			bytes:  int64(binary.BigEndian.Uint32(frame[x+10:])),
			frames: int(binary.BigEndian.Uint32(frame[x+14:]) & 0x7FFFFFFF),
		}, true
	}
	return vbrTag{}, false
}

// scan is the result of counting frames.
type scan struct {
	frames    int
	end       int64 // end of the last complete frame
	vbr       bool
	truncated error
}

// scanFrames counts the frames of h's stream from off to end. A byte that
// does not start a frame of the stream makes it look for the next run of
// frames (a damaged frame or stray bytes in the middle); if there is none,
// what follows is not audio and the scan stops. A frame that runs past the
// end means the file was cut short.
func scanFrames(r io.ReaderAt, off, end int64, h0 frameHeader) (scan, error) {
	s := scan{end: off}
	at := newWindow(r, end).at
	pos := off
	bitrate := 0
	for pos < end {
		b, err := at(pos, 4)
		if err != nil {
			return s, err
		}
		h, ok := parseFrameHeader(b)
		if !ok || !h.sameStream(h0) {
			next, found, err := resync(at, pos, end, h0)
			if err != nil {
				return s, err
			}
			if !found {
				break
			}
			pos = next
			continue
		}
		if pos+int64(h.size) > end {
			s.truncated = fmt.Errorf("truncated at byte %d: frame %d, at byte %d, needs %d bytes: %w (%w)",
				end, s.frames+1, pos, h.size, ErrNotMP3, ErrTruncated)
			break
		}
		if bitrate != 0 && h.bitrate != bitrate {
			s.vbr = true
		}
		bitrate = h.bitrate
		s.frames++
		pos += int64(h.size)
		s.end = pos
	}
	return s, nil
}

// window reads a file up to end in chunks, for scans that move forward.
type window struct {
	r                io.ReaderAt
	end              int64
	buf              []byte
	bufStart, bufEnd int64 // the file range held in buf
}

func newWindow(r io.ReaderAt, end int64) *window {
	return &window{r: r, end: end, buf: make([]byte, scanChunk)}
}

// at returns the bytes of the file from pos on, at least need of them
// when the file has them, refilling buf as the scan moves on. The bytes
// are good until the next call.
func (w *window) at(pos int64, need int) ([]byte, error) {
	if pos < w.bufStart || pos+int64(need) > w.bufEnd {
		n, err := readAt(w.r, w.buf[:min(int64(len(w.buf)), w.end-pos)], pos)
		if err != nil {
			return nil, err
		}
		w.bufStart, w.bufEnd = pos, pos+int64(n)
	}
	return w.buf[pos-w.bufStart : w.bufEnd-w.bufStart], nil
}

// resync finds the next frame of h0's stream after pos that is followed by
// another one (or by the end of the audio), looking at most syncSearch bytes
// ahead.
func resync(at func(int64, int) ([]byte, error), pos, end int64, h0 frameHeader) (int64, bool, error) {
	limit := min(end, pos+syncSearch)
	for p := pos + 1; p+4 <= limit; p++ {
		b, err := at(p, 4)
		if err != nil {
			return 0, false, err
		}
		if b[0] != 0xFF {
			continue
		}
		h, ok := parseFrameHeader(b)
		if !ok || !h.sameStream(h0) {
			continue
		}
		next := p + int64(h.size)
		if next == end {
			return p, true, nil
		}
		if next+4 > end {
			continue
		}
		nb, err := at(next, 4)
		if err != nil {
			return 0, false, err
		}
		if nh, ok := parseFrameHeader(nb); ok && nh.sameStream(h0) {
			return p, true, nil
		}
	}
	return 0, false, nil
}
