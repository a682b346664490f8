package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/readcast/readcast/internal/catalog"
)

// seedCopy copies the seed show into a temporary directory, with its
// show.json's language set to lang, and returns the directory.
func seedCopy(t *testing.T, lang string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../episodes")); err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	data, err := os.ReadFile(filepath.Join(dir, "show.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		t.Fatal(err)
	}
	meta["language"] = lang
	if data, err = json.Marshal(meta); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "show.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// vocalized are words written with their vowel points (Arabic harakat,
// Hebrew niqqud, a tatweel), as a text may carry them, and the same words
// as a reader types them, without.
var vocalized = []struct{ written, typed string }{
	{"مَرْحَبًا", "مرحبا"}, {"شـكـراً", "شكرا"}, {"שָׁלוֹם", "שלום"},
}

// vocalize writes the words of vocalized in place of the first written
// words of the second sentence of the timing sidecar at path: the page
// shows a sentence's written words from its timing map.
func vocalize(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	s := m["sentences"].([]any)[1].(map[string]any)
	words := strings.Fields(s["text"].(string))
	for i, v := range vocalized {
		words[i] = v.written
	}
	s["text"] = strings.Join(words, " ")
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testSearchVowelPoints: searching the transcript finds a word written with
// vowel points (Arabic, Hebrew) when it is typed without them, as readers
// type it, as it finds "Revolution" for "Révolution".
func testSearchVowelPoints(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	var queries []struct{ written, typed string }
	for _, v := range vocalized {
		queries = append(queries, v, struct{ written, typed string }{v.written, v.written})
	}
	for _, v := range queries {
		typed, _ := json.Marshal(v.typed)
		got := eval[string](t, ctx, `new Promise(r => {
			const q = document.getElementById('q');
			q.value = `+string(typed)+`;
			q.dispatchEvent(new Event('input'));
			setTimeout(() => r(document.getElementById('search-status').textContent), 400);
		})`)
		if got != "1 sentence matches" {
			t.Errorf("a search for %q (written %q) says %q, want 1 sentence matches", v.typed, v.written, got)
		}
	}
}

// TestBrowserStates serves a copy of the seed show in Arabic (a
// right-to-left language) in which one episode's recording has no timings
// yet and another has no recording, and opens each kind of page as a
// listener would. Every tab fails on a console error or warning.
func TestBrowserStates(t *testing.T) {
	dir := seedCopy(t, "ar")
	matches, err := filepath.Glob(filepath.Join(dir, "audio", "*.timing.json"))
	if err != nil || len(matches) < 3 {
		t.Fatalf("the seed has %d timing sidecars (%v), want 3 or more", len(matches), err)
	}
	vocalize(t, matches[0])
	untimedSlug := strings.TrimSuffix(filepath.Base(matches[1]), ".timing.json")
	unrecordedSlug := strings.TrimSuffix(filepath.Base(matches[2]), ".timing.json")
	for _, f := range []string{matches[1], matches[2], strings.TrimSuffix(matches[2], ".timing.json") + ".mp3"} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	env := newBrowserEnvDir(t, dir)
	var timed, untimed, unrecorded *catalog.Episode
	for _, e := range env.snap.Episodes {
		switch {
		case e.Slug() == untimedSlug:
			untimed = e
		case e.Slug() == unrecordedSlug:
			unrecorded = e
		case timed == nil && e.Timing != nil:
			timed = e
		}
	}
	if timed == nil || untimed == nil || unrecorded == nil || untimed.Audio == nil || untimed.Timing != nil || unrecorded.Audio != nil {
		t.Fatal("the fixture does not have a timed, an untimed and an unrecorded episode")
	}
	t.Run("RightToLeft", func(t *testing.T) { testRightToLeft(t, env, timed) })
	t.Run("Untimed", func(t *testing.T) { testUntimed(t, env, untimed) })
	t.Run("Unrecorded", func(t *testing.T) { testUnrecorded(t, env, unrecorded) })
	t.Run("SeekBarKeys", func(t *testing.T) { testSeekBarKeys(t, env, timed) })
	t.Run("ReducedMotion", func(t *testing.T) { testReducedMotion(t, env, timed) })
	t.Run("SearchVowelPoints", func(t *testing.T) { testSearchVowelPoints(t, env, timed) })
	t.Run("TimeLinkKeys", func(t *testing.T) { testTimeLinkKeys(t, env, timed) })
	t.Run("Accessibility", func(t *testing.T) {
		testStatesAccessibility(t, env, []string{"/", "/episodes/" + timed.Slug(), "/episodes/" + untimed.Slug(), "/episodes/" + unrecorded.Slug()})
	})
}

// testStatesAccessibility runs axe-core, the names of the accessibility
// tree and the Tab order (as testAccessibility does) on each page.
func testStatesAccessibility(t *testing.T, env *browserEnv, paths []string) {
	axe := readAxe(t)
	for _, path := range paths {
		ctx := env.tab(t)
		open(t, ctx, env.ts.URL+path)
		if strings.HasPrefix(path, "/episodes/") && eval[bool](t, ctx, `!!document.getElementById('audio')`) {
			waitReady(t, ctx)
		}
		runAxe(t, ctx, string(axe), path)
		checkNames(t, ctx, path)
		checkTabOrder(t, ctx, path)
	}
}

// testSeekBarKeys: once the seek bar has the focus (a listener dragged it,
// or tabbed to it), the documented shortcuts still work: K and space play
// and pause, J and L skip, N moves by chapter; the arrows move the bar.
func testSeekBarKeys(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	eval[bool](t, ctx, `(() => { document.getElementById('audio').muted = true; return true; })()`)
	setTime(t, ctx, 60)
	act(t, ctx, chromedp.Focus(chromedp.ID("seek")))
	playing := func(st playerState) bool { return !st.Paused }
	paused := func(st playerState) bool { return st.Paused }
	at := func(sec float64) func(playerState) bool {
		return func(st playerState) bool { return near(st.Time, sec, 0.05) }
	}
	checkKeys(t, ctx, "the seek bar", []keyStep{
		{key: "k", want: "playing", ok: playing},
		{key: " ", want: "paused", ok: paused},
		{from: 60, key: "l", want: "at 90 s", ok: at(90)},
		{key: "j", want: "at 75 s", ok: at(75)},
		{key: "ArrowLeft", want: "at 70 s (its own step of 5 s)", ok: at(70)},
	})
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "seek" {
		t.Errorf("the keys moved the focus from the seek bar to %q", id)
	}
	// The same once a speed was chosen from the list, which keeps the focus;
	// its own keys (the arrows) still choose a speed.
	act(t, ctx, chromedp.Focus(chromedp.ID("rate")))
	checkKeys(t, ctx, "the speed list", []keyStep{
		{key: "k", want: "playing", ok: playing},
		{key: "k", want: "paused", ok: paused},
		{from: 60, key: "l", want: "at 90 s", ok: at(90)},
		{key: ">", want: "speed 1.25", ok: func(st playerState) bool { return st.Rate == 1.25 }},
		{key: "ArrowLeft", want: "still at 90 s: the arrows are the list's", ok: at(90)},
	})
}

// keyStep is a key pressed, and what the player must show after it.
type keyStep struct {
	from float64 // when above 0, the time set before the key
	key  string
	want string
	ok   func(playerState) bool
}

// checkKeys presses each step's key where the focus is (named by where)
// and checks the player after it.
func checkKeys(t *testing.T, ctx context.Context, where string, steps []keyStep) {
	t.Helper()
	for _, s := range steps {
		if s.from > 0 {
			setTime(t, ctx, s.from)
		}
		if st := pressKey(t, ctx, s.key); !s.ok(st) {
			t.Errorf("%q on %s: want %s; paused %v, at %.3f s, speed %v", s.key, where, s.want, st.Paused, st.Time, st.Rate)
		}
	}
}

// testRightToLeft: the show page and an episode page of a right-to-left
// show read right to left, with the time links of the transcript on the
// side each line starts from, while the player's controls keep the
// direction of time (left to right, as media controls do in every
// language), so the seek bar, its fill and the arrow keys agree.
func testRightToLeft(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	open(t, ctx, env.ts.URL+"/")
	if dir := eval[string](t, ctx, `getComputedStyle(document.querySelector('main')).direction`); dir != "rtl" {
		t.Errorf("the show page of an Arabic show reads %s", dir)
	}
	for _, l := range eval[[]string](t, ctx, `[...document.querySelectorAll('h2, button, .skip, .rss, .hero-actions a, .episode-meta, .eyebrow')].filter(el => el.closest('[lang]').getAttribute('lang') !== 'en').map(el => el.outerHTML.slice(0, 60))`) {
		t.Errorf("the show page's own words are not marked English: %s", l)
	}
	env.openEpisode(t, ctx, e, "")
	type layout struct {
		Transcript string  `json:"transcript"`
		Controls   string  `json:"controls"`
		Seek       string  `json:"seek"`
		LinkLeft   float64 `json:"linkLeft"`
		ParaRight  float64 `json:"paraRight"`
		ParaLeft   float64 `json:"paraLeft"`
	}
	l := eval[layout](t, ctx, `(() => {
		const a = document.querySelector('#transcript p > a.t');
		const p = a.parentNode.getBoundingClientRect(), r = a.getBoundingClientRect();
		return {transcript: getComputedStyle(document.getElementById('transcript')).direction,
			controls: getComputedStyle(document.querySelector('.controls')).direction,
			seek: getComputedStyle(document.getElementById('seek')).direction,
			linkLeft: r.left, paraLeft: p.left, paraRight: p.right};
	})()`)
	if l.Transcript != "rtl" {
		t.Errorf("the transcript of an Arabic show reads %s", l.Transcript)
	}
	if l.Controls != "ltr" || l.Seek != "ltr" {
		t.Errorf("the player's controls are %s and its seek bar %s, want ltr: the seek bar's fill and chapter ticks are drawn left to right", l.Controls, l.Seek)
	}
	if l.LinkLeft < l.ParaLeft+(l.ParaRight-l.ParaLeft)/2 {
		t.Errorf("a paragraph's time link is at x=%.0f, on the left of its paragraph (%.0f–%.0f), where right-to-left lines end", l.LinkLeft, l.ParaLeft, l.ParaRight)
	}
	// The page's own words (buttons, headings, notices, what the live
	// regions say) are English, the show's text Arabic: a screen reader
	// reads each in its language, not "Play" with an Arabic voice.
	langs := eval[[]string](t, ctx, `(() => {
		const lang = el => el.closest('[lang]').getAttribute('lang');
		const ui = [...document.querySelectorAll('button, summary, select, label, h2, .skip, .rss, .notice, a.t, .downloads a, .pager-label, #toast, #announcer, #search-status')];
		const text = [...document.querySelectorAll('h1, #transcript .s, .chapter-title, #now-chapter')];
		return ui.filter(el => lang(el) !== 'en').map(el => 'ui ' + lang(el) + ': ' + el.outerHTML.slice(0, 60)).concat(
			text.filter(el => lang(el) !== 'ar').map(el => 'text ' + lang(el) + ': ' + el.outerHTML.slice(0, 60)));
	})()`)
	for _, l := range langs {
		t.Errorf("an element in the wrong language: %s", l)
	}
	// The arrow keys on the seek bar still move forward with → and the
	// bar's fill follows the thumb.
	setTime(t, ctx, 10)
	act(t, ctx, chromedp.Focus(chromedp.ID("seek")))
	press(t, ctx, "ArrowRight")
	if s := state(t, ctx); !near(s.Time, 15, 0.5) {
		t.Errorf("→ on the seek bar went to %.2f s from 10 s, want 15 s", s.Time)
	}
}

// testUntimed: an episode whose recording is not synchronized yet plays
// from the custom controls, its text is all there, and nothing on the page
// fails.
func testUntimed(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	if n := eval[int](t, ctx, `document.querySelectorAll('#transcript .s').length`); n < 10 {
		t.Errorf("the untimed transcript has %d sentences", n)
	}
	act(t, ctx, chromedp.Click(chromedp.ID("play")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById('audio').paused && document.getElementById('audio').currentTime > 0.2`, chromedp.WithPollingTimeout(pageWait))); err != nil {
		t.Errorf("the untimed episode does not play: %v", err)
	}
	act(t, ctx, chromedp.Click(chromedp.ID("play")))
	press(t, ctx, "l")
	press(t, ctx, "n")
	// A click on the text, which has no times, does nothing.
	act(t, ctx, chromedp.Click(chromedp.CSS("#transcript .s")))
	if !eval[bool](t, ctx, `document.getElementById('audio').paused`) {
		t.Error("the untimed episode plays on after pause")
	}
}

// testUnrecorded: an episode not recorded yet shows its whole text and no
// player, with and without JavaScript, and nothing on the page fails.
func testUnrecorded(t *testing.T, env *browserEnv, e *catalog.Episode) {
	for _, script := range []bool{true, false} {
		ctx := env.tab(t)
		if !script {
			if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatal(err)
			}
		}
		open(t, ctx, env.ts.URL+"/episodes/"+e.Slug())
		if n := eval[int](t, ctx, `document.querySelectorAll('audio, #player').length`); n != 0 {
			t.Errorf("an unrecorded episode has %d audio elements or players", n)
		}
		want := 0
		for _, c := range e.Outline.Chapters {
			for _, p := range c.Paragraphs {
				want += len(p.Sentences)
			}
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#transcript .s').length`); n != want {
			t.Errorf("the unrecorded episode shows %d sentences, want %d", n, want)
		}
		press(t, ctx, "k")
		press(t, ctx, "n")
	}
}

// longShow writes a show of one episode of about 10,000 words, in Hebrew,
// and returns its directory and the episode's slug. With recording, the
// seed's first MP3 is its recording, without timings.
func longShow(t *testing.T, recording bool) string {
	t.Helper()
	dir := t.TempDir()
	words := strings.Fields("אבי סיפר לנו על העיר הקטנה ליד הים ועל האנשים שגרו בה בשנים ההן")
	var b strings.Builder
	b.WriteString("# זיכרונות ארוכים\n\n")
	for i, n := 0, 0; n < 10000; i++ {
		for k := range 12 {
			if k > 0 {
				b.WriteString(" ")
			}
			b.WriteString(words[(i+k)%len(words)])
		}
		b.WriteString(". ")
		n += 12
		if i%6 == 5 {
			b.WriteString("\n\n")
		}
	}
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("long.md", []byte(b.String()))
	write("overrides.json", []byte(`{"max_episode_minutes": 120}`))
	data, err := os.ReadFile("../../episodes/show.json")
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	if err := json.Unmarshal(data, &meta); err != nil {
		t.Fatal(err)
	}
	meta["language"], meta["source"], meta["title"] = "he", "long.md", "זיכרונות"
	if data, err = json.Marshal(meta); err != nil {
		t.Fatal(err)
	}
	write("show.json", data)
	if recording {
		mp3s, _ := filepath.Glob("../../episodes/audio/*.mp3")
		mp3, err := os.ReadFile(mp3s[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, "audio"), 0o755); err != nil {
			t.Fatal(err)
		}
		write("audio/01-episode.mp3", mp3)
	}
	return dir
}

// TestBrowserLongTranscript: an episode of 10,000 words, recorded but not
// synchronized yet, loads, plays, seeks and searches without a console
// error, and without JavaScript keeps its audio and its whole text.
func TestBrowserLongTranscript(t *testing.T) {
	env := newBrowserEnvDir(t, longShow(t, true))
	if len(env.snap.Episodes) != 1 || env.snap.Episodes[0].Audio == nil {
		t.Fatalf("the long show has %d episodes, want one recorded", len(env.snap.Episodes))
	}
	e := env.snap.Episodes[0]
	words := 0
	for _, c := range e.Outline.Chapters {
		for _, p := range c.Paragraphs {
			for _, s := range p.Sentences {
				words += len(strings.Fields(s.Text))
			}
		}
	}
	if words < 10000 {
		t.Fatalf("the long episode has %d words", words)
	}
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	if dir := eval[string](t, ctx, `document.documentElement.dir`); dir != "rtl" {
		t.Errorf("the Hebrew page's direction is %q", dir)
	}
	press(t, ctx, "k")
	press(t, ctx, "l")
	press(t, ctx, "k")
	press(t, ctx, "n")
	eval[bool](t, ctx, `new Promise(r => { window.scrollTo(0, document.body.scrollHeight); setTimeout(() => r(true), 200); })`)
	if n := eval[int](t, ctx, `document.querySelectorAll('#transcript .s').length`); n < 800 {
		t.Errorf("the long transcript shows %d sentences", n)
	}
	noJS := env.tab(t)
	if _, err := chromedp.Call(noJS, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	open(t, noJS, env.ts.URL+"/episodes/"+e.Slug())
	if !eval[bool](t, noJS, `!!document.querySelector('audio[controls][src]')`) {
		t.Error("without JavaScript the long episode has no audio controls")
	}
	text := eval[string](t, noJS, `document.getElementById('transcript').textContent`)
	if n := len(strings.Fields(text)); n < 10000 {
		t.Errorf("without JavaScript the long transcript has %d words", n)
	}
}

// testReducedMotion: a listener who asks for reduced motion gets no smooth
// scrolling: a jump to the last chapter puts its sentence in view at once.
func testReducedMotion(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
	}); err != nil {
		t.Fatal(err)
	}
	env.openEpisode(t, ctx, e, "")
	eval[bool](t, ctx, `(() => { document.activeElement.blur(); window.scrollTo(0, 0); return true; })()`)
	for range e.Chapters {
		press(t, ctx, "n")
	}
	// Two frames after the key, not the 300 ms or more a smooth scroll takes.
	frames(t, ctx)
	y := eval[float64](t, ctx, `scrollY`)
	frames(t, ctx)
	eval[bool](t, ctx, `new Promise(r => setTimeout(() => r(true), 600))`)
	if end := eval[float64](t, ctx, `scrollY`); y == 0 || end != y {
		t.Errorf("with reduced motion the page scrolled from 0 to %.0f, then on to %.0f: it animated", y, end)
	}
}

