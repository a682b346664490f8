package main

// Crash safety of publishing (issue 7, acceptance 2): the real binary runs
// as a process, is killed with SIGKILL in the middle of an upload and at
// every step of a publish, and is started again on the same directory. The
// show it then serves is the old one or the new one, complete (recording
// and timings of the same file), never a mix, and no temporary file is
// left behind.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/testtool"
)

const (
	crashToken = "crash-test-token-0123456789"
	crashSlug  = "02-the-official-history"
)

// buildReadcast builds the command into a temporary directory of t.
func buildReadcast(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "readcast")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a running readcast serve.
type process struct {
	cmd  *exec.Cmd
	log  *testtool.Buffer
	base string
	// exited is closed once cmd.Wait has returned.
	exited <-chan struct{}
}

// startServer runs readcast serve on dir with the admin API on, and waits
// until it answers.
func startServer(tb *testing.T, bin, dir string, env ...string) *process {
	tb.Helper()
	return startServeEnv(tb, bin, dir, append([]string{"READCAST_ADMIN_TOKEN=" + crashToken}, env...), "-watch", "0")
}

// kill ends the process with SIGKILL, as a power cut would.
func (p *process) kill(tb testing.TB) {
	tb.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		tb.Fatal(err)
	}
	<-p.exited // Wait, in startServer's goroutine, has reaped it
}

// episodeStatus is GET /admin/episodes/{slug}.
type episodeStatus struct {
	AudioSHA256  string `json:"audio_sha256"`
	ServedSHA256 string `json:"served_sha256"`
	AudioURL     string `json:"audio_url"`
	Timed        bool   `json:"timed"`
}

func (p *process) episode(tb testing.TB, slug string) episodeStatus {
	tb.Helper()
	req, _ := http.NewRequest("GET", p.base+"/admin/episodes/"+slug, nil)
	req.Header.Set("Authorization", "Bearer "+crashToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var st episodeStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != 200 {
		tb.Fatalf("GET /admin/episodes/%s: %d %v", slug, resp.StatusCode, err)
	}
	return st
}

// consistent checks what a restarted server serves for the episode: one of
// the given recordings, with its own timings, the feed listing it, the
// bytes at its URL being that recording; and that nothing temporary and
// no unreferenced recording is left in dir. It returns the hash served.
func consistent(tb *testing.T, p *process, dir string, allowed ...string) string {
	tb.Helper()
	st := p.episode(tb, crashSlug)
	ok := false
	for _, a := range allowed {
		ok = ok || st.AudioSHA256 == a
	}
	if !ok {
		tb.Fatalf("the restarted server serves recording %.12s, want one of %.12s", st.AudioSHA256, allowed)
	}
	if !st.Timed {
		tb.Errorf("the restarted server serves %.12s without its timings", st.AudioSHA256)
	}
	feed := get(tb, p.base+"/feed.xml")
	if !strings.Contains(feed, st.AudioURL) {
		tb.Errorf("the feed does not list %s", st.AudioURL)
	}
	body := get(tb, st.AudioURL)
	if sum := sha256.Sum256([]byte(body)); hex.EncodeToString(sum[:]) != st.ServedSHA256 {
		tb.Errorf("%s serves other bytes than recording %.12s", st.AudioURL, st.AudioSHA256)
	}
	if strings.Contains(p.log.String(), "show problem") {
		tb.Errorf("the restarted server reports problems:\n%s", p.log)
	}
	// The restarted server may be writing an ID3-tagged copy right now:
	// its temporary file is renamed within moments; a leftover stays.
	var junk []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		junk = junk[:0]
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && (strings.HasPrefix(d.Name(), ".upload-") || strings.HasPrefix(d.Name(), ".publish-") || strings.HasSuffix(d.Name(), ".tmp")) {
				junk = append(junk, path)
			}
			return nil
		})
		if len(junk) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(junk) > 0 {
		tb.Errorf("temporary files leaked: %v", junk)
	}
	stored, _ := filepath.Glob(filepath.Join(dir, "audio", "store", "*.mp3"))
	for _, s := range stored {
		if sum := strings.TrimSuffix(filepath.Base(s), ".mp3"); sum != allowed[0] && sum != allowed[len(allowed)-1] {
			tb.Errorf("an unreferenced recording is left in the store: %s", s)
		}
	}
	return st.AudioSHA256
}

