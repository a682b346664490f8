package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/testtool"
)

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
	// The state a server run on the checkout left (its last good copy,
	// as scripts/bench-load's does) is not the show's: a test that starts
	// a broken show must not find one.
	if err := os.RemoveAll(filepath.Join(to, ".readcast")); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitFor polls until cond holds; it bounds the wait, it does not time it.
// The server's log, when given, is printed if it gives up.
func waitFor(t *testing.T, what string, cond func() bool, log ...fmt.Stringer) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	for _, l := range log {
		t.Logf("the server's log:\n%s", l)
	}
	t.Fatalf("gave up waiting for %s", what)
}

// TestServeReloadsAndKeepsTheLastGoodShow edits the show under a running
// server: a good edit is served, a broken one is logged and the previous
// show keeps being served; SIGINT-style cancellation shuts down cleanly.
func TestServeReloadsAndKeepsTheLastGoodShow(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../../episodes", dir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testtool.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: logs},
			serveConfig{addr: l.Addr().String(), dir: dir, baseURL: base, watch: 30 * time.Millisecond}, l)
	}()
	waitFor(t, "the server", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	if !strings.Contains(get(t, base+"/feed.xml"), "Recollections of a Soviet Citizen") {
		t.Fatal("the feed is not the seed's")
	}

	meta := filepath.Join(dir, "show.json")
	good, _ := os.ReadFile(meta)
	edited := bytes.Replace(good, []byte(`"title": "Recollections of a Soviet Citizen"`), []byte(`"title": "Recollections, Revised"`), 1)
	os.WriteFile(meta, edited, 0o644)
	waitFor(t, "the edit to be served", func() bool { return strings.Contains(get(t, base+"/feed.xml"), "Recollections, Revised") }, logs)

	os.WriteFile(meta, []byte(`{"title": `), 0o644) // a half-saved file
	waitFor(t, "the broken edit to be logged", func() bool { return strings.Contains(logs.String(), "reload failed") }, logs)
	if !strings.Contains(get(t, base+"/feed.xml"), "Recollections, Revised") {
		t.Error("a broken show.json replaced the last good show")
	}
	if !strings.Contains(logs.String(), "show.json") {
		t.Errorf("the log does not say which file is wrong:\n%s", logs.String())
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not shut down")
	}
}
