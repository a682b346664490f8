package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/align"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/publish"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// TestServeAlignsAnUntimedRecording drops a recording's timings, as when a
// person's recording is put in episodes/audio: the server serves it without
// a synchronized transcript at first, aligns it in the background, and then
// serves the transcript, with times close to the exact ones.
func TestServeAlignsAnUntimedRecording(t *testing.T) {
	testtool.Require(t, "espeak-ng", "espeak-ng")
	dir := t.TempDir()
	copyDir(t, "../../episodes", dir)
	slug := "02-the-official-history"
	sidecar := filepath.Join(dir, "audio", slug+".timing.json")
	exact, err := os.ReadFile(sidecar)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(sidecar)

	p := serveInProcess(t, dir)
	base, logs := p.base, p.logs
	// The server writes in dir in the background (the timing map, then
	// the published copy with the new chapters, then the last good copy
	// of the show); the test lets that work finish before serve returns.
	defer func() {
		if !t.Failed() {
			waitFor(t, "the background work to finish", func() bool { return backgroundDone(logs.String()) }, logs)
		}
		p.stop(t)
	}()
	waitFor(t, "the untimed recording to be queued", func() bool { return strings.Contains(logs.String(), "queued for alignment") })
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(logs.String(), "timings of "+slug+" are ready") {
		if time.Now().After(deadline) || strings.Contains(logs.String(), "alignment failed") {
			t.Fatalf("no timings:\n%s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitFor(t, "the transcript in the page", func() bool {
		return !strings.Contains(get(t, base+"/episodes/"+slug), "not synchronized")
	})
	matches, _ := filepath.Glob(filepath.Join(dir, "audio", "timings", "*.json"))
	if len(matches) != 1 {
		t.Fatalf("timing maps by hash: %v", matches)
	}
	b, _ := os.ReadFile(matches[0])
	got, err := timing.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := timing.Parse(exact)
	if got.Method != timing.MethodAligned || len(got.Sentences) != len(want.Sentences) {
		t.Fatalf("aligned map: method %s, %d sentences (want %d)", got.Method, len(got.Sentences), len(want.Sentences))
	}
	within := 0
	for i := range want.Sentences {
		if d := got.Sentences[i].Start - want.Sentences[i].Start; d < 0.12 && d > -0.12 {
			within++
		}
	}
	if within < len(want.Sentences)*9/10 {
		t.Errorf("only %d of %d sentence starts within 120 ms of festival's exact times", within, len(want.Sentences))
	}
}

// TestBackgroundAlignsEnglishOnly: a person's recording of a show in
// another language is not aligned (the acoustic model is English, the
// timings would be misplaced): the error says so, before any decoding.
func TestBackgroundAlignsEnglishOnly(t *testing.T) {
	b := newBackgroundAligner(t.TempDir(), slog.New(slog.DiscardHandler))
	err := b.align(context.Background(), catalog.Untimed{Slug: "01-my-youth-in-the-ussr", Audio: "../../episodes/audio/01-my-youth-in-the-ussr.mp3", Language: "fr"})
	if !errors.Is(err, align.ErrLanguage) || !strings.Contains(err.Error(), `"fr"`) {
		t.Errorf("a French show's recording: %v; want align.ErrLanguage naming fr", err)
	}
	// An upload through the admin API is aligned by serve's aligner,
	// with the show's language too.
	_, err = aligner().Align(context.Background(), "../../episodes/audio/01-my-youth-in-the-ussr.mp3",
		publish.Episode{Language: "fr"}, func(publish.Progress) {})
	if !errors.Is(err, align.ErrLanguage) {
		t.Errorf("an upload to a French show: %v; want align.ErrLanguage", err)
	}
}

// inProcess is serve running in the test's process.
type inProcess struct {
	base   string
	logs   *testtool.Buffer
	cancel context.CancelFunc
	done   chan error
}

// serveInProcess runs serve on the show in dir until stop, and waits
// until it answers.
func serveInProcess(t *testing.T, dir string) *inProcess {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &inProcess{base: "http://" + l.Addr().String(), logs: &testtool.Buffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		p.done <- serve(ctx, env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: p.logs},
			serveConfig{addr: l.Addr().String(), dir: dir, baseURL: p.base}, l)
	}()
	waitFor(t, "the server", func() bool {
		resp, err := http.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	return p
}

// stop ends serve and waits for it to return.
func (p *inProcess) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(time.Minute):
		t.Error("serve did not return after its context was done")
	}
}

// TestServeStopsItsBackgroundWork: serve returns only once its background
// alignment has stopped, so nothing writes in the show's directory after
// it (t.TempDir's removal would race a writer).
func TestServeStopsItsBackgroundWork(t *testing.T) {
	testtool.Require(t, "espeak-ng", "espeak-ng")
	dir := t.TempDir()
	copyDir(t, "../../episodes", dir)
	os.Remove(filepath.Join(dir, "audio", "02-the-official-history.timing.json"))
	p := serveInProcess(t, dir)
	waitFor(t, "the alignment to start", func() bool { return strings.Contains(p.logs.String(), "msg=aligning") }, p.logs)
	p.stop(t)
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "backgroundAligner).Run") {
		t.Errorf("the background aligner still runs after serve returned:\n%s", stacks)
	}
}
