package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/player"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// The browser tests drive Debian's headless Chromium through the show page
// and every episode page of the seed show, as a listener would: they load
// the audio, play it, click the transcript, type the shortcuts, reload,
// check accessibility with axe-core, turn JavaScript off, and save
// screenshots under test-output/screenshots. Run them with
//
//	go test ./internal/web -run Browser
//
// axe-core comes from npm: scripts/setup runs npm ci in
// internal/web/testdata/browser.

// screenshotDir is where the tests save their screenshots (gitignored).
const screenshotDir = "../../test-output/screenshots"

// chromiumFlags run Chromium headless and quiet: without the background
// networking flags it keeps trying to reach Google's servers, and the test
// machines have no network. Autoplay is allowed so that playback tests need
// no user gesture.
var chromiumFlags = []chromedp.ExecAllocatorOption{
	chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
	chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
	chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	chromedp.Flag("disable-extensions", true), chromedp.Flag("mute-audio", true),
	chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
}

type browserEnv struct {
	ts       *httptest.Server
	srv      *Server
	snap     *catalog.Snapshot
	browser  context.Context // a running browser; tabs are made from it
	requests *requestLog
}

// requestLog records the requests the browser makes, to show that the audio
// is loaded through range requests.
type requestLog struct {
	mu      sync.Mutex
	entries []loggedRequest
}

type loggedRequest struct {
	path, rangeHeader string
	status            int
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (l *requestLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		l.mu.Lock()
		l.entries = append(l.entries, loggedRequest{r.URL.Path, r.Header.Get("Range"), sw.status})
		l.mu.Unlock()
	})
}

func (l *requestLog) find(path string) []loggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []loggedRequest
	for _, e := range l.entries {
		if e.path == path {
			out = append(out, e)
		}
	}
	return out
}

// newBrowserEnv serves the seed show on a loopback port, logging requests,
// and starts one headless Chromium for all the subtests.
func newBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	return newBrowserEnvDir(t, "../../episodes")
}

// newBrowserEnvDir is newBrowserEnv for the show in dir.
func newBrowserEnvDir(t *testing.T, dir string) *browserEnv {
	t.Helper()
	chromium := testtool.Require(t, "chromium", "chromium")
	env := &browserEnv{requests: &requestLog{}}
	env.ts = httptest.NewUnstartedServer(nil)
	base := "http://" + env.ts.Listener.Addr().String()
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: dir, BaseURL: base}, nil)
	if err != nil {
		t.Fatal(err)
	}
	env.snap = snap
	if env.srv, err = New(Config{Snapshot: snap, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	env.ts.Config.Handler = env.requests.wrap(env.srv.Handler())
	env.ts.Start()
	t.Cleanup(env.ts.Close)

	opts := append(slices.Clone(chromiumFlags), chromedp.ExecPath(chromium), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	env.browser = browser
	return env
}

// tab opens a tab in a fresh browser context (its own storage), at desktop
// size, and fails the test if the page logs an error to the console.
func (env *browserEnv) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(env.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleException, chromedp.ConsoleWarning:
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("console: %s", p)
		}
	})
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

// pageWait bounds each wait for the page to react (a click, a key, the
// player moving on): the reaction takes milliseconds, but chromium on a
// loaded CI machine can take seconds. It bounds the wait, it does not time it.
const pageWait = 20 * time.Second

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.80q: %v", js, err)
	}
	return v
}

func act(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// playerReady is true once the script has set up the player and the audio
// has its metadata.
const playerReady = `(() => { const a = document.getElementById('audio'); return !!a && a.readyState >= 1 && document.body.classList.contains('has-player'); })()`

// openEpisode loads an episode page (with an optional #fragment) and waits
// for the player.
func (env *browserEnv) openEpisode(t *testing.T, ctx context.Context, e *catalog.Episode, fragment string) {
	t.Helper()
	open(t, ctx, env.ts.URL+"/episodes/"+e.Slug()+fragment)
	waitReady(t, ctx)
}

// open navigates to url and fails at once unless the page loads with 200.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("%s: status %d", url, resp.Status)
	}
}

func waitReady(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](playerReady, chromedp.WithPollingTimeout(pageWait))); err != nil {
		t.Fatalf("the player did not get ready: %v", err)
	}
}

