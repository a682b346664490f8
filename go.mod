module github.com/readcast/readcast

go 1.26.0

require (
	github.com/bogem/id3v2/v2 v2.1.4
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/eduncan911/podcast v1.4.2
	github.com/gorilla/mux v1.8.1
	github.com/hajimehoshi/go-mp3 v0.3.4
	golang.org/x/image v0.48.0
	golang.org/x/text v0.44.0
)

require (
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

// go-mp3 v0.3.4 with one fix (MPEG-2/2.5 frame size with padding); see
// internal/third_party/go-mp3/PATCHED.md.
replace github.com/hajimehoshi/go-mp3 => ./internal/third_party/go-mp3
