package main

// The export behind a static server (issue 7, acceptance 4): readcast
// export writes the seed show, nginx serves it with the configuration
// docs/cdn.md documents (docs/nginx-readcast.conf, included as is), and
// readcast check, feedparser and gPodder read it as they read the live
// server.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/check"
	"github.com/readcast/readcast/internal/testtool"
)

// clientsDir holds the client scripts of internal/web's client tests.
const clientsDir = "../../internal/web/testdata/clients"

func TestExportServedByNginx(t *testing.T) {
	nginx := testtool.Require(t, "nginx", "nginx")
	snippet, err := filepath.Abs("../../docs/nginx-readcast.conf")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/cdn.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte("docs/nginx-readcast.conf")) {
		t.Error("docs/cdn.md does not point to docs/nginx-readcast.conf, the configuration this test serves with")
	}

	// A port for nginx, and the export made for it.
	addr := freeAddr(t)
	base := "http://" + addr
	tmp := t.TempDir()
	site := filepath.Join(tmp, "site")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"export", "-dir", "../../episodes", "-out", site, "-base-url", base}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(out.String()))

	startNginx(t, nginx, tmp, base, fmt.Sprintf(`
  server {
    listen %s;
    root %s;
    include %s;
  }`, addr, site, snippet))

	t.Run("check", func(t *testing.T) {
		rep := checkFeed(t, base+"/feed.xml")
		if !rep.OK() || len(rep.Warnings) > 0 || rep.Episodes != 5 {
			t.Errorf("readcast check of the export under nginx: %d failures, %d warnings, %d episodes; want none, none, 5", len(rep.Failures), len(rep.Warnings), rep.Episodes)
		}
	})

	t.Run("headers", func(t *testing.T) { checkStaticHeaders(t, base, site) })
	t.Run("feedparser", func(t *testing.T) { checkFeedparser(t, base, site) })
	t.Run("gpodder", func(t *testing.T) { checkGPodder(t, base, site) })
	if b, _ := os.ReadFile(filepath.Join(tmp, "error.log")); len(bytes.TrimSpace(b)) > 0 {
		t.Logf("nginx error log:\n%s", b)
	}
}

// checkFeed runs readcast check on a feed URL and logs its report.
func checkFeed(t *testing.T, feedURL string) *check.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := check.Run(ctx, feedURL, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.Write(&b)
	t.Log(b.String())
	return rep
}

