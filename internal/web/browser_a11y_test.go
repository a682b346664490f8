package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/readcast/readcast/internal/catalog"
)

// axePath is axe-core's browser build, installed by npm ci in
// testdata/browser.
const axePath = "testdata/browser/node_modules/axe-core/axe.min.js"

// testAccessibility: axe-core finds no violation of WCAG 2.1 A and AA or of
// its best practices, in light and dark, at desktop and phone width; every
// interactive element has an accessible name in Chromium's accessibility
// tree, and is reached with the Tab key, with a visible focus.
func testAccessibility(t *testing.T, env *browserEnv, e *catalog.Episode) {
	axe := readAxe(t)
	pages := []struct{ name, path string }{
		{"show", "/"},
		{"episode", "/episodes/" + e.Slug()},
	}
	for _, pg := range pages {
		for _, scheme := range []string{"light", "dark"} {
			for _, width := range []int64{1280, 390} {
				ctx := env.tab(t)
				if width < 600 {
					act(t, ctx, chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
				}
				setScheme(t, ctx, scheme)
				open(t, ctx, env.ts.URL+pg.path)
				where := pg.name + " page, " + scheme + ", " + strconv.FormatInt(width, 10) + " px"
				if pg.name == "episode" {
					waitReady(t, ctx)
					// Show the states that have their own colours: a sentence
					// and a word highlighted, a chapter current, search
					// results.
					s := e.Timing.Sentences[len(e.Timing.Sentences)/2]
					setTime(t, ctx, (s.Words[1].Start+s.Words[1].End)/2)
					act(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "the"))
					eval[bool](t, ctx, `new Promise(r => setTimeout(() => r(true), 300))`)
				}
				runAxe(t, ctx, string(axe), where)
				checkNames(t, ctx, where)
				if width == 1280 {
					checkTabOrder(t, ctx, where)
				}
			}
		}
	}
}

func setScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatal(err)
	}
}

