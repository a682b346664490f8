package audio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// seeds are the fuzz corpus: the committed fixture, tagged and cut up, and
// the odd shapes the unit tests use.
func seeds(f *testing.F) [][]byte {
	f.Helper()
	fixture, err := os.ReadFile("testdata/tone.mp3")
	if err != nil {
		f.Fatal(err)
	}
	tagged := filepath.Join(f.TempDir(), "tagged.mp3")
	if err := os.WriteFile(tagged, fixture, 0o644); err != nil {
		f.Fatal(err)
	}
	err = WriteTags(tagged, Tags{
		Title: "t", Artist: "a", Comment: "c", Track: 1, TrackTotal: 2, Year: 2024,
		Cover: []byte("\x89PNG\r\n\x1a\nxx"),
		Chapters: []Chapter{
			{Title: "one", End: 100 * time.Millisecond},
			{Title: "two", Start: 100 * time.Millisecond, End: 300 * time.Millisecond},
		},
	})
	if err != nil {
		f.Fatal(err)
	}
	withTag, err := os.ReadFile(tagged)
	if err != nil {
		f.Fatal(err)
	}
	mpeg25, err := os.ReadFile("testdata/tone-8k.mp3")
	if err != nil {
		f.Fatal(err)
	}
	return [][]byte{
		fixture,
		withTag,
		withTag[:300],
		fixture[:len(fixture)/2],
		fixture[208:],            // without the Info frame
		concat(fixture, fixture), // two recordings joined with cat
		mpeg25,
		mpeg25[:len(mpeg25)/2],
		// bytes that are not audio in the middle, which Decode skips
		concat(fixture[:len(fixture)/2], bytes.Repeat([]byte{0x5A, 0xFF, 0xE3, 0x00, 0x13}, 40), fixture[len(fixture)/2:]),
		concat(id3Tag(4, 0x10, 20), fixture, apeTag(), id3v1()),
		id3Tag(3, 0x80, 30),
		[]byte("RIFF\x00\x00\x00\x00WAVEfmt "),
		{},
		{0xFF, 0xFB, 0x90, 0x44},
	}
}

// FuzzProbe checks that Probe never panics, returns errors that wrap
// ErrNotMP3, and describes what it accepts consistently.
func FuzzProbe(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := Probe(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, ErrNotMP3) {
				t.Fatalf("error does not wrap ErrNotMP3: %v", err)
			}
			if !errors.Is(err, ErrTruncated) {
				return
			}
		}
		if info.AudioStart < 0 || info.AudioStart > int64(len(b)) {
			t.Fatalf("AudioStart %d outside a %d-byte file", info.AudioStart, len(b))
		}
		if info.Duration < 0 || info.Frames < 0 || info.EncoderDelay < 0 || info.EncoderPadding < 0 {
			t.Fatalf("negative field: %+v", info)
		}
		// No more frames than the file can hold.
		if info.Frames > len(b)/24+1 {
			t.Fatalf("%d frames in %d bytes", info.Frames, len(b))
		}
	})
}

// FuzzReadTags checks that ReadTags never panics, wraps ErrBadTag, and
// never allocates much more than the input's size.
func FuzzReadTags(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tags, err := ReadTags(bytes.NewReader(b), int64(len(b)))
		runtime.ReadMemStats(&after)
		if err != nil && !errors.Is(err, ErrBadTag) {
			t.Fatalf("error does not wrap ErrBadTag: %v", err)
		}
		// Text decoding can grow a byte into a few (Latin-1 to UTF-8,
		// UTF-16 to runes); anything far beyond is a size taken on trust.
		if grew := after.TotalAlloc - before.TotalAlloc; grew > uint64(64*len(b)+64<<10) {
			t.Fatalf("allocated %d bytes reading %d", grew, len(b))
		}
		if len(tags.Cover) > len(b) || len(tags.Chapters) > len(b) {
			t.Fatalf("more out than in: %d cover bytes, %d chapters from %d bytes", len(tags.Cover), len(tags.Chapters), len(b))
		}
	})
}

// FuzzDecode checks that Decode and Read never panic (go-mp3 is not
// hardened; Decode turns its panics into errors) and never return more
// samples than Len promises.
func FuzzDecode(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s, uint16(0))
	}
	f.Add(seeds(f)[0], uint16(1))
	f.Fuzz(func(t *testing.T, b []byte, rate uint16) {
		if len(b) > 64<<10 {
			return // small inputs: decoding is slow per byte
		}
		rates := []int{0, 16000, 8000, 44100, 22050, 48000, 11025, 4001}
		p, err := Decode(bytes.NewReader(b), rates[int(rate)%len(rates)])
		if err != nil {
			return
		}
		buf := make([]float32, 777)
		var n int64
		for {
			k, err := p.Read(buf)
			n += int64(k)
			if n > p.Len() {
				t.Fatalf("read %d samples, Len is %d", n, p.Len())
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, ErrNotMP3) {
					t.Fatalf("read error does not wrap ErrNotMP3: %v", err)
				}
				return
			}
		}
		if n != p.Len() {
			t.Fatalf("read %d samples, Len is %d", n, p.Len())
		}
	})
}
