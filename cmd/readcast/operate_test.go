package main

// Running readcast as an operator would (issue 13): the real binary,
// restarted after edits, checked with /readyz and scraped for /metrics.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/readcast/readcast/internal/testtool"
)

var listening = regexp.MustCompile(`msg=serving .* url=(http://127\.0\.0\.1:[0-9]+)/`)

// startServe runs `readcast serve` on dir with args and waits until it
// serves.
func startServe(t *testing.T, bin, dir string, args ...string) *process {
	t.Helper()
	return startServeEnv(t, bin, dir, nil, args...)
}

// startServeEnv is startServe with more environment variables.
func startServeEnv(t *testing.T, bin, dir string, env []string, args ...string) *process {
	t.Helper()
	p := &process{log: &testtool.Buffer{}}
	p.cmd = exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0", "-dir", dir}, args...)...)
	p.cmd.Env = append(append(os.Environ(), "READCAST_BASE_URL=", "READCAST_ADMIN_TOKEN="), env...)
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	p.exited = exited
	go func() { p.cmd.Wait(); close(exited) }()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-exited })
	waitFor(t, "the server to start", func() bool {
		select {
		case <-exited:
			t.Fatalf("readcast exited:\n%s", p.log)
		default:
		}
		m := listening.FindStringSubmatch(p.log.String())
		if m == nil {
			return false
		}
		p.base = m[1]
		return true
	})
	return p
}

// stop sends SIGTERM and returns the exit status.
func (p *process) stop(t *testing.T) int {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(60 * time.Second):
		t.Fatal("readcast did not exit after SIGTERM")
	}
	return p.cmd.ProcessState.ExitCode()
}

// readyz is GET /readyz: its status and body.
func readyz(t *testing.T, base string) (int, Readiness) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rd Readiness
	if err := json.NewDecoder(resp.Body).Decode(&rd); err != nil {
		t.Fatalf("/readyz is not JSON: %v", err)
	}
	return resp.StatusCode, rd
}

// Readiness is what the test reads of /readyz.
type Readiness struct {
	Ready    bool     `json:"ready"`
	Episodes int      `json:"episodes"`
	Recorded int      `json:"recorded"`
	Problems []string `json:"problems"`
}

func waitReady(t *testing.T, base string, want int, what string) Readiness {
	t.Helper()
	var rd Readiness
	waitFor(t, what, func() bool {
		var code int
		code, rd = readyz(t, base)
		return code == want && rd.Ready == (want == 200)
	})
	return rd
}