// playerState is what the page shows of the clock.
type playerState struct {
	Time     float64 `json:"t"`
	Paused   bool    `json:"paused"`
	Rate     float64 `json:"rate"`
	Sentence string  `json:"sentence"`
	Word     string  `json:"word"`
	WordIn   string  `json:"wordIn"`
	Chapter  string  `json:"chapter"`
	Slider   string  `json:"slider"`
}

const readState = `(() => {
	const a = document.getElementById('audio');
	const s = document.querySelector('.s.is-current');
	const w = document.querySelector('.s > span.is-spoken');
	const c = document.querySelector('.chapter-list a[aria-current="true"] .chapter-title');
	return {t: a.currentTime, paused: a.paused, rate: a.playbackRate,
		sentence: s ? s.id : '', word: w ? w.textContent : '', wordIn: w ? w.parentNode.id : '',
		chapter: c ? c.textContent : '', slider: document.getElementById('seek').getAttribute('aria-valuetext')};
})()`

func state(t *testing.T, ctx context.Context) playerState {
	t.Helper()
	return eval[playerState](t, ctx, readState)
}

// setTime sets audio.currentTime as a test would from outside the player,
// and waits for the seek and two frames.
func setTime(t *testing.T, ctx context.Context, sec float64) playerState {
	t.Helper()
	eval[bool](t, ctx, fmt.Sprintf(`new Promise(resolve => {
		const a = document.getElementById('audio');
		a.addEventListener('seeked', () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))), {once: true});
		a.currentTime = %g;
	})`, sec))
	return state(t, ctx)
}