// startNginx runs nginx from the directory tmp, with httpBlock inside its
// http block, until the test ends: nginx -t must accept it, and the test
// goes on once base+"/feed.xml" answers.
func startNginx(t *testing.T, nginx, tmp, base, httpBlock string) {
	t.Helper()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers must read the test's private temp directory
	}
	nconf := filepath.Join(tmp, "nginx.conf")
	writeFile(t, nconf, fmt.Sprintf(`%s
worker_processes 1;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[2]s/body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
%[3]s
}
`, user, tmp, httpBlock))
	args := []string{"-p", tmp, "-e", filepath.Join(tmp, "error.log"), "-c", nconf}
	if out, err := exec.Command(nginx, append([]string{"-t"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t refuses the configuration: %v\n%s", err, out)
	}
	cmd := exec.Command(nginx, args...)
	var nginxOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &nginxOut, &nginxOut
	// SIGTERM stops the master and its worker; the worker shares the output
	// pipe, so Wait must not wait for it forever either.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); <-exited })
	waitFor(t, "nginx", func() bool {
		select {
		case <-exited:
			errLog, _ := os.ReadFile(filepath.Join(tmp, "error.log"))
			t.Fatalf("nginx exited: %v\n%s\n%s", waitErr, nginxOut.String(), errLog)
		default:
		}
		resp, err := http.Get(base + "/feed.xml")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
}

// exportedAudio lists the exported MP3s by base name.
func exportedAudio(t *testing.T, site string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(site, "audio", "*.mp3"))
	if err != nil || len(files) != 5 {
		t.Fatalf("the export holds %d MP3s (%v), want 5", len(files), err)
	}
	m := map[string]string{}
	for _, f := range files {
		m[filepath.Base(f)] = f
	}
	return m
}

// checkStaticHeaders checks what the snippet adds: types, CORS and its
// preflight, caching, ranges, and pages at their extensionless URLs.
func checkStaticHeaders(t *testing.T, base, site string) {
	first := func(glob string) string {
		m, _ := filepath.Glob(filepath.Join(site, glob))
		if len(m) == 0 {
			t.Fatalf("the export has no %s", glob)
		}
		rel, _ := filepath.Rel(site, m[0])
		return "/" + filepath.ToSlash(rel)
	}
	audio := first("audio/*.mp3")
	fi, _ := os.Stat(filepath.Join(site, audio))
	slug := strings.TrimSuffix(path.Base(audio), path.Ext(audio))
	slug = slug[:strings.LastIndexByte(slug, '.')]
	cors := "Access-Control-Allow-Origin"
	for _, tt := range []struct {
		method, path, rng string
		status            int
		header            map[string]string
	}{
		{"GET", "/feed.xml", "", 200, map[string]string{"Content-Type": "application/rss+xml; charset=utf-8", cors: "*", "Cache-Control": "public, max-age=60"}},
		{"OPTIONS", "/feed.xml", "", 204, map[string]string{cors: "*", "Access-Control-Allow-Headers": "Range, If-None-Match, If-Range, If-Modified-Since"}},
		{"GET", first("transcripts/*.vtt"), "", 200, map[string]string{"Content-Type": "text/vtt; charset=utf-8", cors: "*", "Cache-Control": "public, max-age=31536000, immutable"}},
		{"GET", first("transcripts/*.srt"), "", 200, map[string]string{"Content-Type": "application/x-subrip; charset=utf-8", cors: "*"}},
		{"GET", first("transcripts/*.json"), "", 200, map[string]string{"Content-Type": "application/json", cors: "*"}},
		{"GET", first("transcripts/*.html"), "", 200, map[string]string{"Content-Type": "text/html; charset=utf-8", cors: "*"}},
		{"OPTIONS", first("transcripts/*.vtt"), "", 204, map[string]string{cors: "*"}},
		{"GET", first("chapters/*.json"), "", 200, map[string]string{"Content-Type": "application/json+chapters", cors: "*", "Cache-Control": "public, max-age=31536000, immutable"}},
		{"OPTIONS", first("chapters/*.json"), "", 204, map[string]string{cors: "*"}},
		{"HEAD", audio, "", 200, map[string]string{"Content-Type": "audio/mpeg", "Accept-Ranges": "bytes", "Content-Length": strconv.FormatInt(fi.Size(), 10), "Cache-Control": "public, max-age=31536000, immutable"}},
		{"GET", audio, "bytes=0-1", 206, map[string]string{"Content-Range": fmt.Sprintf("bytes 0-1/%d", fi.Size()), "Content-Length": "2"}},
		{"GET", audio, "bytes=1000-1999", 206, map[string]string{"Content-Range": fmt.Sprintf("bytes 1000-1999/%d", fi.Size())}},
		{"GET", audio, fmt.Sprintf("bytes=%d-", fi.Size()+1), 416, nil},
		{"GET", first("cover.*.jpg"), "", 200, map[string]string{"Content-Type": "image/jpeg", "Cache-Control": "public, max-age=31536000, immutable"}},
		{"GET", first("static/*.css"), "", 200, map[string]string{"Content-Type": "text/css; charset=utf-8"}},
		{"GET", first("static/*.js"), "", 200, map[string]string{"Content-Type": "application/javascript; charset=utf-8"}},
		{"GET", "/", "", 200, map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}},
		{"GET", "/episodes/" + slug, "", 200, map[string]string{"Content-Type": "text/html; charset=utf-8", "X-Content-Type-Options": "nosniff"}},
		{"GET", "/episodes/no-such-episode", "", 404, nil},
	} {
		req, _ := http.NewRequest(tt.method, base+tt.path, nil)
		if tt.rng != "" {
			req.Header.Set("Range", tt.rng)
		}
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s (Range %q): %d, want %d", tt.method, tt.path, tt.rng, resp.StatusCode, tt.status)
		}
		for k, want := range tt.header {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s %s: %s is %q, want %q", tt.method, tt.path, k, got, want)
			}
		}
	}
}