// runBin runs the binary and returns its output and exit status.
func runBin(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "READCAST_BASE_URL=", "READCAST_DIR=")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// brokenEdit is an edit of show.json the server rejects: a field out of
// range, valid JSON. The edit and its restore keep the file's size, so
// each waits for the file system's clock to pass the file's mtime: the
// watcher, which compares size and mtime, could not tell an edit within
// the same tick.
func brokenEdit(t *testing.T, dir string) (restore func()) {
	t.Helper()
	meta := filepath.Join(dir, "show.json")
	good, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(good, []byte(`"type": "serial"`), []byte(`"type": "weekly"`), 1)
	if bytes.Equal(bad, good) {
		t.Fatal(`show.json has no "type": "serial" to break`)
	}
	testtool.AfterModTime(t, meta)
	must(t, os.WriteFile(meta, bad, 0o644))
	return func() {
		testtool.AfterModTime(t, meta)
		must(t, os.WriteFile(meta, good, 0o644))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRestartAfterABrokenEdit is acceptance 1: validate finds the broken
// edit, a restart with it keeps serving the last good show and says so,
// and /readyz follows a failed reload and a missing recording.
func TestRestartAfterABrokenEdit(t *testing.T) {
	bin := buildReadcast(t)
	if out, code := runBin(t, bin, "validate", "-dir", "../../episodes"); code != 0 {
		t.Fatalf("validate on the shipped show: exit %d\n%s", code, out)
	}

	dir := t.TempDir()
	copyDir(t, "../../episodes", dir)
	p := startServe(t, bin, dir, "-watch", "50ms")
	waitReady(t, p.base, 200, "the fresh server to be ready")

	// A broken edit under the running server: not ready, still serving.
	fix := brokenEdit(t, dir)
	rd := waitReady(t, p.base, 503, "a failed reload to make the server not ready")
	if len(rd.Problems) == 0 || !strings.Contains(strings.Join(rd.Problems, "\n"), "weekly") {
		t.Errorf("/readyz does not say what failed: %q", rd.Problems)
	}
	if !strings.Contains(get(t, p.base+"/feed.xml"), "<item>") {
		t.Error("the feed went away with the broken edit")
	}
	out, code := runBin(t, bin, "validate", "-dir", dir)
	if code != 1 || !strings.Contains(out, "weekly") {
		t.Errorf("validate on the broken edit: exit %d, want 1 naming the field:\n%s", code, out)
	}
	t.Logf("validate says:\n%s", out)

	// The restart with the broken edit serves the last good show.
	if code := p.stop(t); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0\n%s", code, p.log)
	}
	p = startServe(t, bin, dir, "-watch", "50ms")
	if !strings.Contains(p.log.String(), "serving the last good copy") || !strings.Contains(p.log.String(), "level=ERROR") {
		t.Errorf("the restart does not say loudly that it serves the last good show:\n%s", p.log)
	}
	feed := get(t, p.base+"/feed.xml")
	if strings.Count(feed, "<item>") != 5 {
		t.Errorf("the last good show is not served: %d items", strings.Count(feed, "<item>"))
	}
	rd = waitReady(t, p.base, 503, "the fallback to be not ready")
	if !strings.Contains(strings.Join(rd.Problems, "\n"), "last good") {
		t.Errorf("/readyz does not say it serves the last good show: %q", rd.Problems)
	}

	// Fixed: ready again.
	fix()
	waitReady(t, p.base, 200, "the fixed show to be ready")

	// A recording disappears: not ready at once; back: ready.
	mp3 := filepath.Join(dir, "audio", "02-the-official-history.mp3")
	must(t, os.Rename(mp3, mp3+".away"))
	rd = waitReady(t, p.base, 503, "a missing recording to make the server not ready")
	if !strings.Contains(strings.Join(rd.Problems, "\n"), "02-the-official-history") {
		t.Errorf("/readyz does not name the episode: %q", rd.Problems)
	}
	must(t, os.Rename(mp3+".away", mp3))
	waitReady(t, p.base, 200, "the recording's return to make the server ready")
	p.stop(t)
}

// TestStartWithABrokenShowAndNoCopy: nothing to fall back on, so serve
// exits 1 with one line saying what to fix (the one problem of the edit),
// and writes nothing.
func TestStartWithABrokenShowAndNoCopy(t *testing.T) {
	bin := buildReadcast(t)
	dir := t.TempDir()
	copyDir(t, "../../episodes", dir)
	brokenEdit(t, dir)
	// A second problem: the list of them is one line too.
	meta := filepath.Join(dir, "show.json")
	data, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(meta, regexp.MustCompile(`"language": "[^"]*"`).ReplaceAll(data, []byte(`"language": "english!!"`)), 0o644))
	for _, format := range []string{"text", "json"} {
		cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-dir", dir, "-log-format", format)
		cmd.Env = append(os.Environ(), "READCAST_BASE_URL=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 1 {
			t.Errorf("%s: exit %d (%v), want 1", format, code, err)
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) != 1 {
			t.Errorf("%s: %d lines on stderr, want one:\n%s", format, len(lines), stderr.String())
			continue
		}
		if !strings.Contains(lines[0], "show.json") || !strings.Contains(lines[0], "weekly") || !strings.Contains(lines[0], "english!!") {
			t.Errorf("%s: the line does not say what is wrong: %s", format, lines[0])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".readcast")); err == nil {
		t.Error("a failed start wrote its state directory")
	}
}