// frames waits for two animation frames, so the page has drawn what a
// click or key changed.
func frames(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[bool](t, ctx, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
}

// scrolled waits until the page stops scrolling (the player's autoscroll
// is smooth): a click by coordinates during the animation lands on
// whatever has moved under them.
func scrolled(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[bool](t, ctx, `new Promise(r => {
		let last = -1, still = 0;
		const check = () => {
			still = window.scrollY === last ? still + 1 : 0;
			last = window.scrollY;
			if (still >= 3) r(true); else requestAnimationFrame(check);
		};
		requestAnimationFrame(check);
	})`)
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// letters keeps the letters and digits of s, lowercased: a written word
// ("USSR,") and a timed word ("USSR") compare equal.
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

func TestBrowser(t *testing.T) {
	env := newBrowserEnv(t)
	var timed []*catalog.Episode
	for _, e := range env.snap.Episodes {
		if e.Timing != nil {
			timed = append(timed, e)
		}
	}
	if len(timed) == 0 {
		t.Fatal("the seed show has no timed episode")
	}
	// The longest episode is the hardest case for drift and layout.
	longest := slices.MaxFunc(timed, func(a, b *catalog.Episode) int {
		return int(a.Info.Duration - b.Info.Duration)
	})

	t.Run("Load", func(t *testing.T) { testLoad(t, env) })
	t.Run("Highlight", func(t *testing.T) { testHighlight(t, env, longest) })
	t.Run("Playback", func(t *testing.T) { testPlayback(t, env, timed[1%len(timed)]) })
	t.Run("Follow", func(t *testing.T) { testFollow(t, env, longest) })
	t.Run("Seek", func(t *testing.T) { testSeek(t, env, longest) })
	t.Run("DeepLinks", func(t *testing.T) { testDeepLinks(t, env, longest) })
	t.Run("Search", func(t *testing.T) { testSearch(t, env, longest) })
	t.Run("Keyboard", func(t *testing.T) { testKeyboard(t, env, longest) })
	t.Run("Resume", func(t *testing.T) { testResume(t, env, timed[0]) })
	t.Run("Accessibility", func(t *testing.T) { testAccessibility(t, env, timed[0]) })
	t.Run("NoScript", func(t *testing.T) { testNoScript(t, env, timed[0]) })
	t.Run("Screenshots", func(t *testing.T) { testScreenshots(t, env, timed[0]) })
}

// testLoad: the show page and every episode page load with no console
// error, and each audio element plays as long as the episode is, loaded
// through range requests.
func testLoad(t *testing.T, env *browserEnv) {
	ctx := env.tab(t)
	open(t, ctx, env.ts.URL+"/")
	n := eval[int](t, ctx, `document.querySelectorAll('.episode-card').length`)
	if n != len(env.snap.Episodes) {
		t.Errorf("the show page lists %d episodes, want %d", n, len(env.snap.Episodes))
	}
	if got := eval[bool](t, ctx, `!document.querySelector('button[data-copy]').hidden`); !got {
		t.Error("the show page's copy button is still hidden with JavaScript on")
	}
	eval[bool](t, ctx, `(() => { window.copied = ''; navigator.clipboard.writeText = s => { window.copied = s; return Promise.resolve(); }; return true; })()`)
	act(t, ctx, chromedp.Click(chromedp.CSS("button[data-copy]")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('.copy-status').textContent === 'Feed URL copied'`, chromedp.WithPollingTimeout(pageWait))); err != nil {
		t.Errorf("the copy button does not say it copied: %v", err)
	}
	if got, want := eval[string](t, ctx, `window.copied`), env.snap.BaseURL+catalog.FeedPath; got != want {
		t.Errorf("the copy button copied %q, want %q", got, want)
	}
	for _, e := range env.snap.Episodes {
		if e.Audio == nil {
			continue
		}
		env.openEpisode(t, ctx, e, "")
		d := eval[float64](t, ctx, `document.getElementById('audio').duration`)
		if !near(d, e.Info.Duration, 0.1) {
			t.Errorf("%s: the browser says the audio lasts %.3f s, the catalog %.3f s", e.Slug(), d, e.Info.Duration)
		}
		ranged := false
		for _, r := range env.requests.find(e.Audio.Path) {
			if r.rangeHeader != "" && r.status == http.StatusPartialContent {
				ranged = true
			}
		}
		if !ranged {
			t.Errorf("%s: the browser made no range request (206) for %s: %+v", e.Slug(), e.Audio.Path, env.requests.find(e.Audio.Path))
		}
		if e.Timing != nil {
			got := eval[int](t, ctx, `document.querySelectorAll('#transcript .s[data-b]').length`)
			if got != len(e.Timing.Sentences) {
				t.Errorf("%s: %d timed sentences on the page, the timing map has %d", e.Slug(), got, len(e.Timing.Sentences))
			}
		}
	}
}

// testHighlight: setting currentTime inside sentence k highlights sentence k
// and the word being spoken, at the start, middle and end of the longest
// episode.
func testHighlight(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	sents := e.Timing.Sentences
	for _, k := range []int{0, 1, len(sents) / 2, len(sents) - 2, len(sents) - 1} {
		s := sents[k]
		w := s.Words[len(s.Words)/2]
		at := (w.Start + w.End) / 2
		got := setTime(t, ctx, at)
		if got.Sentence != s.ID {
			t.Errorf("at %.3f s (sentence %d) the highlighted sentence is %q, want %q", at, k, got.Sentence, s.ID)
		}
		if got.WordIn != s.ID || letters(got.Word) != letters(w.Text) {
			t.Errorf("at %.3f s the highlighted word is %q in %q, want %q in %q", at, got.Word, got.WordIn, w.Text, s.ID)
		}
		chapter := e.Chapters[0].Title
		for _, c := range e.Chapters {
			if c.Start <= at {
				chapter = c.Title
			}
		}
		if got.Chapter != chapter {
			t.Errorf("at %.3f s the current chapter is %q, want %q", at, got.Chapter, chapter)
		}
		if k > 0 {
			// A change of chapter is announced politely.
			n := 0
			for i, c := range e.Chapters {
				if c.Title == chapter {
					n = i + 1
				}
			}
			want := fmt.Sprintf("Chapter %d of %d: %s", n, len(e.Chapters), chapter)
			if got := eval[string](t, ctx, `document.getElementById('announcer').textContent`); n > 1 && got != want {
				t.Errorf("at %.3f s the live region says %q, want %q", at, got, want)
			}
		}
		if want := player.Clock(at) + " of " + player.Clock(e.Info.Duration); got.Slider != want {
			t.Errorf("at %.3f s the seek slider's aria-valuetext is %q, want %q", at, got.Slider, want)
		}
	}
}

// testPlayback: with autoplay allowed, playback moves the highlight from
// sentence to sentence, always on the sentence being spoken.
func testPlayback(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	sents := e.Timing.Sentences
	// Start a second before a short sentence, and play through it into the
	// next one, at double speed.
	k := 1
	for i := 1; i+2 < len(sents); i++ {
		if sents[i].End-sents[i].Start < sents[k].End-sents[k].Start {
			k = i
		}
	}
	from := sents[k].Start - 1
	setTime(t, ctx, from)
	eval[bool](t, ctx, `(() => { const a = document.getElementById('audio'); a.muted = true; a.playbackRate = 2; a.play(); return true; })()`)
	want := []string{sents[k-1].ID, sents[k].ID, sents[k+1].ID}
	var seen []string
	deadline := time.Now().Add(time.Duration((sents[k+1].Start-from)/2*float64(time.Second)) + 10*time.Second)
	for time.Now().Before(deadline) {
		st := state(t, ctx)
		if st.Paused {
			t.Fatalf("playback stopped at %.3f s", st.Time)
		}
		// The sentence being spoken: the last that started. Near a boundary
		// the page may be a frame or two behind the clock: at double speed on
		// a loaded machine that is up to 0.3 s of audio (seen in CI).
		cur, prev := "", ""
		for i, s := range sents {
			if s.Start <= st.Time+0.001 {
				cur = s.ID
				if st.Time-s.Start < 0.3 && i > 0 {
					prev = sents[i-1].ID
				}
			}
		}
		if st.Sentence != cur && st.Sentence != prev {
			t.Errorf("at %.3f s the highlighted sentence is %q, want %q", st.Time, st.Sentence, cur)
		}
		if len(seen) == 0 || seen[len(seen)-1] != st.Sentence {
			seen = append(seen, st.Sentence)
		}
		if st.Sentence == sents[k+1].ID {
			break
		}
		time.Sleep(40 * time.Millisecond)
	}
	if !slices.Equal(seen, want) {
		t.Errorf("during playback the highlight went through %q, want %q", seen, want)
	}
	eval[bool](t, ctx, `(() => { document.getElementById('audio').pause(); return true; })()`)
}

// testFollow: while playing, the page keeps the spoken sentence in view;
// once the reader scrolls away it stops, and the "Back to the narration"
// button brings the page back to the voice and resumes following.
func testFollow(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	sents := e.Timing.Sentences
	k := len(sents) / 2
	setTime(t, ctx, sents[k].End-0.4)
	inView := `(() => { const s = document.querySelector('.s.is-current'); if (!s) return false;
		const r = s.getBoundingClientRect(); return r.top >= 0 && r.bottom <= document.getElementById('player').getBoundingClientRect().top; })()`
	eval[bool](t, ctx, `(() => { const a = document.getElementById('audio'); a.muted = true; a.playbackRate = 2; a.play(); return true; })()`)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](inView, chromedp.WithPollingTimeout(pageWait))); err != nil {
		t.Fatalf("playing, the page does not bring the spoken sentence into view: %v", err)
	}
	// The reader scrolls back to the top with the mouse wheel.
	for range 20 {
		if _, err := chromedp.Call(ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{
			Type: input.DispatchMouseEventTypeMouseWheel, X: 700, Y: 300, DeltaX: 0.01, DeltaY: -1000, // DeltaX: the protocol wants both, and 0 is left out
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`scrollY === 0 && !document.getElementById('follow').hidden`, chromedp.WithPollingTimeout(pageWait))); err != nil {
		t.Fatalf("after scrolling away the follow button does not show: %v", err)
	}
	// The narration moves on; the page stays where the reader put it.
	from := state(t, ctx).Sentence
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('.s.is-current').id !== '`+from+`'`, chromedp.WithPollingTimeout(pageWait))); err != nil {
		t.Fatal(err)
	}
	frames(t, ctx)
	if y := eval[float64](t, ctx, `scrollY`); y != 0 {
		t.Errorf("the page followed the voice after the reader scrolled away (scrollY %.0f)", y)
	}
	act(t, ctx, chromedp.Click(chromedp.ID("follow")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](inView+` && document.getElementById('follow').hidden`, chromedp.WithPollingTimeout(pageWait))); err != nil {
		t.Errorf("the follow button does not bring the spoken sentence back into view: %v", err)
	}
	eval[bool](t, ctx, `(() => { document.getElementById('audio').pause(); return true; })()`)
}

// testSeek: clicking sentence k seeks to its start, clicking a word to the
// word, clicking a chapter or a paragraph's time link to its time.
func testSeek(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	sents := e.Timing.Sentences
	for _, k := range []int{3, len(sents) / 2, len(sents) - 1} {
		s := sents[k]
		scrolled(t, ctx)
		act(t, ctx, chromedp.Click(chromedp.CSS("#"+s.ID+" > span:first-child")))
		frames(t, ctx)
		if got := state(t, ctx); !near(got.Time, s.Start, 0.05) || got.Sentence != s.ID {
			t.Errorf("after a click on sentence %d: at %.3f s in %q, want %.3f s in %q", k, got.Time, got.Sentence, s.Start, s.ID)
		}
		// A click on the sentence itself, not on a word, also seeks to its
		// start: what a script or an assistive technology would click.
		setTime(t, ctx, 0)
		eval[bool](t, ctx, `(() => { document.getElementById('`+s.ID+`').click(); return true; })()`)
		frames(t, ctx)
		if got := state(t, ctx); !near(got.Time, s.Start, 0.05) {
			t.Errorf("after a click on the span of sentence %d: at %.3f s, want %.3f s", k, got.Time, s.Start)
		}
	}
	// A word in the middle of a sentence.
	s := sents[len(sents)/2]
	j := len(s.Words) / 2
	scrolled(t, ctx)
	act(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf("#%s > span:nth-child(%d)", s.ID, j+1))))
	frames(t, ctx)
	if got := state(t, ctx); !near(got.Time, s.Words[j].Start, 0.05) || letters(got.Word) != letters(s.Words[j].Text) {
		t.Errorf("after a click on word %q: at %.3f s on %q, want %.3f s", s.Words[j].Text, got.Time, got.Word, s.Words[j].Start)
	}
	for i, c := range e.Chapters {
		scrolled(t, ctx)
		act(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(".chapter-list li:nth-child(%d) a", i+1))))
		frames(t, ctx)
		got := state(t, ctx)
		if !near(got.Time, c.Start, 0.05) || got.Chapter != c.Title {
			t.Errorf("after a click on chapter %d: at %.3f s in %q, want %.3f s in %q", i+1, got.Time, got.Chapter, c.Start, c.Title)
		}
	}
	// The time link of the last paragraph.
	href := eval[string](t, ctx, `[...document.querySelectorAll('#transcript p > a.t')].pop().getAttribute('href')`)
	scrolled(t, ctx)
	act(t, ctx, chromedp.Click(chromedp.CSS(`#transcript section:last-of-type p:last-of-type > a.t`)))
	frames(t, ctx)
	_, frag, _ := strings.Cut(href, "#t=")
	var want float64
	fmt.Sscan(frag, &want)
	if got := state(t, ctx); !near(got.Time, want, 0.05) {
		t.Errorf("after a click on the time link %s: at %.3f s", href, got.Time)
	}
	if got := eval[string](t, ctx, `location.hash`); got != "" {
		t.Errorf("a click on a time link navigated to %q", got)
	}
	// The share button copies the permalink of the sentence being spoken.
	s = sents[len(sents)/3]
	setTime(t, ctx, s.Start+0.2)
	eval[bool](t, ctx, `(() => { window.copied = ''; navigator.clipboard.writeText = s => { window.copied = s; return Promise.resolve(); }; return true; })()`)
	act(t, ctx, chromedp.Click(chromedp.ID("share")))
	frames(t, ctx)
	if got, want := eval[string](t, ctx, `window.copied`), env.ts.URL+"/episodes/"+e.Slug()+"#"+s.ID; got != want {
		t.Errorf("the share button copied %q, want %q", got, want)
	}
	if got := eval[string](t, ctx, `document.getElementById('toast').textContent`); got != "Link to this sentence copied" {
		t.Errorf("after sharing the page says %q", got)
	}
}

