package main

// Takes (issue 11, acceptance 4), with the real binary and the real
// aligner: three takes of one episode stay in the store and each can be
// brought back by name; a take whose alignment finds a skipped sentence is
// held, with its note on its preview page, until it is approved; and a
// publish attempted while show.json is broken changes nothing served.

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// takeList is GET /admin/episodes/{slug}/takes.
type takeList struct {
	Takes []struct {
		ID     string  `json:"id"`
		SHA256 string  `json:"sha256"`
		State  string  `json:"state"`
		Bytes  int64   `json:"bytes"`
		QA     string  `json:"qa"`
		Live   bool    `json:"live"`
		Added  string  `json:"added"`
		Length float64 `json:"duration"`
	} `json:"takes"`
}

func (p *process) takes(t *testing.T, slug string) takeList {
	t.Helper()
	status, body := admin(t, "GET", p.base+"/admin/episodes/"+slug+"/takes", nil)
	var l takeList
	if err := json.Unmarshal([]byte(body), &l); err != nil || status != 200 {
		t.Fatalf("GET takes: %d %s", status, body)
	}
	return l
}

// startJob sends an admin request that answers 202 with a job, and follows
// the job until it ends (done, held or failed).
func startJob(t *testing.T, p *process, method, path string, body []byte) map[string]any {
	t.Helper()
	status, answer := admin(t, method, p.base+path, body)
	if status != http.StatusAccepted {
		t.Fatalf("%s %s: %d %s", method, path, status, answer)
	}
	var j map[string]any
	json.Unmarshal([]byte(answer), &j)
	return jobState(t, p, "/admin/jobs/"+j["id"].(string))
}

var cleanQA = regexp.MustCompile(`^all [0-9]+ sentences found, lowest confidence [01]\.[0-9]{2}$`)

