package export

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/web"
)

const base = "https://cdn.example.org/show"

func seedHandler(t *testing.T) (http.Handler, *catalog.Snapshot) {
	t.Helper()
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: "../../episodes", BaseURL: base}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Snapshot: snap})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler(), snap
}

func TestExportSeed(t *testing.T) {
	h, snap := seedHandler(t)
	out := filepath.Join(t.TempDir(), "site")
	files, err := Export(context.Background(), h, base, out)
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(read("feed.xml"), snap.Feed.Body) {
		t.Error("exported feed differs from the served one")
	}
	if !strings.Contains(string(read("index.html")), snap.Show.Title) {
		t.Error("index.html is not the show page")
	}
	for _, e := range snap.Episodes {
		want, _ := os.ReadFile(e.Audio.File)
		if got := read(strings.TrimPrefix(e.Audio.Path, "/")); !bytes.Equal(got, want) {
			t.Errorf("%s: exported MP3 differs", e.Slug())
		}
		for _, tr := range e.Transcripts {
			if got := read(strings.TrimPrefix(tr.Asset.Path, "/")); !bytes.Equal(got, tr.Asset.Body) {
				t.Errorf("%s: exported %s transcript differs", e.Slug(), tr.Format)
			}
		}
		read(strings.TrimPrefix(e.ChaptersDoc.Path, "/"))
		read("episodes/" + e.Slug() + "/index.html")
	}
	read(strings.TrimPrefix(snap.Cover.Path, "/"))
	if len(files) < 1+1+len(snap.Episodes)*7 {
		t.Errorf("exported only %d files", len(files))
	}
}

// TestFailedExportKeepsThePrevious breaks one URL: the export fails, names
// it, and the earlier export is left as it was, with no temp dir behind.
func TestFailedExportKeepsThePrevious(t *testing.T) {
	h, snap := seedHandler(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "site")
	if _, err := Export(context.Background(), h, base, out); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(out, "feed.xml"))
	broken := snap.Episodes[1].Transcripts[0].Asset.Path
	bad := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == broken {
			http.Error(w, "disk on fire", http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	})
	_, err := Export(context.Background(), bad, base, out)
	if err == nil || !strings.Contains(err.Error(), broken) {
		t.Fatalf("err = %v, want it to name %s", err, broken)
	}
	after, _ := os.ReadFile(filepath.Join(out, "feed.xml"))
	if !bytes.Equal(before, after) {
		t.Error("the failed export changed the previous one")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestFileName(t *testing.T) {
	for p, want := range map[string]string{
		"/":                   "index.html",
		"/feed.xml":           "feed.xml",
		"/episodes/01-a":      "episodes/01-a/index.html",
		"/audio/01-a.abc.mp3": "audio/01-a.abc.mp3",
	} {
		typ := "text/html; charset=utf-8"
		if got := fileName(p, typ); got != want {
			t.Errorf("fileName(%q) = %q, want %q", p, got, want)
		}
	}
}