// testDeepLinks: #t=95 starts at 95 s, #s-… at the sentence, #chapter-N at
// the chapter.
func testDeepLinks(t *testing.T, env *browserEnv, e *catalog.Episode) {
	sents := e.Timing.Sentences
	k := len(sents) * 2 / 3
	tests := []struct {
		fragment string
		want     float64
		sentence string
	}{
		{"#t=95", 95, sentenceAt(e.Timing, 95)},
		{"#t=npt:1:35.5", 95.5, sentenceAt(e.Timing, 95.5)},
		{"#" + sents[k].ID, sents[k].Start, sents[k].ID},
		{fmt.Sprintf("#chapter-%d", len(e.Chapters)), e.Chapters[len(e.Chapters)-1].Start, ""},
	}
	for _, tt := range tests {
		ctx := env.tab(t)
		env.openEpisode(t, ctx, e, tt.fragment)
		got := state(t, ctx)
		if !near(got.Time, tt.want, 0.05) {
			t.Errorf("%s: the player starts at %.3f s, want %.3f s", tt.fragment, got.Time, tt.want)
		}
		if tt.sentence != "" && got.Sentence != tt.sentence {
			t.Errorf("%s: the highlighted sentence is %q, want %q", tt.fragment, got.Sentence, tt.sentence)
		}
		if !got.Paused {
			t.Errorf("%s: a deep link started playback on its own", tt.fragment)
		}
		if tt.sentence != "" {
			top := eval[float64](t, ctx, `document.getElementById('`+tt.sentence+`').getBoundingClientRect().top`)
			if top < 0 || top > 800-100 {
				t.Errorf("%s: the linked sentence is out of view (top %.0f px)", tt.fragment, top)
			}
		}
	}
}

