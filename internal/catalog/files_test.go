package catalog

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSymlinkOutsideRefused: a symbolic link under the show's directory
// that resolves outside it fails the load with an error naming it, while
// one inside it (as the publish store makes) is fine.
func TestSymlinkOutsideRefused(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("password=hunter2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile("../../episodes/audio/02-the-official-history.mp3")
	if err != nil {
		t.Fatal(err)
	}
	outsideMP3 := filepath.Join(outside, "x.mp3")
	if err := os.WriteFile(outsideMP3, seed, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ link, target string }{
		{CoverFile, secret},
		{CoverFile, "../" + filepath.Base(outside) + "/secret.txt"},
		{filepath.Join(AudioDir, "02-the-official-history.mp3"), outsideMP3},
		{filepath.Join(AudioDir, "notes.txt"), secret},
	} {
		dir := copyShow(t)
		link := filepath.Join(dir, tt.link)
		os.Remove(link)
		target := tt.target
		if !filepath.IsAbs(target) {
			// Relative to the link's directory: put outside next to dir.
			rel, err := filepath.Rel(filepath.Dir(link), secret)
			if err != nil {
				t.Fatal(err)
			}
			target = rel
		}
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		_, err := Load(context.Background(), Config{Dir: dir, BaseURL: testBase}, NewCache())
		if err == nil || !strings.Contains(err.Error(), link) || !strings.Contains(err.Error(), "outside") {
			t.Errorf("%s → %s: err %v; want an error naming the link", tt.link, target, err)
		}
	}
	// Inside the show: allowed.
	dir := copyShow(t)
	mp3 := filepath.Join(dir, AudioDir, "02-the-official-history.mp3")
	kept := filepath.Join(dir, AudioDir, "kept.mp3")
	if err := os.Rename(mp3, kept); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("kept.mp3", mp3); err != nil {
		t.Fatal(err)
	}
	if s := load(t, dir); s.Episodes[1].Audio == nil {
		t.Errorf("a link inside the show is not served: %v", s.Problems)
	}
}

// TestCoverChecked: the cover must be a square JPEG or PNG of 1400 to 3000
// pixels; a PNG is served as one.
func TestCoverChecked(t *testing.T) {
	encode := func(enc func(*bytes.Buffer, image.Image) error, w, h int) []byte {
		img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})
		var b bytes.Buffer
		if err := enc(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	pngEnc := func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }
	gifEnc := func(b *bytes.Buffer, m image.Image) error { return gif.Encode(b, m, nil) }
	for _, tt := range []struct {
		name string
		body []byte
		want string // in the error; empty: loads
	}{
		{"text", []byte("password=hunter2\n"), "is not a JPEG or PNG image"},
		{"GIF", encode(gifEnc, 1400, 1400), "only JPEG or PNG"},
		{"too small", encode(pngEnc, 600, 600), "600×600"},
		{"not square", encode(pngEnc, 1400, 1500), "must be square"},
		{"PNG", encode(pngEnc, 1400, 1400), ""},
	} {
		dir := copyShow(t)
		if err := os.WriteFile(filepath.Join(dir, CoverFile), tt.body, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(context.Background(), Config{Dir: dir, BaseURL: testBase}, NewCache())
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want == "" && (s.Cover.Type != TypePNG || !strings.HasSuffix(s.Cover.Path, ".png")):
			t.Errorf("%s: served as %s at %s", tt.name, s.Cover.Type, s.Cover.Path)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), CoverFile)):
			t.Errorf("%s: err %v; want one naming %s and saying %q", tt.name, err, CoverFile, tt.want)
		}
	}
}
