package web

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// accessLines are the access log lines (msg=request) in a log.
func accessLines(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "msg=request ") {
			out = append(out, l)
		}
	}
	return out
}

// TestAccessLogOfEveryAnswer: a line for every answer, with what an
// operator needs, including the answers net/http gives on its own (400,
// 431) and requests never finished (the header timeout), and a download
// cut off marked as not completed.
func TestAccessLogOfEveryAnswer(t *testing.T) {
	lim := testLimits()
	lim.ReadHeader = 500 * time.Millisecond
	lim.MaxHeaderBytes = 4 << 10
	b := newBoundedShow(t, lim, true)
	snap := b.srv.Snapshot()
	waitLines := func(n int) []string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if l := accessLines(b.log.String()); len(l) >= n {
				return l
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("want %d access lines, have:\n%s", n, b.log.String())
		return nil
	}

	// An ordinary request: every field, and the id echoed.
	req, _ := http.NewRequest("GET", "http://"+b.addr+"/feed.xml", nil)
	req.Header.Set("User-Agent", "Podcasts/1650.20 CFNetwork")
	req.Header.Set("X-Request-Id", "abc-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("X-Request-Id echoed as %q", got)
	}
	line := waitLines(1)[0]
	for _, want := range []string{"method=GET", "path=/feed.xml", "proto=HTTP/1.1", "status=200", "bytes=", `user_agent="Podcasts/1650.20 CFNetwork"`, "request_id=abc-123", "completed=true"} {
		if !strings.Contains(line, want) {
			t.Errorf("the access line lacks %s: %s", want, line)
		}
	}
	if !regexp.MustCompile(`duration=[0-9.e-]+ `).MatchString(line) {
		t.Errorf("the duration is not in seconds: %s", line)
	}

	// A malformed request and a header too large: net/http's own answers.
	rawExchange(t, b.addr, "GET /feed.xml HTTP/1.1\r\nHost: a\r\nBad Header Line\r\n\r\n")
	rawExchange(t, b.addr, "GET /feed.xml HTTP/1.1\r\nHost: a\r\nX-Big: "+strings.Repeat("a", 8<<10)+"\r\n\r\n")
	lines := waitLines(3)
	if !strings.Contains(lines[1], "status=400") || !strings.Contains(lines[2], "status=431") {
		t.Errorf("no lines for net/http's 400 and 431:\n%s", strings.Join(lines, "\n"))
	}

	// A header never finished: a line when the header timeout closes it.
	c := b.dial(t)
	io.WriteString(c, "GET /feed.xml HTTP/1.1\r\nHo")
	drain(c, 5*time.Second)
	lines = waitLines(4)
	if !regexp.MustCompile(`status=(400|408) `).MatchString(lines[3]) {
		t.Errorf("no line for a header that timed out: %s", lines[3])
	}

	// A download the client gives up: not completed.
	c = b.dial(t)
	io.WriteString(c, "GET "+snap.Episodes[0].Audio.Path+" HTTP/1.1\r\nHost: a\r\n\r\n")
	buf := make([]byte, 64<<10)
	io.ReadFull(c, buf)
	c.Close()
	lines = waitLines(5)
	if !strings.Contains(lines[4], "status=200") || !strings.Contains(lines[4], "completed=false") {
		t.Errorf("a download cut off is not marked: %s", lines[4])
	}

	// A client that gives up in the middle of its header: a line too.
	c = b.dial(t)
	io.WriteString(c, "GET /feed.xml HT")
	time.Sleep(50 * time.Millisecond)
	c.Close()
	lines = waitLines(6)
	if !regexp.MustCompile(`status=(400|408) `).MatchString(lines[5]) {
		t.Errorf("no line for a request the client gave up: %s", lines[5])
	}
}