func sentenceAt(m *timing.Map, at float64) string {
	id := ""
	for _, s := range m.Sentences {
		if s.Start <= at {
			id = s.ID
		}
	}
	return id
}

// testSearch: the search lists the matching sentences with their times, and
// choosing one seeks there.
func testSearch(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	// A word that is in several sentences.
	word, want := "", 0
	for _, cand := range []string{"Trotsky", "party", "Soviet", "the"} {
		n := 0
		for _, s := range e.Timing.Sentences {
			if strings.Contains(strings.ToLower(s.Text), strings.ToLower(cand)) {
				n++
			}
		}
		if n >= 2 {
			word, want = cand, n
			break
		}
	}
	act(t, ctx, chromedp.SendKeys(chromedp.ID("q"), strings.ToLower(word)))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#results button').length > 0`, chromedp.WithPollingTimeout(pageWait))); err != nil {
		t.Fatalf("no search results for %q: %v", word, err)
	}
	type result struct {
		Time string `json:"time"`
		Mark string `json:"mark"`
	}
	results := eval[[]result](t, ctx, `[...document.querySelectorAll('#results button')].map(b => ({time: b.querySelector('time').textContent, mark: b.querySelector('mark').textContent}))`)
	if len(results) != min(want, 50) {
		t.Errorf("%d results for %q, want %d", len(results), word, want)
	}
	for _, r := range results {
		if !strings.EqualFold(r.Mark, word) {
			t.Errorf("a result marks %q, want %q", r.Mark, word)
		}
	}
	if status := eval[string](t, ctx, `document.getElementById('search-status').textContent`); !strings.HasPrefix(status, fmt.Sprint(want)) {
		t.Errorf("search status %q, want %d matches", status, want)
	}
	act(t, ctx, chromedp.Click(chromedp.CSS("#results li:nth-child(2) button")))
	frames(t, ctx)
	got := state(t, ctx)
	if player.Clock(got.Time) != results[1].Time {
		t.Errorf("the second result says %s, the player went to %.3f s", results[1].Time, got.Time)
	}
	if !strings.Contains(strings.ToLower(eval[string](t, ctx, `document.querySelector('.s.is-current').textContent`)), strings.ToLower(word)) {
		t.Errorf("after choosing a result the current sentence does not contain %q", word)
	}
}

