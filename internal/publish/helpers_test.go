package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// seed is the committed show every test copies.
const seed = "../../episodes"

// slug2 is the seed episode the tests re-record: the shortest.
const slug2 = "02-the-official-history"

// copyShow copies the seed show into a temporary directory.
func copyShow(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.CopyFS(dir, os.DirFS(seed)); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func load(tb testing.TB, dir string) *catalog.Snapshot {
	tb.Helper()
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: dir, BaseURL: "http://readcast.test"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range snap.Problems {
		tb.Errorf("show problem: %v", p)
	}
	return snap
}

// retake returns the seed recording of slug with an ID3v1 tag naming take
// appended: other bytes, so another content hash, and the same audio.
func retake(tb testing.TB, slug, take string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(seed, catalog.AudioDir, slug+".mp3"))
	if err != nil {
		tb.Fatal(err)
	}
	tag := make([]byte, 128)
	copy(tag, "TAG")
	copy(tag[3:33], take)
	return append(b, tag...)
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sidecarAligner stands in for internal/align: it answers with the seed's
// own timing map of the episode, which fits any retake of its recording.
func sidecarAligner(calls *int) Aligner {
	return AlignerFunc(func(ctx context.Context, path string, ep Episode, progress func(Progress)) (*Alignment, error) {
		if calls != nil {
			*calls++
		}
		progress(Progress{Stage: "decode", Done: 1, Total: 2})
		data, err := os.ReadFile(filepath.Join(seed, catalog.AudioDir, ep.Outline.Slug+catalog.TimingExt))
		if err != nil {
			return nil, err
		}
		m, err := timing.Parse(data)
		if err != nil {
			return nil, err
		}
		m.Method, m.AudioSHA256 = timing.MethodAligned, ""
		progress(Progress{Stage: "align", Done: 1, Total: 1})
		return &Alignment{Map: m, Notes: []string{"sentence 3 was read twice"}}, nil
	})
}

// timingFor is the seed's timing map of slug, made the map of recording b.
func timingFor(tb testing.TB, slug string, b []byte) *timing.Map {
	tb.Helper()
	a, err := sidecarAligner(nil).Align(context.Background(), "", Episode{Outline: segment.Episode{Slug: slug}}, func(Progress) {})
	if err != nil {
		tb.Fatal(err)
	}
	a.Map.AudioSHA256 = sha(b)
	return a.Map
}

// state describes every file under dir — its path, its kind, a symlink's
// target, a file's content hash — so that two states are equal exactly when
// the directory holds the same show byte for byte.
func state(tb testing.TB, dir string) string {
	tb.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			lines = append(lines, rel+" -> "+t)
		case d.IsDir():
			lines = append(lines, rel+"/")
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			lines = append(lines, rel+" "+sha(b)[:16])
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// leftovers lists the temporary files under dir.
func leftovers(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && (strings.HasPrefix(d.Name(), uploadPrefix) || strings.HasPrefix(d.Name(), tempPrefix) || strings.HasSuffix(d.Name(), ".tmp")) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// id3Only is an ID3v2.4 tag with a title frame and nothing after it.
func id3Only() []byte {
	frame := []byte("TIT2\x00\x00\x00\x06\x00\x00\x03hello")
	var b bytes.Buffer
	b.WriteString("ID3\x04\x00\x00")
	b.Write(syncsafe(len(frame)))
	b.Write(frame)
	return b.Bytes()
}

func syncsafe(n int) []byte {
	return []byte{byte(n >> 21 & 0x7f), byte(n >> 14 & 0x7f), byte(n >> 7 & 0x7f), byte(n & 0x7f)}
}

// wav is a RIFF WAVE file of seconds of an 889 Hz square wave, 16-bit mono.
func wav(seconds float64) []byte {
	const rate = 16000
	x := make([]float32, int(seconds*rate))
	for i := range x {
		x[i] = 8000.0 / 32767
		if i/9%2 == 0 {
			x[i] = -x[i]
		}
	}
	return testtool.WAV(x, rate)
}

// silentMP3 encodes seconds of digital silence with lame.
func silentMP3(tb testing.TB, seconds float64) []byte {
	tb.Helper()
	lame := testtool.Require(tb, "lame", "lame")
	dir := tb.TempDir()
	w := wav(seconds)
	// Zero the samples, keep the header.
	for i := 44; i < len(w); i++ {
		w[i] = 0
	}
	in, out := filepath.Join(dir, "s.wav"), filepath.Join(dir, "s.mp3")
	if err := os.WriteFile(in, w, 0o644); err != nil {
		tb.Fatal(err)
	}
	if b, err := exec.Command(lame, "--quiet", "-b", "32", in, out).CombinedOutput(); err != nil {
		tb.Fatalf("lame: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
