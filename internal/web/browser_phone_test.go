package web

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPhoneLayout: on a phone (390 × 844) the episode page shows
// the reading before the chapters, search and shortcuts, and the show page
// offers subscribing on the first screen, before the episode list; on a
// desktop the chapters stay in their column beside the transcript.
func TestBrowserPhoneLayout(t *testing.T) {
	env := newBrowserEnv(t)
	e := env.snap.Episodes[0]
	ctx := env.tab(t)
	// top and left are where an element is on the page, in CSS pixels.
	top := func(sel string) float64 {
		return eval[float64](t, ctx, `document.querySelector('`+sel+`').getBoundingClientRect().top + window.scrollY`)
	}
	left := func(sel string) float64 {
		return eval[float64](t, ctx, `document.querySelector('`+sel+`').getBoundingClientRect().left`)
	}

	open(t, ctx, env.ts.URL+"/episodes/"+e.Slug())
	if side, text := left(".side"), left("#transcript"); !(side < text) {
		t.Errorf("desktop: the chapters column (x %.0f) is not left of the transcript (x %.0f)", side, text)
	}

	act(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	open(t, ctx, env.ts.URL+"/episodes/"+e.Slug())
	text := top("#transcript")
	for _, sel := range []string{".chapters", ".side"} {
		if y := top(sel); !(text < y) {
			t.Errorf("phone: %s (y %.0f) comes before the transcript (y %.0f)", sel, y, text)
		}
	}
	open(t, ctx, env.ts.URL+"/")
	sub, list, about := top(".subscribe"), top(".episodes"), top(".about")
	if !(sub < list) || sub > 844 {
		t.Errorf("phone: subscribing starts at y %.0f, the episode list at %.0f; want it first, on the first 844 px", sub, list)
	}
	if !(list < about) {
		t.Errorf("phone: the About card (y %.0f) comes before the episodes (y %.0f)", about, list)
	}
}