// testTimeLinkKeys: a paragraph's time link, the keyboard's way to a place
// in the transcript (the words are not focusable), is reached with Tab and
// seeks with Enter, and its name says what Enter does: a screen reader
// user who hears "Play from 1:35" and presses Enter expects to hear the
// narration.
func testTimeLinkKeys(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	env.openEpisode(t, ctx, e, "")
	eval[bool](t, ctx, `(() => { document.getElementById('audio').muted = true; return true; })()`)
	links := eval[[]string](t, ctx, `[...document.querySelectorAll('#transcript p > a.t')].map(a => a.getAttribute('href'))`)
	if len(links) < 2 {
		t.Fatalf("the transcript has %d paragraph time links", len(links))
	}
	href := links[len(links)-1]
	_, frag, _ := strings.Cut(href, "#t=")
	want, err := strconv.ParseFloat(frag, 64)
	if err != nil {
		t.Fatal(err)
	}
	act(t, ctx, chromedp.Focus(chromedp.CSS(`#transcript a.t[href="`+href+`"]`)))
	press(t, ctx, "Enter")
	frames(t, ctx)
	st := state(t, ctx)
	if !near(st.Time, want, 0.5) {
		t.Errorf("Enter on the time link %s: at %.3f s", href, st.Time)
	}
	name := eval[string](t, ctx, `document.activeElement.getAttribute('aria-label') || document.activeElement.textContent`)
	if strings.HasPrefix(name, "Play") && st.Paused {
		t.Errorf("Enter on the time link named %q left the narration paused", name)
	}
	eval[bool](t, ctx, `(() => { document.getElementById('audio').pause(); return true; })()`)
}