// testKeyboard: the shortcuts work, and none of them fires while typing in
// the search box.
func testKeyboard(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	eval[bool](t, ctx, `(() => { document.getElementById('audio').muted = true; document.activeElement.blur(); return true; })()`)
	key := func(k string) playerState { t.Helper(); return pressKey(t, ctx, k) }
	if st := key("k"); st.Paused {
		t.Error("K did not start playback")
	}
	if st := key("k"); !st.Paused {
		t.Error("K did not pause")
	}
	// Space plays and pauses, and does not scroll the page as it would.
	y := eval[float64](t, ctx, `scrollY`)
	if st := key(" "); st.Paused {
		t.Error("space did not start playback")
	}
	if st := key(" "); !st.Paused {
		t.Error("space did not pause")
	}
	if got := eval[float64](t, ctx, `scrollY`); got != y {
		t.Errorf("space scrolled the page from %.0f to %.0f", y, got)
	}
	setTime(t, ctx, 100)
	for _, tt := range []struct {
		key  string
		want float64
	}{{"l", 130}, {"j", 115}, {"ArrowRight", 145}, {"ArrowLeft", 130}} {
		if st := key(tt.key); !near(st.Time, tt.want, 0.05) {
			t.Errorf("%q: at %.3f s, want %.3f s", tt.key, st.Time, tt.want)
		}
	}
	for _, tt := range []struct {
		key  string
		want float64
	}{{">", 1.25}, {">", 1.5}, {"<", 1.25}, {"<", 1}, {"<", 0.75}, {"<", 0.75}} {
		if st := key(tt.key); st.Rate != tt.want {
			t.Errorf("%q: speed %v, want %v", tt.key, st.Rate, tt.want)
		}
	}
	key(">")
	setTime(t, ctx, 1)
	for i := 1; i < len(e.Chapters); i++ {
		if st := key("n"); !near(st.Time, e.Chapters[i].Start, 0.05) {
			t.Errorf("N: at %.3f s, want chapter %d at %.3f s", st.Time, i+1, e.Chapters[i].Start)
		}
	}
	for i := len(e.Chapters) - 2; i >= 0; i-- {
		if st := key("p"); !near(st.Time, e.Chapters[i].Start, 0.05) {
			t.Errorf("P: at %.3f s, want chapter %d at %.3f s", st.Time, i+1, e.Chapters[i].Start)
		}
	}
	// Typing in the search box types.
	before := setTime(t, ctx, 60)
	key("/")
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "q" {
		t.Fatalf("/ focused %q, not the search box", id)
	}
	for _, k := range "kj l<n p" {
		press(t, ctx, string(k))
	}
	frames(t, ctx)
	after := state(t, ctx)
	if after.Time != before.Time || !after.Paused || after.Rate != before.Rate {
		t.Errorf("typing in the search box moved the player: %+v, then %+v", before, after)
	}
	if v := eval[string](t, ctx, `document.getElementById('q').value`); v != "kj l<n p" {
		t.Errorf("the search box holds %q", v)
	}
}

