package main

// docs/nginx-origin.conf, the nginx block docs/operate.md tells operators
// to use, run as it is (with the two addresses replaced) in front of the
// real readcast: nginx -t accepts it, the feed, the pages and audio ranges
// come through it with the base URL's links, the admin API and /metrics
// do not, and the listener's address reaches readcast's download count.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/testtool"
)

const originToken = "operate-test-token-0123456789"

func TestNginxOriginBlock(t *testing.T) {
	nginx := testtool.Require(t, "nginx", "nginx")
	block, err := os.ReadFile("../../docs/nginx-origin.conf")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/operate.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte("nginx-origin.conf")) {
		t.Error("docs/operate.md does not point to docs/nginx-origin.conf, the block this test runs")
	}
	front, origin := freeAddr(t), freeAddr(t)
	base := "http://" + front

	bin := buildReadcast(t)
	dir := t.TempDir()
	copyDir(t, "../../episodes", dir)
	serveArgs := []string{"-addr", origin, "-watch", "0", "-base-url", base, "-trusted-proxies", "127.0.0.1/32"}
	p := startServeEnv(t, bin, dir, []string{"READCAST_ADMIN_TOKEN=" + originToken}, serveArgs...)

	for _, old := range []string{"server 127.0.0.1:8080;", "listen 80;"} {
		if !bytes.Contains(block, []byte(old)) {
			t.Fatalf("docs/nginx-origin.conf has no %q for the test to replace", old)
		}
	}
	block = bytes.Replace(block, []byte("server 127.0.0.1:8080;"), []byte("server "+origin+";"), 1)
	block = bytes.Replace(block, []byte("listen 80;"), []byte("listen "+front+";"), 1)
	tmp := t.TempDir()
	writeFile(t, filepath.Join(tmp, "readcast.conf"), string(block))
	startNginx(t, nginx, tmp, base, "  include "+filepath.Join(tmp, "readcast.conf")+";")

	fetch := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, feed := fetch("/feed.xml")
	if resp.StatusCode != 200 || !bytes.Contains(feed, []byte(`<enclosure url="`+base+`/audio/`)) {
		errLog, _ := os.ReadFile(filepath.Join(tmp, "error.log"))
		t.Fatalf("the feed through nginx: %d, enclosures not under %s\n%s\n%s", resp.StatusCode, base, feed, errLog)
	}
	if resp, _ := fetch("/"); resp.StatusCode != 200 {
		t.Errorf("the show page through nginx: %d", resp.StatusCode)
	}
	i := bytes.Index(feed, []byte(`<enclosure url="`+base))
	audio := strings.TrimPrefix(string(feed[i+len(`<enclosure url="`):]), base)
	audio = audio[:strings.IndexByte(audio, '"')]
	resp, body := fetch(audio, "Range", "bytes=0-65535", "User-Agent", "AntennaPod/3.4")
	if resp.StatusCode != 206 || len(body) != 65536 {
		t.Errorf("a range of the audio through nginx: %d, %d bytes", resp.StatusCode, len(body))
	}
	for _, path := range []string{"/metrics", "/readyz", "/admin/episodes/02-the-official-history", "/admin/jobs/x"} {
		resp, _ := fetch(path, "Authorization", "Bearer "+originToken)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s through nginx: %d, want 403", path, resp.StatusCode)
		}
	}
	// A podcast app's connections at once: a probe and three ranges, from
	// the same address as four more listeners behind one NAT.
	errs := make(chan error, 20)
	for range 20 {
		go func() {
			req, _ := http.NewRequest("GET", base+audio, nil)
			req.Header.Set("Range", "bytes=0-1")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 206 {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Errorf("20 connections at once from one address: %v", err)
		}
	}
	// The origin itself answers the operator's endpoints.
	if code, _ := readyz(t, "http://"+origin); code != 200 {
		t.Errorf("/readyz on the origin: %d", code)
	}

	// Five listeners through nginx count five (acceptance 3), and again
	// after a restart, none more.
	slug := strings.TrimPrefix(audio, "/audio/")
	slug = slug[:strings.IndexByte(slug, '.')]
	listeners := func() {
		for i := 1; i <= 5; i++ {
			resp, _ := fetch(audio, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i), "User-Agent", "AppleCoreMedia/1.0")
			if resp.StatusCode != 200 {
				t.Fatalf("listener %d: %d", i, resp.StatusCode)
			}
		}
	}
	listeners()
	if got := scrapeDownloads(t, "http://"+origin, slug); got != 5 {
		t.Errorf("five listeners through nginx counted %v", got)
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
	startServeEnv(t, bin, dir, []string{"READCAST_ADMIN_TOKEN=" + originToken}, serveArgs...)
	listeners()
	if got := scrapeDownloads(t, "http://"+origin, slug); got != 0 {
		t.Errorf("after a restart the same five listeners counted %v more", got)
	}
	if b, _ := os.ReadFile(filepath.Join(tmp, "error.log")); len(bytes.TrimSpace(b)) > 0 {
		t.Logf("nginx error log:\n%s", b)
	}
}

// scrapeDownloads reads an episode's download count from /metrics.
func scrapeDownloads(t *testing.T, origin, slug string) float64 {
	t.Helper()
	for _, m := range scrape(t, origin)["readcast_downloads_total"].GetMetric() {
		for _, lp := range m.GetLabel() {
			if lp.GetName() == "episode" && lp.GetValue() == slug {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no download series of %s", slug)
	return 0
}