// runAxe injects axe-core and fails on every violation it reports.
func runAxe(t *testing.T, ctx context.Context, axe, where string) {
	t.Helper()
	// The pages' Content-Security-Policy allows no script but their own;
	// the test's is injected past it.
	if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, ctx, axe+";true")
	type violation struct {
		ID     string   `json:"id"`
		Impact string   `json:"impact"`
		Help   string   `json:"help"`
		Nodes  []string `json:"nodes"`
	}
	type report struct {
		Passes     int         `json:"passes"`
		Violations []violation `json:"violations"`
	}
	r := eval[report](t, ctx, `(async () => {
		const r = await axe.run(document, {
			runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
			resultTypes: ['violations'],
		});
		return {passes: r.passes.length, violations: r.violations.map(v => ({
			id: v.id, impact: v.impact || '', help: v.help,
			nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\s+/g, ' ')),
		}))};
	})()`)
	if r.Passes < 10 {
		t.Errorf("%s: axe passed only %d rules: did it run?", where, r.Passes)
	}
	for _, v := range r.Violations {
		t.Errorf("%s: axe %s (%s): %s\n\t%s", where, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

// interactiveRoles are the roles a person operates; each needs a name.
var interactiveRoles = map[string]bool{
	"button": true, "link": true, "textbox": true, "searchbox": true, "slider": true,
	"combobox": true, "checkbox": true, "radio": true, "switch": true, "tab": true,
	"menuitem": true, "spinbutton": true, "listbox": true, "option": false, "DisclosureTriangle": true,
}

// checkNames walks Chromium's accessibility tree and fails on an interactive
// node without a name.
func checkNames(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	tree, err := chromedp.Call(ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, node := range tree.Nodes {
		if node.Ignored || node.Role == nil {
			continue
		}
		var role, name string
		json.Unmarshal(node.Role.Value, &role)
		if !interactiveRoles[role] {
			continue
		}
		n++
		if node.Name != nil {
			json.Unmarshal(node.Name.Value, &name)
		}
		if strings.TrimSpace(name) == "" {
			t.Errorf("%s: a %s has no accessible name (DOM node %d)", where, role, node.BackendDOMNodeID)
		}
	}
	if n < 5 {
		t.Errorf("%s: only %d interactive nodes in the accessibility tree", where, n)
	}
}

// checkTabOrder presses Tab through the page and fails on a visible
// interactive element it never reaches, or one focused without a visible
// outline.
func checkTabOrder(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	total := eval[int](t, ctx, `(() => {
		const sel = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
		const els = [...document.querySelectorAll(sel)].filter(el => !el.disabled && !el.closest('[hidden]') &&
			el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' &&
			!(el.closest('details:not([open])') && el.tagName !== 'SUMMARY'));
		els.forEach((el, i) => el.dataset.tabCheck = i);
		document.activeElement.blur();
		window.scrollTo(0, 0);
		return els.length;
	})()`)
	type focused struct {
		Index   string `json:"i"`
		Outline string `json:"outline"`
		Label   string `json:"label"`
	}
	reached := map[string]bool{}
	for i := 0; i < total+10 && len(reached) < total; i++ {
		act(t, ctx, chromedp.KeyEvent("\t"))
		f := eval[focused](t, ctx, `(() => { const el = document.activeElement; const cs = getComputedStyle(el);
			return {i: el.dataset.tabCheck || '', outline: cs.outlineStyle === 'none' || cs.outlineWidth === '0px' ? '' : cs.outlineStyle,
				label: el.tagName + ' ' + (el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30))}; })()`)
		if f.Index == "" {
			continue
		}
		reached[f.Index] = true
		if f.Outline == "" {
			t.Errorf("%s: %s has no visible focus outline", where, f.Label)
		}
	}
	if len(reached) < total {
		missing := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-tab-check]')].filter(el => !(`+
			jsSet(reached)+`).has(el.dataset.tabCheck)).map(el => el.outerHTML.slice(0, 100))`)
		t.Errorf("%s: Tab reached %d of %d interactive elements; not: %q", where, len(reached), total, missing)
	}
}

func jsSet(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	b, _ := json.Marshal(keys)
	return "new Set(" + string(b) + ")"
}

// testNoScript: with JavaScript off, the audio has the browser's controls,
// the whole transcript is there, and its time links open the MP3 at their
// time (a media fragment).
func testNoScript(t *testing.T, env *browserEnv, e *catalog.Episode) {
	ctx := env.tab(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	open(t, ctx, env.ts.URL+"/episodes/"+e.Slug())
	audio, err := chromedp.Run(ctx, chromedp.Attributes(chromedp.CSS("audio")))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := audio["controls"]; !ok || audio["src"] != e.Audio.Path {
		t.Errorf("without JavaScript the audio element is %v, want controls and src %s", audio, e.Audio.Path)
	}
	if box, err := chromedp.Run(ctx, chromedp.Dimensions(chromedp.CSS("audio"))); err != nil || box.Height < 20 {
		t.Errorf("without JavaScript the audio controls are not shown: %v %v", box, err)
	}
	sentences, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#transcript .s"), chromedp.AtLeast(0)))
	if err != nil {
		t.Fatal(err)
	}
	if len(sentences) != len(e.Timing.Sentences) {
		t.Errorf("without JavaScript the transcript has %d sentences, want %d", len(sentences), len(e.Timing.Sentences))
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#transcript")))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range e.Timing.Sentences {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), s.Text) {
			t.Errorf("without JavaScript the transcript lacks %q", s.Text)
			break
		}
	}
	links, err := chromedp.Run(ctx, chromedp.AttributesAll(chromedp.CSSAll("#transcript a.t")))
	if err != nil {
		t.Fatal(err)
	}
	if len(links) == 0 {
		t.Fatal("without JavaScript the transcript has no time links")
	}
	for _, l := range links {
		if !strings.HasPrefix(l["href"], e.Audio.Path+"#t=") {
			t.Errorf("time link %q is not a media fragment of %s", l["href"], e.Audio.Path)
		}
	}
	// Follow a time link from the middle of the episode as a browser
	// without JavaScript would: the MP3 opens at that time.
	href := links[len(links)/2]["href"]
	_, frag, _ := strings.Cut(href, "#t=")
	media := env.tab(t)
	act(t, media, chromedp.Navigate(env.ts.URL+href))
	at, err := chromedp.Run(media, chromedp.Poll[float64](`(() => { const m = document.querySelector('video, audio'); return m && m.readyState >= 1 ? m.currentTime : false; })()`, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := strconv.ParseFloat(frag, 64)
	if !near(at, want, 0.05) {
		t.Errorf("the media fragment %s opened the MP3 at %.3f s", href, at)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, "episode-desktop-noscript.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	// The page's own links work without JavaScript too.
	if _, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(`.chapter-list a[href^="`+e.Audio.Path+`#t="]`))); err != nil {
		t.Errorf("the chapter links are not media fragments: %v", err)
	}
}

// testScreenshots saves the show page and an episode page, at desktop and
// phone size, light and dark, under test-output/screenshots.
func testScreenshots(t *testing.T, env *browserEnv, e *catalog.Episode) {
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	type shot struct {
		name          string
		path          string
		width, height int64
		scheme        string
	}
	shots := []shot{
		{"show-desktop", "/", 1280, 800, "light"},
		{"show-phone", "/", 390, 844, "light"},
		{"show-desktop-dark", "/", 1280, 800, "dark"},
		{"episode-desktop", "/episodes/" + e.Slug(), 1280, 800, "light"},
		{"episode-phone", "/episodes/" + e.Slug(), 390, 844, "light"},
		{"episode-desktop-dark", "/episodes/" + e.Slug(), 1280, 800, "dark"},
		{"episode-desktop-reading", "/episodes/" + e.Slug(), 1280, 800, "light"},
		{"episode-phone-reading", "/episodes/" + e.Slug(), 390, 844, "dark"},
	}
	for _, s := range shots {
		ctx := env.tab(t)
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(2)}
		if s.width < 600 {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		act(t, ctx, chromedp.EmulateViewport(s.width, s.height, opts...))
		setScheme(t, ctx, s.scheme)
		open(t, ctx, env.ts.URL+s.path)
		if strings.HasPrefix(s.name, "episode") {
			waitReady(t, ctx)
			// At the top of the page a word of the opening is lit; further
			// down, one in the second chapter, scrolled to as when playing.
			sents := e.Timing.Sentences
			sent := sents[min(1, len(sents)-1)]
			if strings.HasSuffix(s.name, "reading") {
				ch := e.Chapters[min(1, len(e.Chapters)-1)]
				for i, x := range sents {
					if x.Start > ch.Start {
						sent = sents[min(i+1, len(sents)-1)]
						break
					}
				}
			}
			setTime(t, ctx, sent.Words[min(6, len(sent.Words)-1)].Start+0.01)
			if strings.HasSuffix(s.name, "reading") {
				eval[bool](t, ctx, `(() => { const r = document.getElementById('`+sent.ID+`').getBoundingClientRect(); window.scrollTo({top: scrollY + r.top - innerHeight * 0.3, behavior: 'instant'}); return true; })()`)
				frames(t, ctx)
				eval[bool](t, ctx, `(() => { document.getElementById('follow').hidden = true; return true; })()`)
			}
		}
		frames(t, ctx)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(screenshotDir, s.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", screenshotDir)
}

// readAxe is axe-core's script; without it the test skips, except in CI.
func readAxe(t *testing.T) []byte {
	t.Helper()
	axe, err := os.ReadFile(axePath)
	if err != nil {
		msg := "axe-core is not installed: run scripts/setup (npm ci in internal/web/testdata/browser): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return axe
}
