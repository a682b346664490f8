package check

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/showtest"
	"github.com/readcast/readcast/internal/web"
)

// serve loads the show in dir with the base URL of a new loopback server
// and serves it through wrap (nil serves it as is). It returns the feed's
// URL and the snapshot. A problem loading the show fails the test.
func serve(tb testing.TB, dir string, wrap func(http.Handler, *catalog.Snapshot) http.Handler) (string, *catalog.Snapshot) {
	tb.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: dir, BaseURL: base, Generator: "readcast"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range snap.Problems {
		tb.Errorf("show problem: %v", p)
	}
	srv, err := web.New(web.Config{Snapshot: snap})
	if err != nil {
		tb.Fatal(err)
	}
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h, snap)
	}
	ts.Config.Handler = h
	ts.Start()
	tb.Cleanup(ts.Close)
	return base + catalog.FeedPath, snap
}

// runCheck checks feedURL and returns the report and its printed form.
func runCheck(tb testing.TB, feedURL string) (*Report, string) {
	tb.Helper()
	rep, err := Run(context.Background(), feedURL, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.Write(&b); err != nil {
		tb.Fatal(err)
	}
	return rep, b.String()
}

func TestGoodShowPasses(t *testing.T) {
	dir := showtest.Build(t)
	feedURL, snap := serve(t, dir, nil)
	rep, out := runCheck(t, feedURL)
	t.Logf("\n%s", out)
	if !rep.OK() {
		t.Errorf("check failed a good show")
	}
	if len(rep.Warnings) > 0 {
		t.Errorf("check warned about a good show")
	}
	if rep.Episodes != len(snap.Episodes) || rep.Episodes == 0 {
		t.Errorf("checked %d episodes, the show has %d", rep.Episodes, len(snap.Episodes))
	}
	if !strings.HasPrefix(strings.Split(out, "\n")[0], "ok ") {
		t.Errorf("first line %q, want the ok summary", strings.Split(out, "\n")[0])
	}
}

// TestSeedShowPasses checks the seed show in episodes/ as `readcast serve`
// serves it: the recordings narrate committed, with their ID3 chapters.
func TestSeedShowPasses(t *testing.T) {
	const dir = "../../episodes"
	mp3s, _ := filepath.Glob(filepath.Join(dir, catalog.AudioDir, "*.mp3"))
	if len(mp3s) == 0 {
		t.Skip("the seed show is not recorded yet: no episodes/audio/*.mp3 (readcast narrate)")
	}
	feedURL, snap := serve(t, dir, nil)
	rep, out := runCheck(t, feedURL)
	t.Logf("\n%s", out)
	if !rep.OK() {
		t.Errorf("check failed the seed show")
	}
	if rep.Episodes != len(mp3s) || rep.Episodes != len(snap.Episodes) {
		t.Errorf("checked %d episodes; the seed has %d recordings and %d episodes", rep.Episodes, len(mp3s), len(snap.Episodes))
	}
}

func TestStalledRequestsTimeOut(t *testing.T) {
	dir := showtest.Build(t)
	stall := func(next http.Handler, s *catalog.Snapshot) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != s.Episodes[0].Audio.Path {
				next.ServeHTTP(w, r)
				return
			}
			switch {
			case r.Method == http.MethodHead:
				<-r.Context().Done() // never answers
			case r.Header.Get("Range") == "":
				w.Header().Set("Content-Length", strconv.FormatInt(s.Episodes[0].Audio.Size, 10))
				w.Write(make([]byte, 1000))
				w.(http.Flusher).Flush()
				<-r.Context().Done() // stops sending
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
	feedURL, snap := serve(t, dir, stall)
	// The timeout applies to every request of the check, the good ones
	// too: it must be long enough that none of those stalls that long on
	// a loaded machine. The stalled requests never progress, whatever it is.
	const timeout = 2 * time.Second
	rep, err := Run(context.Background(), feedURL, Options{Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	rep.Write(&b)
	where := fmt.Sprintf("episode 1 %q", snap.Episodes[0].Outline.Title)
	u := snap.BaseURL + snap.Episodes[0].Audio.Path
	for _, want := range []string{
		"FAIL " + where + ": HEAD: no progress for " + timeout.String() + " (" + u + ")\n",
		"FAIL " + where + ": GET: reading the body after 1000 bytes: no progress for " + timeout.String() + " (" + u + ")\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no line\n%s\nin\n%s", want, b.String())
		}
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	dir := showtest.Build(t)
	var mu sync.Mutex
	inFlight, most := 0, 0
	count := func(next http.Handler, _ *catalog.Snapshot) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			time.Sleep(5 * time.Millisecond) // give requests a chance to overlap
			next.ServeHTTP(w, r)
			mu.Lock()
			inFlight--
			mu.Unlock()
		})
	}
	feedURL, _ := serve(t, dir, count)
	rep, err := Run(context.Background(), feedURL, Options{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("check failed a good show: %v", rep.Failures)
	}
	if most > 2 {
		t.Errorf("%d requests in flight at once, want at most 2", most)
	}
}