func TestTakesStayRestorableAndNotesAreReviewed(t *testing.T) {
	dir, _, oldSum, _ := crashShow(t)
	bin := buildReadcast(t)
	p := startServer(t, bin, dir)
	seed, err := os.ReadFile(filepath.Join(dir, "audio", crashSlug+".mp3"))
	if err != nil {
		t.Fatal(err)
	}
	take := func(name string) []byte { return append(append([]byte(nil), seed...), id3v1(name)...) }
	path := "/admin/episodes/" + crashSlug

	// Three takes, each clean and published; the report says what it checked.
	for _, name := range []string{"one", "two", "three"} {
		j := startJob(t, p, "PUT", path+"/audio", take(name))
		if j["state"] != "done" {
			t.Fatalf("take %s ended %v", name, j)
		}
		if qa, _ := j["qa"].(string); !cleanQA.MatchString(qa) {
			t.Errorf("take %s: a clean report must say what was checked, got qa %q", name, qa)
		}
	}
	l := p.takes(t, crashSlug)
	var ids []string
	for _, tk := range l.Takes {
		ids = append(ids, tk.ID)
		if tk.Added == "" || tk.Bytes == 0 {
			t.Errorf("take %s lacks its date or length: %+v", tk.ID, tk)
		}
	}
	if strings.Join(ids, " ") != "original take-1 take-2 take-3" || !l.Takes[3].Live || l.Takes[0].SHA256 != oldSum {
		t.Fatalf("takes after three uploads: %+v", l.Takes)
	}
	for _, tk := range l.Takes[1:] {
		if !cleanQA.MatchString(tk.QA) {
			t.Errorf("take %s lists QA %q", tk.ID, tk.QA)
		}
	}

	// Restore the original, then the second take, by name.
	replaced := p.episode(t, crashSlug).AudioURL
	if j := startJob(t, p, "POST", path+"/takes/original/publish", nil); j["state"] != "done" {
		t.Fatalf("publishing the original ended %v", j)
	}
	// A replaced recording's URL is gone at once (docs/admin.md), though
	// its take is kept: the author may have replaced it to take something
	// back.
	if resp, err := http.Get(replaced); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Errorf("%s, the replaced take, answers %s; want 404 Not Found", replaced, resp.Status)
	}
	if st := p.episode(t, crashSlug); st.AudioSHA256 != oldSum {
		t.Errorf("after restoring the original the episode serves %.12s, want %.12s", st.AudioSHA256, oldSum)
	}
	if j := startJob(t, p, "POST", path+"/restore?take=take-2", nil); j["state"] != "done" {
		t.Fatalf("restoring take-2 ended %v", j)
	}
	if st := p.episode(t, crashSlug); st.AudioSHA256 != sum(take("two")) {
		t.Errorf("after restoring take-2 the episode serves %.12s, want %.12s", st.AudioSHA256, sum(take("two")))
	}
	if status, body := admin(t, "POST", p.base+path+"/takes/take-9/publish", nil); status != http.StatusNotFound || !strings.Contains(body, "take-3") {
		t.Errorf("publishing an unknown take: %d %s; want 404 naming the takes", status, body)
	}

	// A sentence the narrator skipped: the text gains one the recording
	// does not have. The take is held, with the note, on its preview page.
	src := filepath.Join(dir, "recollection.txt")
	text, _ := os.ReadFile(src)
	anchor := "were part of the regime’s official rhetoric."
	if !strings.Contains(string(text), anchor) {
		t.Fatalf("the seed text no longer has %q", anchor)
	}
	edited := strings.Replace(string(text), anchor, anchor+" Nobody in my class ever asked the teacher who had written the textbook, or when.", 1)
	if err := os.WriteFile(src, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	hup(t, p)
	live := p.episode(t, crashSlug).AudioSHA256
	j := startJob(t, p, "PUT", path+"/audio", take("four"))
	notes, _ := j["notes"].([]any)
	if j["state"] != "held" || len(notes) == 0 || j["take"] != "take-4" {
		t.Fatalf("a take with a skipped sentence ended %v, want held as take-4 with notes", j)
	}
	if st := p.episode(t, crashSlug); st.AudioSHA256 != live {
		t.Errorf("the held take went live")
	}
	status, page := admin(t, "GET", p.base+path+"/takes/take-4", nil)
	if status != 200 || !strings.Contains(page, "held") {
		t.Fatalf("preview page: %d\n%s", status, page)
	}
	for _, n := range notes {
		if !strings.Contains(page, htmlEscape(n.(string))) {
			t.Errorf("the preview page does not show the note %q", n)
		}
	}
	if status, audio := admin(t, "GET", p.base+path+"/takes/take-4/audio", nil); status != 200 || audio != string(take("four")) {
		t.Errorf("the preview's audio: %d, %d bytes", status, len(audio))
	}
	if j := startJob(t, p, "POST", path+"/takes/take-4/publish", nil); j["state"] != "done" {
		t.Fatalf("approving the held take ended %v", j)
	}
	if st := p.episode(t, crashSlug); st.AudioSHA256 != sum(take("four")) || !st.Timed {
		t.Errorf("after approval the episode serves %.12s (timed %v), want take-4", st.AudioSHA256, st.Timed)
	}

	// A publish while show.json is broken changes nothing served.
	if err := os.WriteFile(src, text, 0o644); err != nil {
		t.Fatal(err)
	}
	hup(t, p)
	quiet(t, p)
	before := served(t, p)
	meta := filepath.Join(dir, "show.json")
	good, _ := os.ReadFile(meta)
	if err := os.WriteFile(meta, []byte(`{"title": "half an edit`), 0o644); err != nil {
		t.Fatal(err)
	}
	j = startJob(t, p, "PUT", path+"/audio", take("five"))
	if j["state"] != "held" || !strings.Contains(j["held"].(string), "show.json") {
		t.Errorf("a publish while show.json is broken ended %v, want held with the show's problem", j)
	}
	if status, body := admin(t, "POST", p.base+path+"/restore", nil); status != http.StatusConflict {
		t.Errorf("a restore while show.json is broken: %d %s, want 409", status, body)
	}
	if after := served(t, p); after != before {
		t.Errorf("what is served changed while show.json was broken:\nbefore %s\nafter  %s", before, after)
	}
	if err := os.WriteFile(meta, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if j := startJob(t, p, "POST", path+"/takes/"+j["take"].(string)+"/publish", nil); j["state"] != "done" {
		t.Errorf("publishing the take once show.json is fixed ended %v", j)
	}
}

// served is what a listener gets of the test episode: the feed, and the
// status and bytes of the audio on both of the server's paths (GET, and
// a range request).
func served(t *testing.T, p *process) string {
	t.Helper()
	st := p.episode(t, crashSlug)
	feed := get(t, p.base+"/feed.xml")
	resp, err := http.Get(st.AudioURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", st.AudioURL, nil)
	req.Header.Set("Range", "bytes=0-99")
	rresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rresp.Body.Close()
	h, _ := http.Get(p.base + "/healthz")
	h.Body.Close()
	return sum([]byte(feed)) + " " + st.AudioURL + " " + resp.Status + " " + rresp.Status + " healthz " + h.Status
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
