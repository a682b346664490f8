package main

// readcast publish against a real S3 server (issue 16): SeaweedFS, built by
// scripts/setup, run on 127.0.0.1 by internal/bucket/buckettest. The real
// binary publishes the seed show; the bucket's HTTP endpoint then serves
// what readcast export writes, byte for byte and header for header, to
// readcast check and gPodder; a second publish uploads no audio; a publish
// killed at each step leaves the previous feed whole; wrong credentials, a
// missing bucket and an unreachable store change nothing.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/bucket"
	"github.com/readcast/readcast/internal/bucket/buckettest"
	"github.com/readcast/readcast/internal/export"
	"github.com/readcast/readcast/internal/testtool"
)

// retakeShow copies the seed show and gives episode 02 a new recording:
// the same audio with an ID3v1 tag appended (other bytes, so other URLs),
// its timing sidecar saying so.
func retakeShow(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, "../../episodes", dir)
	mp3 := filepath.Join(dir, "audio", crashSlug+".mp3")
	b, err := os.ReadFile(mp3)
	if err != nil {
		t.Fatal(err)
	}
	old := sha256.Sum256(b)
	tag := make([]byte, 128)
	copy(tag, "TAGpublish test take")
	b = append(b, tag...)
	sum := sha256.Sum256(b)
	sidecar := filepath.Join(dir, "audio", crashSlug+".timing.json")
	timing, err := os.ReadFile(sidecar)
	if err != nil {
		t.Fatal(err)
	}
	timing = bytes.ReplaceAll(timing, []byte(hex.EncodeToString(old[:])), []byte(hex.EncodeToString(sum[:])))
	if err := os.WriteFile(mp3, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sidecar, timing, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// exportFor writes the export publish uploads, for comparison.
func exportFor(t *testing.T, dir, base string) (string, []export.File) {
	t.Helper()
	site := filepath.Join(t.TempDir(), "site")
	var warn bytes.Buffer
	files, err := exportShow(context.Background(), env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: &warn}, dir, base, site)
	if err != nil {
		t.Fatal(err)
	}
	if warn.Len() > 0 {
		t.Fatalf("the export of %s warns:\n%s", dir, warn.String())
	}
	return site, files
}