// crashShow copies the seed and prepares a retake of the test episode: the
// seed recording with an ID3v1 tag appended: other bytes, the same audio,
// which the real aligner (espeak-ng) times as a person's recording.
func crashShow(tb *testing.T) (dir string, take []byte, oldSum, newSum string) {
	tb.Helper()
	testtool.Require(tb, "espeak-ng", "espeak-ng")
	dir = tb.TempDir()
	copyDir(tb, "../../episodes", dir)
	mp3, err := os.ReadFile(filepath.Join(dir, "audio", crashSlug+".mp3"))
	if err != nil {
		tb.Fatal(err)
	}
	tag := make([]byte, 128)
	copy(tag, "TAGcrash test take")
	take = append(append([]byte(nil), mp3...), tag...)
	o, n := sha256.Sum256(mp3), sha256.Sum256(take)
	return dir, take, hex.EncodeToString(o[:]), hex.EncodeToString(n[:])
}

func upload(tb testing.TB, base string, body []byte) (int, string) {
	tb.Helper()
	return admin(tb, "PUT", base+"/admin/episodes/"+crashSlug+"/audio", body)
}

// admin sends an admin API request with the token.
func admin(tb testing.TB, method, url string, body []byte) (int, string) {
	tb.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+crashToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCrashInTheMiddleOfAnUpload(t *testing.T) {
	t.Parallel()
	dir, take, oldSum, newSum := crashShow(t)
	bin := buildReadcast(t)
	p := startServer(t, bin, dir)
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w := bufio.NewWriter(conn)
	fmt.Fprintf(w, "PUT /admin/episodes/%s/audio HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", crashSlug, crashToken, len(take))
	w.Write(take[:len(take)/2])
	w.Flush()
	waitFor(t, "the upload to reach the disk", func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "audio", "store", ".upload-*"))
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil && fi.Size() > 0 {
				return true
			}
		}
		return false
	})
	p.kill(t)

	p = startServer(t, bin, dir)
	if got := consistent(t, p, dir, oldSum, newSum); got != oldSum {
		t.Errorf("after a crash during the upload the show serves %.12s, want the old %.12s", got, oldSum)
	}
	if !strings.Contains(p.log.String(), "removed a leftover") {
		t.Errorf("the restart did not say it removed the partial upload:\n%s", p.log)
	}
}

func TestCrashInTheMiddleOfAPublish(t *testing.T) {
	t.Parallel()
	bin, hooked := buildReadcast(t), readcastWithHooks(t)
	for _, tt := range []struct {
		step  string
		isNew bool // the symlink was already renamed
	}{
		{"timing", false}, {"recording", false}, {"previous", false}, {"link", false}, {"reload", true},
	} {
		t.Run("before "+tt.step, func(t *testing.T) {
			t.Parallel()
			dir, take, oldSum, newSum := crashShow(t)
			p := startServer(t, hooked, dir, pauseAt(tt.step))
			if status, body := upload(t, p.base, take); status != http.StatusAccepted {
				t.Fatalf("upload: %d %s", status, body)
			}
			// The real aligner runs first: the pause comes after it.
			waitLong(t, "the publish to pause before "+tt.step, func() bool {
				return strings.Contains(p.log.String(), pausedAt(tt.step))
			})
			p.kill(t)

			p = startServer(t, bin, dir)
			want := oldSum
			if tt.isNew {
				want = newSum
			}
			if got := consistent(t, p, dir, oldSum, newSum); got != want {
				t.Errorf("after a crash before %s the show serves %.12s, want %.12s", tt.step, got, want)
			}
			if tt.step != "timing" {
				return
			}
			// The restarted server publishes as if nothing had happened.
			if status, body := upload(t, p.base, take); status != http.StatusAccepted {
				t.Fatalf("upload after restart: %d %s", status, body)
			}
			waitLong(t, "the publish after restart", func() bool { return p.episode(t, crashSlug).AudioSHA256 == newSum })
		})
	}
}

// waitLong polls cond for up to two minutes: alignments of parallel tests
// share the machine's cores. It bounds the wait, it does not time it.
func waitLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("gave up waiting for %s", what)
}