// press types one key as a keyboard does: a keydown that carries its text,
// so that a page that cancels the keydown also cancels the typing, then a
// keyup. k is a printable character or a key name ("ArrowLeft").
func press(t *testing.T, ctx context.Context, k string) {
	t.Helper()
	down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: k}
	switch {
	case k == "ArrowLeft":
		down.Code, down.WindowsVirtualKeyCode = k, 37
	case k == "ArrowRight":
		down.Code, down.WindowsVirtualKeyCode = k, 39
	case k == " ":
		down.Code, down.WindowsVirtualKeyCode, down.Text = "Space", 32, " "
	case k == "Enter":
		down.Code, down.WindowsVirtualKeyCode, down.Text = "Enter", 13, "\r"
	case len(k) == 1:
		down.Text, down.UnmodifiedText = k, k
		if c := k[0]; c >= 'a' && c <= 'z' {
			down.Code, down.WindowsVirtualKeyCode = "Key"+strings.ToUpper(k), int64(c-'a'+'A')
		}
		if strings.Contains("<>?", k) {
			down.Modifiers = 8 // shift
		}
	default:
		t.Fatalf("press: unknown key %q", k)
	}
	if down.Text == "" {
		down.Type = input.DispatchKeyEventTypeRawKeyDown
	}
	up := down
	up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
	for _, ev := range []input.DispatchKeyEventParams{down, up} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// testResume: reloading an episode resumes where the listener left it.
func testResume(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	if st := state(t, ctx); st.Time != 0 {
		t.Fatalf("a first visit starts at %.3f s", st.Time)
	}
	at := e.Info.Duration / 3
	setTime(t, ctx, at)
	act(t, ctx, chromedp.Reload())
	waitReady(t, ctx)
	if st := state(t, ctx); !near(st.Time, at, 0.05) {
		t.Errorf("after a reload the player is at %.3f s, want %.3f s", st.Time, at)
	}
	if msg := eval[string](t, ctx, `document.getElementById('toast').textContent`); msg != "Resumed at "+player.Clock(at) {
		t.Errorf("the page says %q on resuming", msg)
	}
	// Another episode keeps its own place.
	other := env.snap.Episodes[len(env.snap.Episodes)-1]
	env.openEpisode(t, ctx, other, "")
	if st := state(t, ctx); st.Time != 0 {
		t.Errorf("another episode starts at %.3f s", st.Time)
	}
}

// pressKey presses k, lets the page handle it, and reads the player.
func pressKey(t *testing.T, ctx context.Context, k string) playerState {
	t.Helper()
	press(t, ctx, k)
	frames(t, ctx)
	return state(t, ctx)
}
