package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/showtest"
	"github.com/readcast/readcast/internal/web"
)

// serveShow serves the show in dir on a loopback port through wrap and
// returns the feed's URL.
func serveShow(t *testing.T, dir string, wrap func(http.Handler, *catalog.Snapshot) http.Handler) (string, *catalog.Snapshot) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: dir, BaseURL: base}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Snapshot: snap})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = wrap(srv.Handler(), snap)
	ts.Start()
	t.Cleanup(ts.Close)
	return base + catalog.FeedPath, snap
}

func TestCheckCommand(t *testing.T) {
	dir := showtest.Build(t)
	asIs := func(h http.Handler, _ *catalog.Snapshot) http.Handler { return h }
	noHead := func(h http.Handler, s *catalog.Snapshot) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead && strings.HasPrefix(r.URL.Path, "/audio/") {
				http.Error(w, "no", http.StatusMethodNotAllowed)
				return
			}
			h.ServeHTTP(w, r)
		})
	}

	t.Run("good show", func(t *testing.T) {
		feedURL, _ := serveShow(t, dir, asIs)
		out, err := runCmd(t, "check", "-timeout", "10s", feedURL)
		if err != nil {
			t.Fatalf("check failed a good show: %v\n%s", err, out)
		}
		if !strings.HasPrefix(out, "ok "+feedURL+": ") {
			t.Errorf("output %q, want the ok summary", out)
		}
	})
	t.Run("HEAD not allowed", func(t *testing.T) {
		feedURL, snap := serveShow(t, dir, noHead)
		out, err := runCmd(t, "check", feedURL)
		n := len(snap.Episodes)
		if err == nil || err.Error() != "check: "+strconv.Itoa(n)+" failures in "+feedURL {
			t.Fatalf("error %v, want one counting %d failures\n%s", err, n, out)
		}
		for i, e := range snap.Episodes {
			line := "FAIL episode " + strconv.Itoa(i+1) + ` "` + e.Outline.Title + `": HEAD answered 405 Method Not Allowed, want 200 OK; Apple checks enclosures with HEAD (` + snap.BaseURL + e.Audio.Path + ")\n"
			if !strings.Contains(out, line) {
				t.Errorf("no line\n%s\nin\n%s", line, out)
			}
		}
	})
	t.Run("usage", func(t *testing.T) {
		out, err := runCmd(t, "check")
		if err == nil || !strings.Contains(out, "usage: readcast check") {
			t.Errorf("check without a URL: %v\n%s", err, out)
		}
		if _, err := runCmd(t, "check", "feed.xml"); err == nil || !strings.Contains(err.Error(), "not an absolute http(s) URL") {
			t.Errorf("check of a relative URL: %v", err)
		}
	})
}