// s3Publish runs the real binary's publish with the test server's
// identity (or the keys given) and returns its outputs.
func s3Publish(t *testing.T, bin string, srv *buckettest.Server, keys []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	if keys == nil {
		keys = []string{buckettest.AccessKey, buckettest.SecretKey}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"publish"}, args...)...)
	cmd.Env = append(os.Environ(), srv.Env(keys[0], keys[1])...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// mustPublish is s3Publish that fails the test when publish fails.
func mustPublish(t *testing.T, bin string, srv *buckettest.Server, args ...string) (stdout, stderr string) {
	t.Helper()
	out, errOut, err := s3Publish(t, bin, srv, nil, args...)
	if err != nil {
		t.Fatalf("readcast publish %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out, errOut
}

var uploadedLine = regexp.MustCompile(`(?m)^uploaded (\S+) \(`)

// uploaded lists the keys a publish reported uploading.
func uploaded(stderr string) []string {
	var keys []string
	for _, m := range uploadedLine.FindAllStringSubmatch(stderr, -1) {
		keys = append(keys, m[1])
	}
	slices.Sort(keys)
	return keys
}

// inPlace lists the keys of files that change in place (pages, feed).
func inPlace(prefix string, files []export.File) []string {
	var keys []string
	for _, f := range files {
		if !strings.Contains(f.CacheControl, "immutable") {
			keys = append(keys, prefix+f.File)
		}
	}
	slices.Sort(keys)
	return keys
}

// bucketServes checks that the bucket serves every file of the export at
// base with its bytes, Content-Type and Cache-Control.
func bucketServes(t *testing.T, base, site string, files []export.File) {
	t.Helper()
	for _, f := range files {
		resp, body := buckettest.Get(t, "GET", base+"/"+f.File, nil)
		want, err := os.ReadFile(filepath.Join(site, filepath.FromSlash(f.File)))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || !bytes.Equal(body, want) {
			t.Errorf("GET %s: %d, %d bytes; want 200 and the exported file's %d bytes", f.File, resp.StatusCode, len(body), len(want))
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != f.ContentType {
			t.Errorf("GET %s: Content-Type %q, readcast export got %q", f.File, got, f.ContentType)
		}
		if got := resp.Header.Get("Cache-Control"); got != f.CacheControl {
			t.Errorf("GET %s: Cache-Control %q, readcast export got %q", f.File, got, f.CacheControl)
		}
	}
}

// TestPublishS3 runs one server and one build of readcast for all the
// publish tests.
func TestPublishS3(t *testing.T) {
	srv := buckettest.Start(t)
	bin := buildReadcast(t)
	t.Run("publish", func(t *testing.T) { testPublishToS3(t, srv, bin) })
	t.Run("killed", func(t *testing.T) { testPublishKilledAtEachStep(t, srv, bin, readcastWithHooks(t)) })
	t.Run("fails", func(t *testing.T) { testPublishFailsCleanly(t, srv, bin) })
}

// publishSetup makes a bucket; base is the public URL of s3://name/prefix,
// args the flags publishing there.
func publishSetup(t *testing.T, srv *buckettest.Server, name, prefix string) (base string, args []string) {
	t.Helper()
	srv.CreateBucket(t, name)
	base = srv.URL(name, prefix)
	return base, []string{"-to", "s3://" + path.Join(name, prefix), "-base-url", base, "-endpoint", srv.Endpoint}
}

func testPublishToS3(t *testing.T, srv *buckettest.Server, bin string) {
	base, args := publishSetup(t, srv, "show", "podcast")
	site, files := exportFor(t, "../../episodes", base)

	// 1. The first publish uploads everything, with the export's headers.
	out, errOut := mustPublish(t, bin, srv, append([]string{"-dir", "../../episodes", "-cors"}, args...)...)
	t.Logf("first publish: %s", out)
	if got := uploaded(errOut); len(got) != len(files) {
		t.Errorf("the first publish uploaded %d objects, the export has %d files", len(got), len(files))
	}
	// The feed is uploaded last.
	if lines := uploadedLine.FindAllStringSubmatch(errOut, -1); len(lines) == 0 || lines[len(lines)-1][1] != "podcast/feed.xml" {
		t.Errorf("the feed was not the last upload:\n%s", errOut)
	}
	bucketServes(t, base, site, files)
	audio := exportedAudio(t, site)
	for name := range audio {
		fi, _ := os.Stat(audio[name])
		resp, body := buckettest.Get(t, "GET", base+"/audio/"+name, map[string]string{"Range": "bytes=0-1"})
		if resp.StatusCode != 206 || len(body) != 2 || resp.Header.Get("Content-Range") != "bytes 0-1/"+itoa(fi.Size()) {
			t.Errorf("Range bytes=0-1 of %s: %d %q", name, resp.StatusCode, resp.Header.Get("Content-Range"))
		}
		break
	}

	// -cors applied the rule: a web player on another site may read the
	// feed and transcripts. (Stores answer CORS only to a request with an
	// Origin, which readcast check does not send: it warns of no CORS.)
	for _, f := range files {
		if f.File != "feed.xml" && !strings.HasPrefix(f.File, "transcripts/") {
			continue
		}
		resp, _ := buckettest.Get(t, "GET", base+"/"+f.File, map[string]string{"Origin": "https://player.example"})
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" && got != "https://player.example" {
			t.Errorf("GET %s with an Origin: Access-Control-Allow-Origin %q", f.File, got)
		}
	}

	t.Run("check", func(t *testing.T) {
		rep := checkFeed(t, base+"/feed.xml")
		if !rep.OK() || rep.Episodes != 5 {
			t.Errorf("readcast check of the bucket: %d failures, %d episodes; want none, 5", len(rep.Failures), rep.Episodes)
		}
	})
	t.Run("gpodder", func(t *testing.T) { checkGPodder(t, base, site) })

	// 2. Nothing changed: only the pages and the feed are uploaded again.
	out, errOut = mustPublish(t, bin, srv, append([]string{"-dir", "../../episodes"}, args...)...)
	t.Logf("second publish: %s", out)
	if got, want := uploaded(errOut), inPlace("podcast/", files); !slices.Equal(got, want) {
		t.Errorf("the second publish uploaded %v, want only the pages and the feed %v", got, want)
	}

	// 3. A new recording of one episode: only that episode's new objects.
	retake := retakeShow(t)
	site2, files2 := exportFor(t, retake, base)
	out, errOut = mustPublish(t, bin, srv, append([]string{"-dir", retake}, args...)...)
	t.Logf("publish of a retake: %s", out)
	var mp3s int
	for _, k := range uploaded(errOut) {
		if slices.Contains(inPlace("podcast/", files2), k) {
			continue
		}
		if !strings.HasPrefix(path.Base(k), crashSlug+".") {
			t.Errorf("the retake of %s uploaded %s", crashSlug, k)
		}
		if strings.HasSuffix(k, ".mp3") {
			mp3s++
		}
	}
	if mp3s != 1 {
		t.Errorf("the retake uploaded %d recordings, want 1:\n%s", mp3s, errOut)
	}
	bucketServes(t, base, site2, files2)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// testPublishKilledAtEachStep kills a publish (SIGKILL) at each of its
// steps: the bucket keeps serving a whole feed, the old one until the new
// feed is up, with everything it links; the next publish completes.
// The killed publishes are of readcastWithHooks, which stops at a step;
// the others of bin.
func testPublishKilledAtEachStep(t *testing.T, srv *buckettest.Server, bin, hooked string) {
	retake := retakeShow(t)
	for _, tt := range []struct {
		step  string
		isNew bool // the new feed is already up
	}{
		{"content", false}, {"content-partial", false}, {"pages", false}, {"feed", false}, {"prune", true},
	} {
		t.Run(tt.step, func(t *testing.T) {
			name := "killed-" + tt.step
			srv.CreateBucket(t, name)
			base := srv.URL(name, "")
			args := []string{"-to", "s3://" + name, "-base-url", base, "-endpoint", srv.Endpoint}
			site1, files1 := exportFor(t, "../../episodes", base)
			site2, files2 := exportFor(t, retake, base)
			mustPublish(t, bin, srv, append([]string{"-dir", "../../episodes"}, args...)...)

			cmd := exec.Command(hooked, append([]string{"publish", "-dir", retake, "-prune", "1ns"}, args...)...)
			cmd.Env = append(append(os.Environ(), srv.Env(buckettest.AccessKey, buckettest.SecretKey)...), pauseAt(tt.step))
			log := &testtool.Buffer{}
			cmd.Stdout, cmd.Stderr = log, log
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			waitLong(t, "the publish to pause before "+tt.step, func() bool {
				select {
				case <-exited:
					t.Fatalf("publish exited before pausing at %s:\n%s", tt.step, log)
				default:
				}
				return strings.Contains(log.String(), pausedAt(tt.step))
			})
			cmd.Process.Kill()
			<-exited

			// The feed is the old one (or, once it is up, the new one), with
			// every content-addressed object it links; the pages, which
			// change in place before the feed, are the old or the new ones.
			site, files, other := site1, files1, site2
			if tt.isNew {
				site, files, other = site2, files2, site1
			}
			var fixed []export.File
			for _, f := range files {
				if strings.HasPrefix(f.ContentType, "text/html") && !strings.Contains(f.CacheControl, "immutable") {
					_, body := buckettest.Get(t, "GET", base+"/"+f.File, nil)
					a, _ := os.ReadFile(filepath.Join(site, f.File))
					b, _ := os.ReadFile(filepath.Join(other, f.File))
					if !bytes.Equal(body, a) && !bytes.Equal(body, b) {
						t.Errorf("page %s is neither the old nor the new one", f.File)
					}
					continue
				}
				fixed = append(fixed, f)
			}
			bucketServes(t, base, site, fixed)

			mustPublish(t, bin, srv, append([]string{"-dir", retake, "-prune", "1ns"}, args...)...)
			bucketServes(t, base, site2, files2)
		})
	}
}

// testPublishFailsCleanly: wrong credentials, a missing bucket, an
// unreachable store fail with the cause and change nothing; -dry-run
// changes nothing; -prune removes only what nothing references.
func testPublishFailsCleanly(t *testing.T, srv *buckettest.Server, bin string) {
	base, args := publishSetup(t, srv, "kept", "show")
	site1, files1 := exportFor(t, "../../episodes", base)
	mustPublish(t, bin, srv, append([]string{"-dir", "../../episodes"}, args...)...)
	// An object readcast did not publish, which no prune may touch.
	srv.Put(t, "kept", "show/notes.txt", "mine")
	before := srv.Objects(t, "kept")
	retake := retakeShow(t)
	unchanged := func(t *testing.T) {
		t.Helper()
		after := srv.Objects(t, "kept")
		for k, o := range before {
			if a, ok := after[k]; !ok || a.Size != o.Size || !a.Modified.Equal(o.Modified) {
				t.Errorf("%s changed: %+v, then %+v", k, o, a)
			}
		}
		if len(after) != len(before) {
			t.Errorf("the bucket changed: %d objects before, %d after", len(before), len(after))
		}
		bucketServes(t, base, site1, files1)
	}

	for _, tt := range []struct {
		name string
		keys []string
		args []string
		want []string // in the error
	}{
		{"wrong secret", []string{buckettest.AccessKey, "not-the-secret"}, args, []string{"refused the credentials", "SignatureDoesNotMatch", "AWS_SECRET_ACCESS_KEY"}},
		{"unknown key", []string{"NOSUCHKEY", "x"}, args, []string{"refused the credentials", "InvalidAccessKeyId"}},
		{"missing bucket", nil, []string{"-to", "s3://no-such-bucket/show", "-base-url", base, "-endpoint", srv.Endpoint}, []string{`bucket "no-such-bucket" does not exist`, "create it first"}},
		{"unreachable", nil, []string{"-to", "s3://kept/show", "-base-url", base, "-endpoint", "http://127.0.0.1:1"}, []string{"cannot reach the store at http://127.0.0.1:1", "connection refused"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := s3Publish(t, bin, srv, tt.keys, append([]string{"-dir", retake, "-prune", "1ns"}, tt.args...)...)
			if err == nil {
				t.Fatalf("publish succeeded:\n%s%s", out, errOut)
			}
			t.Logf("%s", strings.TrimSpace(errOut))
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("the error does not say %q:\n%s", w, errOut)
				}
			}
			unchanged(t)
		})
	}

	t.Run("dry run", func(t *testing.T) {
		_, errOut := mustPublish(t, bin, srv, append([]string{"-dir", retake, "-prune", "1ns", "-dry-run"}, args...)...)
		if !strings.Contains(errOut, "would upload show/audio/"+crashSlug) || !strings.Contains(errOut, "would delete show/audio/"+crashSlug) {
			t.Errorf("the dry run does not list the new recording's upload and the old one's deletion:\n%s", errOut)
		}
		unchanged(t)
	})

	t.Run("prune", func(t *testing.T) {
		// Too young to prune: nothing goes.
		if out, errOut, err := s3Publish(t, bin, srv, nil, append([]string{"-dir", retake, "-prune", "1h"}, args...)...); err != nil || strings.Contains(errOut, "deleted ") {
			t.Fatalf("publish -prune 1h: %v\n%s%s", err, out, errOut)
		}
		_, errOut := mustPublish(t, bin, srv, append([]string{"-dir", retake, "-prune", "1ns"}, args...)...)
		site2, files2 := exportFor(t, retake, base)
		bucketServes(t, base, site2, files2)
		after := srv.Objects(t, "kept")
		current := map[string]bool{}
		for _, f := range files2 {
			current["show/"+f.File] = true
		}
		var pruned []string
		for k := range before {
			if _, ok := after[k]; !ok {
				pruned = append(pruned, k)
				if current[k] {
					t.Errorf("-prune removed %s, which the published site references", k)
				}
				if !strings.HasPrefix(path.Base(k), crashSlug+".") {
					t.Errorf("-prune removed %s, which the retake did not replace", k)
				}
			}
		}
		if _, ok := after["show/notes.txt"]; !ok {
			t.Error("-prune removed show/notes.txt, which readcast did not publish")
		}
		if len(pruned) == 0 {
			t.Errorf("-prune 1ns removed nothing:\n%s", errOut)
		}
		t.Logf("pruned %v", pruned)
	})
}

// BenchmarkPublishSeed publishes the seed show to a fresh bucket of the
// real server, then again unchanged, and reports for each the wall time,
// readcast's own CPU time (user + system), the HTTP requests and the
// request bytes sent. The export itself is not timed.
func BenchmarkPublishSeed(b *testing.B) {
	srv := buckettest.Start(b)
	srv.Setenv(b)
	ctx := context.Background()
	client, err := bucket.New(ctx, bucket.Config{Endpoint: srv.Endpoint})
	if err != nil {
		b.Fatal(err)
	}
	site := filepath.Join(b.TempDir(), "site")
	files, err := exportShow(ctx, env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}, "../../episodes", srv.URL("bench", ""), site)
	if err != nil {
		b.Fatal(err)
	}
	var sum [2]struct {
		wall, cpu    time.Duration
		requests, mb float64
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		name := "bench-" + strconv.Itoa(i)
		srv.CreateBucket(b, name)
		for run := range 2 {
			cpu0 := cpuTime()
			rep, err := client.Publish(ctx, bucket.Target{Bucket: name}, site, files, bucket.Options{})
			if err != nil {
				b.Fatal(err)
			}
			sum[run].cpu += cpuTime() - cpu0
			sum[run].wall += rep.Elapsed
			sum[run].requests += float64(rep.Requests)
			sum[run].mb += float64(rep.BytesSent) / 1e6
		}
	}
	n := float64(b.N)
	for run, name := range []string{"first", "second"} {
		b.ReportMetric(sum[run].wall.Seconds()*1000/n, name+"-wall-ms")
		b.ReportMetric(sum[run].cpu.Seconds()*1000/n, name+"-cpu-ms")
		b.ReportMetric(sum[run].requests/n, name+"-requests")
		b.ReportMetric(sum[run].mb/n, name+"-MB-sent")
	}
}

// cpuTime is this process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
