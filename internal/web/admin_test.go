package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/publish"
	"github.com/readcast/readcast/internal/timing"
)

const (
	adminToken = "test-token-0123456789abcdef"
	// adminSlug is the seed episode the tests re-record: the shortest.
	adminSlug = "02-the-official-history"
	// adminLimit is the upload limit of the test server: the seed's
	// recordings fit, a few megabytes do not.
	adminLimit = 4 << 20
)

// adminShow is a copy of the seed show served with the admin API on.
type adminShow struct {
	ts  *httptest.Server
	srv *Server
	dir string
}

// newAdminShow serves a copy of the seed show with the admin API enabled.
// Its aligner answers with the seed's own timing map of the episode, which
// fits any re-encoding-free retake of the seed recording.
func newAdminShow(tb testing.TB) *adminShow {
	tb.Helper()
	return newAdminShowLimits(tb, DefaultLimits())
}

// newAdminShowLimits is newAdminShow with other connection limits.
func newAdminShowLimits(tb testing.TB, lim Limits) *adminShow {
	tb.Helper()
	dir := tb.TempDir()
	copyTree(tb, "../../episodes", dir)
	st, _, err := publish.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	ccfg := catalog.Config{Dir: dir, BaseURL: "http://" + ts.Listener.Addr().String()}
	snap, err := catalog.Load(context.Background(), ccfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var srv *Server
	pub, err := publish.New(publish.Config{
		Store: st, MaxUpload: adminLimit, Log: log,
		Aligner: publish.AlignerFunc(func(ctx context.Context, path string, ep publish.Episode, progress func(publish.Progress)) (*publish.Alignment, error) {
			data, err := os.ReadFile(filepath.Join("../../episodes", catalog.AudioDir, ep.Outline.Slug+catalog.TimingExt))
			if err != nil {
				return nil, err
			}
			m, err := timing.Parse(data)
			if err != nil {
				return nil, err
			}
			m.Method = timing.MethodAligned
			return &publish.Alignment{Map: m}, nil
		}),
		Reload: func(ctx context.Context, why string) (*catalog.Snapshot, error) {
			next, err := catalog.Load(ctx, ccfg, nil)
			if err == nil {
				srv.Swap(next)
			}
			return next, err
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	if srv, err = New(Config{Snapshot: snap, Log: log, Limits: lim, AdminToken: adminToken, Publisher: pub}); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { pub.Run(ctx); close(done) }()
	ts.Config.Handler = srv.Handler()
	ts.Start()
	tb.Cleanup(func() { ts.Close(); cancel(); <-done })
	return &adminShow{ts: ts, srv: srv, dir: dir}
}

func copyTree(tb testing.TB, from, to string) {
	tb.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		tb.Fatal(err)
	}
}

// published is everything a listener can see of the show, and every file
// behind it: equal published values are a byte-identical show.
func (a *adminShow) published(tb testing.TB) string {
	tb.Helper()
	var lines []string
	err := filepath.WalkDir(a.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(a.dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			t, _ := os.Readlink(p)
			lines = append(lines, rel+" -> "+t)
		case !d.IsDir():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			lines = append(lines, rel+" "+hexSHA(b))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(lines)
	_, feed := doBody(tb, http.MethodGet, a.ts.URL+"/feed.xml", nil)
	return strings.Join(lines, "\n") + "\nfeed " + hexSHA(feed)
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// doBody makes a request with an optional body and header pairs, on a
// connection of its own, and reads the whole answer. The transport does not
// negotiate gzip on its own: tests say when.
func doBody(tb testing.TB, method, url string, body io.Reader, header ...string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}

var bearer = []string{"Authorization", "Bearer " + adminToken}

// seedMP3 is the seed recording of the test episode; retake is it with an
// ID3v1 tag appended: other bytes, the same audio.
func seedMP3(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("../../episodes", catalog.AudioDir, adminSlug+".mp3"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func retake(tb testing.TB, take string) []byte {
	tag := make([]byte, 128)
	copy(tag, "TAG")
	copy(tag[3:], take)
	return append(seedMP3(tb), tag...)
}

// chunked hides a reader's length, so the request has no Content-Length.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

// TestAdminBadInput is acceptance 1 of issue 7: each bad request gets the
// right status and a message that says what is wrong, and the published
// show is byte-identical afterwards.
func TestAdminBadInput(t *testing.T) {
	a := newAdminShow(t)
	mp3 := seedMP3(t)
	corrupt := append([]byte(nil), mp3...)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 2048; i < len(corrupt); i++ {
		corrupt[i] = byte(rng.Uint32())
	}
	frame := []byte("TIT2\x00\x00\x00\x06\x00\x00\x03hello")
	id3Only := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x10"), frame...)
	wav := append([]byte("RIFF\x24\x00\x01\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x01\x00"), make([]byte, 65536)...)
	tone, err := os.ReadFile("../audio/testdata/tone.mp3") // 0.3 s
	if err != nil {
		t.Fatal(err)
	}
	upload := a.ts.URL + "/admin/episodes/" + adminSlug + "/audio"
	snap := a.srv.Snapshot()
	ep, _ := snap.Episode(adminSlug)
	audioURL := a.ts.URL + ep.Audio.Path

	tests := []struct {
		name, method, url string
		body              io.Reader
		header            []string
		status            int
		want              string
	}{
		{"corrupt MP3", "PUT", upload, bytes.NewReader(corrupt), bearer, 422, "not a usable MP3"},
		{"WAV named .mp3", "PUT", upload, bytes.NewReader(wav), bearer, 422, "this is a WAV (RIFF WAVE) file, not an MP3"},
		{"truncated", "PUT", upload, bytes.NewReader(mp3[:len(mp3)*2/3+1]), bearer, 422, "truncated"},
		{"zero bytes", "PUT", upload, bytes.NewReader(nil), bearer, 422, "empty file (0 bytes)"},
		{"ID3 tag with no audio", "PUT", upload, bytes.NewReader(id3Only), bearer, 422, "only an ID3v2 tag"},
		{"a length no reading of the text has", "PUT", upload, bytes.NewReader(tone), bearer, 422, "it plays 0:00, but the episode's 368 words take 0:55 to 6:08 to read"},
		{"over the limit, declared", "PUT", upload, bytes.NewReader(make([]byte, adminLimit+1)), bearer, 413, "the limit is 4194304 bytes"},
		{"over the limit, chunked", "PUT", upload, chunked{bytes.NewReader(make([]byte, adminLimit+1))}, bearer, 413, "larger than the limit of 4194304 bytes"},
		{"missing token", "PUT", upload, bytes.NewReader(mp3), nil, 401, "needs \"Authorization: Bearer <token>\""},
		{"wrong token", "PUT", upload, bytes.NewReader(mp3), []string{"Authorization", "Bearer " + adminToken + "x"}, 401, "the admin token is wrong"},
		{"token as basic auth", "PUT", upload, bytes.NewReader(mp3), []string{"Authorization", "Basic " + adminToken}, 401, "Bearer"},
		{"wrong token on restore", "POST", a.ts.URL + "/admin/episodes/" + adminSlug + "/restore", nil, []string{"Authorization", "Bearer nope"}, 401, "wrong"},
		{"wrong token on a job", "GET", a.ts.URL + "/admin/jobs/x", nil, []string{"Authorization", "Bearer"}, 401, "Bearer"},
		{"traversal, dot-dot", "PUT", a.ts.URL + "/admin/episodes/../audio", bytes.NewReader(mp3), bearer, 400, `".." is not an episode slug`},
		// Out of /admin once cleaned: redirected to /show.json/audio,
		// never the admin API's (TestAdminCleanedPath).
		{"traversal, encoded slashes", "PUT", a.ts.URL + "/admin/episodes/..%2F..%2Fshow.json/audio", bytes.NewReader(mp3), bearer, 301, ""},
		{"traversal, encoded dots", "PUT", a.ts.URL + "/admin/episodes/%2e%2e/audio", bytes.NewReader(mp3), bearer, 400, "is not an episode slug"},
		{"traversal, absolute", "PUT", a.ts.URL + "/admin/episodes/%2Fetc%2Fpasswd/audio", bytes.NewReader(mp3), bearer, 400, "is not an episode slug"},
		{"slug with a NUL", "PUT", a.ts.URL + "/admin/episodes/" + adminSlug + "%00/audio", bytes.NewReader(mp3), bearer, 400, "is not an episode slug"},
		{"traversal in restore", "POST", a.ts.URL + "/admin/episodes/..%2Faudio/restore", nil, bearer, 400, "is not an episode slug"},
		{"unknown episode", "PUT", a.ts.URL + "/admin/episodes/99-no-such-episode/audio", bytes.NewReader(mp3), bearer, 404, "the show has no episode 99-no-such-episode"},
		{"unknown episode restore", "POST", a.ts.URL + "/admin/episodes/99-no-such-episode/restore", nil, bearer, 404, "no episode"},
		{"restore without a previous", "POST", a.ts.URL + "/admin/episodes/" + adminSlug + "/restore", nil, bearer, 409, "no previous recording"},
		{"unknown job", "GET", a.ts.URL + "/admin/jobs/0123456789abcdef", nil, bearer, 404, "no such job"},
		{"wrong method", "GET", upload, nil, bearer, 405, "GET is not allowed"},
		{"unknown admin path", "GET", a.ts.URL + "/admin/secrets", nil, bearer, 404, "no such admin resource"},
		// Malformed ranges are ignored as RFC 9110 says (the whole file,
		// 200); a well-formed one past the end is 416.
		{"Range of another unit", "GET", audioURL, nil, []string{"Range", "items=0-1"}, 200, ""},
		{"Range reversed", "GET", audioURL, nil, []string{"Range", "bytes=500-100"}, 200, ""},
		{"Range not numbers", "GET", audioURL, nil, []string{"Range", "bytes=a-b"}, 200, ""},
		{"Range of 17 parts", "GET", audioURL, nil, []string{"Range", "bytes=" + strings.Repeat("0-0,", 16) + "0-0"}, 200, ""},
		{"Range overflowing", "GET", audioURL, nil, []string{"Range", "bytes=0-99999999999999999999"}, 200, ""},
		{"Range past the end", "GET", audioURL, nil, []string{"Range", fmt.Sprintf("bytes=%d-", ep.Audio.Size+10)}, 416, ""},
	}
	before := a.published(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := doBody(t, tt.method, tt.url, tt.body, tt.header...)
			if resp.StatusCode != tt.status {
				t.Errorf("%s %s: status %d, want %d: %s", tt.method, tt.url, resp.StatusCode, tt.status, body)
			}
			if tt.want != "" {
				var msg struct{ Error string }
				if err := json.Unmarshal(body, &msg); err != nil || !strings.Contains(msg.Error, tt.want) {
					t.Errorf("answer %s, want an error saying %q", body, tt.want)
				}
				if strings.Contains(string(body), a.dir) {
					t.Errorf("the answer names a server path: %s", body)
				}
			}
			if tt.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge: %q", resp.Header.Get("WWW-Authenticate"))
			}
			if tt.status == 200 && int64(len(body)) != ep.Audio.Size {
				t.Errorf("ignored range: %d bytes, want the whole %d", len(body), ep.Audio.Size)
			}
			if got := a.published(t); got != before {
				t.Errorf("the published show changed:\n%s\nwant\n%s", got, before)
			}
		})
	}
}

// TestAdminAbortedUpload cuts an upload off half way: nothing is kept.
func TestAdminAbortedUpload(t *testing.T) {
	a := newAdminShow(t)
	before := a.published(t)
	conn, err := net.Dial("tcp", a.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	mp3 := seedMP3(t)
	fmt.Fprintf(conn, "PUT /admin/episodes/%s/audio HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", adminSlug, adminToken, len(mp3))
	conn.Write(mp3[:len(mp3)/2])
	conn.Close()
	waitUntil(t, "the half upload to be removed", func() bool { return a.published(t) == before })
}

// TestAdminUploadPublishRestore goes the whole way over HTTP: upload, the
// job to done, the feed's new enclosure, restore.
func TestAdminUploadPublishRestore(t *testing.T) {
	a := newAdminShow(t)
	_, oldFeed := doBody(t, "GET", a.ts.URL+"/feed.xml", nil)
	old, _ := a.srv.Snapshot().Episode(adminSlug)
	take := retake(t, "a person's take")

	resp, body := doBody(t, "PUT", a.ts.URL+"/admin/episodes/"+adminSlug+"/audio", bytes.NewReader(take), append(bearer, "Content-Type", "audio/mpeg")...)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	var job publish.Job
	if err := json.Unmarshal(body, &job); err != nil {
		t.Fatal(err)
	}
	loc := resp.Header.Get("Location")
	if loc != "/admin/jobs/"+job.ID || job.AudioSHA256 != hexSHA(take) {
		t.Errorf("upload answered Location %q, job %+v", loc, job)
	}
	waitUntil(t, "the job to end", func() bool {
		resp, body := doBody(t, "GET", a.ts.URL+loc, nil, bearer...)
		if resp.StatusCode != 200 {
			t.Fatalf("job: %d %s", resp.StatusCode, body)
		}
		json.Unmarshal(body, &job)
		return job.State == publish.JobDone || job.State == publish.JobFailed
	})
	if job.State != publish.JobDone || job.Progress != 1 {
		t.Fatalf("job ended %+v", job)
	}
	_, feed := doBody(t, "GET", a.ts.URL+"/feed.xml", nil)
	if !bytes.Contains(feed, []byte(job.AudioURL)) || bytes.Contains(feed, []byte(old.Audio.Path)) {
		t.Errorf("the feed does not list the new recording %s instead of %s", job.AudioURL, old.Audio.Path)
	}
	resp, got := doBody(t, "GET", job.AudioURL, nil)
	if resp.StatusCode != 200 || !bytes.Equal(got, take) {
		t.Errorf("GET %s: %d, %d bytes; want the upload's %d", job.AudioURL, resp.StatusCode, len(got), len(take))
	}
	if resp, _ := doBody(t, "GET", a.ts.URL+old.Audio.Path, nil); resp.StatusCode != 404 {
		t.Errorf("the old recording's URL answers %d after the publish, want 404", resp.StatusCode)
	}

	resp, body = doBody(t, "GET", a.ts.URL+"/admin/episodes/"+adminSlug, nil, bearer...)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(old.Audio.SHA256)) || !bytes.Contains(body, []byte(`"timed": true`)) {
		t.Errorf("episode status %d %s: want the new recording, timed, with the seed's as previous", resp.StatusCode, body)
	}

	resp, body = doBody(t, "POST", a.ts.URL+"/admin/episodes/"+adminSlug+"/restore", nil, bearer...)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(old.Audio.Path)) {
		t.Fatalf("restore: %d %s", resp.StatusCode, body)
	}
	if _, feed := doBody(t, "GET", a.ts.URL+"/feed.xml", nil); !bytes.Equal(feed, oldFeed) {
		t.Error("after restore the feed is not the seed's again")
	}
}

// TestAdminDisabledWithoutToken: no token, no admin API.
func TestAdminDisabledWithoutToken(t *testing.T) {
	ts, srv := newTestServer(t)
	resp, _ := doBody(t, "PUT", ts.URL+"/admin/episodes/"+adminSlug+"/audio", bytes.NewReader([]byte("x")), bearer...)
	if resp.StatusCode != 404 {
		t.Errorf("admin API without a token: %d, want 404", resp.StatusCode)
	}
	if _, err := New(Config{Snapshot: srv.Snapshot(), AdminToken: "short"}); err == nil {
		t.Error("New accepted a 5-character admin token")
	}
}

// waitUntil polls cond; it bounds the wait, it does not time it.
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	tb.Fatalf("gave up waiting for %s", what)
}