// scrape reads /metrics with client_golang's text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// TestMetricsRightAfterStart is acceptance 2: one scrape, read with
// client_golang's text parser.
func TestMetricsRightAfterStart(t *testing.T) {
	bin := buildReadcast(t)
	p := startServe(t, bin, "../../episodes", "-watch", "0", "-state-dir", t.TempDir())
	get(t, p.base+"/feed.xml")
	fams := scrape(t, p.base)
	for name, typ := range map[string]dto.MetricType{
		"go_goroutines":                                  dto.MetricType_GAUGE,
		"process_resident_memory_bytes":                  dto.MetricType_GAUGE,
		"process_open_fds":                               dto.MetricType_GAUGE,
		"process_start_time_seconds":                     dto.MetricType_GAUGE,
		"readcast_build_info":                            dto.MetricType_GAUGE,
		"readcast_http_request_duration_seconds":         dto.MetricType_HISTOGRAM,
		"readcast_reloads_total":                         dto.MetricType_COUNTER,
		"readcast_publishes_total":                       dto.MetricType_COUNTER,
		"readcast_alignments_total":                      dto.MetricType_COUNTER,
		"readcast_last_reload_success_timestamp_seconds": dto.MetricType_GAUGE,
		"readcast_show_problems":                         dto.MetricType_GAUGE,
		"readcast_http_errors_total":                     dto.MetricType_COUNTER,
		"readcast_downloads_total":                       dto.MetricType_COUNTER,
	} {
		f, ok := fams[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		if f.GetType() != typ {
			t.Errorf("%s is a %v, want a %v", name, f.GetType(), typ)
		}
	}
	if f := fams["readcast_build_info"]; f != nil {
		labels := map[string]string{}
		for _, lp := range f.GetMetric()[0].GetLabel() {
			labels[lp.GetName()] = lp.GetValue()
		}
		if labels["version"] == "" || labels["commit"] == "" {
			t.Errorf("build info without version or commit: %v", labels)
		}
	}
	dl := fams["readcast_downloads_total"]
	if dl == nil || len(dl.GetMetric()) != 5 {
		t.Fatalf("want one download series per episode (5): %v", dl)
	}
	for _, m := range dl.GetMetric() {
		if m.GetCounter().GetValue() != 0 {
			t.Errorf("%v: %v downloads right after start", m.GetLabel(), m.GetCounter().GetValue())
		}
	}
	for _, res := range []string{"ok", "error"} {
		found := false
		for _, m := range fams["readcast_publishes_total"].GetMetric() {
			for _, lp := range m.GetLabel() {
				found = found || lp.GetValue() == res
			}
		}
		if !found {
			t.Errorf("no readcast_publishes_total{result=%q} series", res)
		}
	}
	p.stop(t)
}

// TestVersion is acceptance 6's second half.
func TestVersion(t *testing.T) {
	bin := buildReadcast(t)
	for _, args := range [][]string{{"version"}, {"-version"}} {
		out, code := runBin(t, bin, args...)
		if code != 0 || !strings.HasPrefix(out, "readcast ") || !strings.Contains(out, " commit ") {
			t.Errorf("readcast %v: exit %d: %q", args, code, out)
		}
		t.Logf("readcast %v: %s", args, strings.TrimSpace(out))
	}
}

// TestUploadOnAFullDisk is acceptance 5 through the real server: the
// episodes directory on a small tmpfs with no space left, an upload fails
// with a JSON error naming no server path (and so does its retry, not a
// connection reset), the store is as before, and /readyz and the metrics
// are unaffected by an upload that never became a job.
func TestUploadOnAFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; internal/publish's TestPublishOnAFullDisk injects the error instead")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s); internal/publish's TestPublishOnAFullDisk injects the error instead", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	dir := filepath.Join(mnt, "show")
	copyDir(t, "../../episodes", dir)
	bin := buildReadcast(t)
	p := startServeEnv(t, bin, dir, []string{"READCAST_ADMIN_TOKEN=" + crashToken}, "-watch", "0", "-state-dir", t.TempDir())
	before := dirState(t, dir)
	take, err := os.ReadFile(filepath.Join(dir, "audio", crashSlug+".mp3"))
	must(t, err)
	take = append(take, []byte("TAG a take on a full disk")...)
	// Fill the disk.
	f, err := os.Create(filepath.Join(mnt, "filler"))
	must(t, err)
	for buf := make([]byte, 64<<10); ; {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()
	full := dirState(t, dir)
	for try := 1; try <= 2; try++ {
		code, body := upload(t, p.base, take)
		var msg struct{ Error string }
		if err := json.Unmarshal([]byte(body), &msg); err != nil || code != 500 || msg.Error == "" {
			t.Errorf("upload %d on a full disk: %d %q, want 500 with a JSON error", try, code, body)
		}
		if strings.Contains(body, mnt) || strings.Contains(body, "/show/") {
			t.Errorf("upload %d: the error names a server path: %s", try, body)
		}
		t.Logf("upload %d: %d %s", try, code, strings.TrimSpace(body))
	}
	if after := dirState(t, dir); after != full {
		t.Errorf("the failed uploads changed the store:\nbefore:\n%s\nafter:\n%s", full, after)
	}
	must(t, os.Remove(filepath.Join(mnt, "filler")))
	if after := dirState(t, dir); after != before {
		t.Errorf("the store is not as before:\n%s\n%s", before, after)
	}
	if code, rd := readyz(t, p.base); code != 200 {
		t.Errorf("/readyz after a refused upload: %d %v", code, rd.Problems)
	}
	waitFor(t, "the failure to be logged at ERROR", func() bool { return strings.Contains(p.log.String(), "level=ERROR") })
}

// dirState lists every file under dir with its size and a symlink's target.
func dirState(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if fi.Mode()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			fmt.Fprintf(&b, "%s -> %s\n", rel, target)
			return nil
		}
		fmt.Fprintf(&b, "%s %d\n", rel, fi.Size())
		return nil
	})
	must(t, err)
	return b.String()
}
