package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	mp3 "github.com/hajimehoshi/go-mp3"
)

// Decode's output rates: below minRate speech is unintelligible, and the
// resampler's table grows as the ratio of the rates does.
const (
	minRate = 4000
	maxRate = 192000
)

// chunk is how many samples Decode converts at a time; memory stays at a
// few chunks whatever the length of the file.
const chunk = 4096

// PCM is a decoded MP3: mono float32 samples in [-1, 1] at SampleRate, with
// the gapless trim applied, so that sample i is at time i/SampleRate on the
// player's clock. Read it to the end; it holds only a few thousand samples at
// a time.
type PCM struct {
	info layout
	rate int
	src  trimmed
	rs   *resampler // nil at the file's own rate
	buf  []float32  // decoded samples on their way to the resampler
	err  error      // sticky: once Read fails, it keeps failing
}

// Decode decodes the MP3 in r to mono float32 PCM at rate samples per second
// (0 for the file's own rate, otherwise 4000 to 192000). It probes r first (see Probe) and applies the
// trim that ffmpeg and browsers apply: the Xing/Info frame, the encoder delay
// plus the decoder's 529 samples at the start and the encoder padding at the
// end. The samples then number PCM.Len, which is Info.Duration*rate rounded
// up. Truncated files are refused (their end cannot be trimmed correctly).
// r must not be used by anyone else until the PCM is read.
func Decode(r io.ReadSeeker, rate int) (*PCM, error) {
	if rate != 0 && (rate < minRate || rate > maxRate) {
		return nil, fmt.Errorf("audio: decode: sample rate %d Hz is outside %d-%d Hz", rate, minRate, maxRate)
	}
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("audio: decode: %w", err)
	}
	ra, ok := r.(io.ReaderAt)
	if !ok {
		ra = seekReaderAt{r}
	}
	l, err := probe(ra, size)
	if err != nil {
		return nil, fmt.Errorf("audio: decode: %w", err)
	}
	// The decoder sees only the audio frames: no ID3 tag (go-mp3 would
	// allocate whatever size an ID3 header claims), no Info frame (it would
	// decode it as 1152 samples of silence), no trailing tags, and none of
	// the bytes between frames that are not one (go-mp3 stops at those).
	// Hiding Seek stops go-mp3 from reading the whole file up front to
	// build a seek index we do not use.
	audio := &streamFrames{w: newWindow(ra, l.audioEnd), pos: l.AudioStart, end: l.audioEnd, h0: l.stream}
	p := &PCM{info: l, rate: l.SampleRate}
	if rate != 0 {
		p.rate = rate
	}
	dec, err := newDecoder(audio)
	if err != nil {
		return nil, fmt.Errorf("audio: decode: %w: %w", err, ErrNotMP3)
	}
	p.src = trimmed{dec: dec, raw: make([]byte, 4*chunk), left: l.Samples(), skip: int64(l.LeadIn())}
	if p.rate != l.SampleRate {
		p.rs = newResampler(l.SampleRate, p.rate)
		p.buf = make([]float32, chunk)
	}
	return p, nil
}

// newDecoder wraps mp3.NewDecoder, turning a panic on malformed input into
// an error: go-mp3 is not hardened against hostile frames, and a recording
// uploaded through the admin API must not take the server down.
func newDecoder(r io.Reader) (dec *mp3.Decoder, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("decoder failed on a malformed frame: %v", v)
		}
	}()
	return mp3.NewDecoder(r)
}

// SampleRate is the rate of the samples Read returns.
func (p *PCM) SampleRate() int { return p.rate }

// Info is what Decode's probe found.
func (p *PCM) Info() Info { return p.info.Info }

// Len is the total number of samples Read returns.
func (p *PCM) Len() int64 {
	keep := p.info.Samples()
	if p.rs == nil {
		return keep
	}
	return (keep*int64(p.rs.up) + int64(p.rs.down) - 1) / int64(p.rs.down)
}

// Read fills dst with the next samples; only the last call before the end
// returns fewer than len(dst). After the last sample it returns 0, io.EOF.
func (p *PCM) Read(dst []float32) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.read(dst)
	if err != nil && err != io.EOF {
		p.err = err
	}
	if n > 0 {
		return n, nil
	}
	return 0, err
}