func checkFeedparser(t *testing.T, base, site string) {
	py := testtool.Require(t, "/usr/bin/python3", "python3")
	if out, err := exec.Command(py, "-c", "import feedparser").CombinedOutput(); err != nil {
		clientMissing(t, "python3-feedparser is not installed: "+string(out))
	}
	script, _ := filepath.Abs(filepath.Join(clientsDir, "feedparser_live.py"))
	out := runProgram(t, py, script, base+"/feed.xml")
	var got struct {
		Status      int    `json:"status"`
		ContentType string `json:"content_type"`
		FeedVersion string `json:"feed_version"`
		Bozo        bool   `json:"bozo"`
		BozoExc     string `json:"bozo_exception"`
		Entries     []struct {
			ID         string `json:"id"`
			Enclosures []struct {
				Href, Length, Type string
			} `json:"enclosures"`
			Chapters []struct {
				Title string `json:"title"`
			} `json:"psc_chapters"`
			PodcastChapters map[string]string `json:"podcast_chapters"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("feedparser printed no JSON: %v\n%s", err, out)
	}
	if got.Status != 200 || got.Bozo || got.FeedVersion != "rss20" || !strings.HasPrefix(got.ContentType, "application/rss+xml") {
		t.Errorf("feedparser: status %d, bozo %v (%s), version %q, type %q; want 200, a clean rss20 feed, application/rss+xml", got.Status, got.Bozo, got.BozoExc, got.FeedVersion, got.ContentType)
	}
	audio := exportedAudio(t, site)
	if len(got.Entries) != len(audio) {
		t.Fatalf("feedparser read %d entries, the export has %d episodes", len(got.Entries), len(audio))
	}
	for _, e := range got.Entries {
		if len(e.Enclosures) != 1 || !strings.HasPrefix(e.Enclosures[0].Href, base+"/audio/") || e.Enclosures[0].Type != "audio/mpeg" {
			t.Errorf("feedparser entry %s: enclosures %+v", e.ID, e.Enclosures)
			continue
		}
		f, ok := audio[path.Base(e.Enclosures[0].Href)]
		fi, err := os.Stat(f)
		if !ok || err != nil || strconv.FormatInt(fi.Size(), 10) != e.Enclosures[0].Length {
			t.Errorf("feedparser entry %s: enclosure %s of %s bytes is not an exported file", e.ID, e.Enclosures[0].Href, e.Enclosures[0].Length)
		}
		if len(e.Chapters) == 0 || !strings.HasPrefix(e.PodcastChapters["url"], base+"/chapters/") {
			t.Errorf("feedparser entry %s: %d psc chapters, podcast:chapters %v", e.ID, len(e.Chapters), e.PodcastChapters)
		}
	}
}

func checkGPodder(t *testing.T, base, site string) {
	gpo, env, downloads := gpodder(t)
	runProgramEnv(t, env, gpo, "subscribe", base+"/feed.xml")
	if out := runProgramEnv(t, env, gpo, "update"); !bytes.Contains(out, []byte("5 new episodes")) {
		t.Errorf("gpo update printed no \"5 new episodes\":\n%s", out)
	}
	if out := runProgramEnv(t, env, gpo, "download"); !bytes.Contains(out, []byte("5 episodes downloaded")) {
		t.Errorf("gpo download printed no \"5 episodes downloaded\":\n%s", out)
	}
	audio := exportedAudio(t, site)
	found := 0
	filepath.WalkDir(downloads, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".mp3") {
			return err
		}
		found++
		want, ok := audio[filepath.Base(p)]
		if !ok {
			t.Errorf("gPodder downloaded %s, which the export does not have", filepath.Base(p))
			return nil
		}
		if fileDigest(t, p) != fileDigest(t, want) {
			t.Errorf("gPodder's %s differs from the exported file", filepath.Base(p))
		}
		return nil
	})
	if found != len(audio) {
		t.Errorf("gPodder downloaded %d episodes, want %d", found, len(audio))
	}
}

// gpodder returns gpo, an environment of its own (its HOME, database and
// downloads in a temporary directory) and where it downloads to.
func gpodder(t *testing.T) (gpo string, env []string, downloads string) {
	t.Helper()
	gpo = testtool.Require(t, "gpo", "gpodder")
	home := t.TempDir()
	gpodderHome, downloads := filepath.Join(home, "gpodder"), filepath.Join(home, "downloads")
	env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8", "TERM=dumb",
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "TMPDIR=" + home,
		"GPODDER_HOME=" + gpodderHome, "GPODDER_DOWNLOAD_DIR=" + downloads, "NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1"}
	return gpo, env, downloads
}

func fileDigest(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// clientMissing skips locally, or fails under CI, for a missing client.
func clientMissing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func runProgram(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	return runProgramEnv(t, append(os.Environ(), "NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1"), name, args...)
}

// runProgramEnv runs a client to completion, within a minute, and returns
// its stdout; it fails the test with both outputs otherwise.
func runProgramEnv(t *testing.T, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Dir = t.TempDir()
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