func (p *PCM) read(dst []float32) (int, error) {
	if p.rs == nil {
		n := 0
		for n < len(dst) {
			k, err := p.src.read(dst[n:])
			n += k
			if err != nil {
				return n, err
			}
		}
		return n, nil
	}
	n := 0
	for n < len(dst) {
		n += p.rs.read(dst[n:])
		if p.rs.done() {
			return n, io.EOF
		}
		if n == len(dst) {
			break
		}
		k, err := p.src.read(p.buf)
		p.rs.write(p.buf[:k])
		if err == io.EOF {
			p.rs.close()
		} else if err != nil {
			return n, err
		}
	}
	return n, nil
}

// trimmed is the decoder's output, downmixed to mono and cut to the
// player's clock: skip samples dropped at the start, then left samples.
type trimmed struct {
	dec    *mp3.Decoder
	raw    []byte // decoder output, 16-bit little-endian stereo; raw[lo:hi] is not yet used
	lo, hi int
	skip   int64
	left   int64
	decEOF bool
}

// read fills dst with up to len(dst) samples.
func (t *trimmed) read(dst []float32) (int, error) {
	for {
		if t.left <= 0 {
			return 0, io.EOF
		}
		if int64(len(dst)) > t.left {
			dst = dst[:t.left]
		}
		if t.hi-t.lo < 4 {
			if t.decEOF {
				// The stream ended before its padding: LAME pads at
				// least the decoder delay, other encoders may not.
				// Silence keeps the count equal to Info.Duration.
				clear(dst)
				t.left -= int64(len(dst))
				return len(dst), nil
			}
			t.hi = copy(t.raw, t.raw[t.lo:t.hi])
			t.lo = 0
			n, err := decodeInto(t.dec, t.raw[t.hi:])
			t.hi += n
			if errors.Is(err, io.EOF) {
				t.decEOF = true
			} else if err != nil {
				return 0, fmt.Errorf("audio: decode: %w: %w", err, ErrNotMP3)
			}
			continue
		}
		k := 0
		for t.hi-t.lo >= 4 && k < len(dst) {
			l := int16(binary.LittleEndian.Uint16(t.raw[t.lo:]))
			r := int16(binary.LittleEndian.Uint16(t.raw[t.lo+2:]))
			t.lo += 4
			if t.skip > 0 {
				t.skip--
				continue
			}
			dst[k] = (float32(l) + float32(r)) / 65536
			k++
		}
		t.left -= int64(k)
		if k > 0 {
			return k, nil
		}
	}
}

// decodeInto reads decoded bytes, turning a decoder panic into an error (see
// newDecoder).
func decodeInto(dec *mp3.Decoder, b []byte) (n int, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("decoder failed on a malformed frame: %v", v)
		}
	}()
	return dec.Read(b)
}

// streamFrames reads the frames of one stream from pos to end, each whole
// and followed by another frame of the stream (or by the end): bytes that
// are not audio (a damaged copy, stray data in the middle) and a frame they
// cut into are skipped, as players skip them.
type streamFrames struct {
	w        *window
	pos, end int64
	h0       frameHeader
	pending  []byte // the rest of the current frame
}

func (f *streamFrames) Read(p []byte) (int, error) {
	for len(f.pending) == 0 {
		if err := f.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}

// next puts the next good frame in pending.
func (f *streamFrames) next() error {
	for f.pos < f.end {
		b, err := f.w.at(f.pos, maxFrameSize+4)
		if err != nil {
			return err
		}
		if size := f.frameAt(b); size > 0 {
			f.pending = b[:size]
			f.pos += int64(size)
			return nil
		}
		next, found, err := resync(f.w.at, f.pos, f.end, f.h0)
		if err != nil {
			return err
		}
		if !found {
			break
		}
		f.pos = next
	}
	return io.EOF
}

// frameAt returns the size of the frame b starts with, or 0 when b does
// not start a whole frame of the stream followed by the next one's header
// (fewer than 4 bytes before the end are taken as the end).
func (f *streamFrames) frameAt(b []byte) int {
	h, ok := parseFrameHeader(b)
	if !ok || !h.sameStream(f.h0) || f.pos+int64(h.size) > f.end || len(b) < h.size {
		return 0
	}
	if len(b) < h.size+4 {
		return h.size
	}
	if nh, ok := parseFrameHeader(b[h.size:]); ok && nh.sameStream(f.h0) {
		return h.size
	}
	return 0
}

// seekReaderAt gives Probe and the frame reader an io.ReaderAt over an
// io.ReadSeeker; Decode reads r only through it, so moving the offset here
// does no harm.
type seekReaderAt struct{ r io.ReadSeeker }

func (s seekReaderAt) ReadAt(b []byte, off int64) (int, error) {
	if _, err := s.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(s.r, b)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF // as io.ReaderAt reports a short read at the end
	}
	return n, err
}
