package main

// Never lose the author's work (issue 11, acceptance 1): the real binary is
// used as a memoir author would use it — own text and cover, readcast's
// narration, then the author's own voice for two episodes (one uploaded
// through the admin API, one dropped into episodes/audio), text edits and
// their reverts, narrate again, restarts, and SIGKILL at every step of a
// publish. After every step the author's recordings are intact, the cover
// is the author's, every episode's transcript is served and synchronized,
// and readcast check finds nothing to fail.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/publish"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/testtool"
)

// authorText is a memoir of three episodes: the first narrated by readcast,
// the second and third read by people (their recordings are the test data
// of internal/align: a LibriVox reading of Sonnet 1 and the MFA acoustic
// corpus), so that alignment is real.
const authorText = `# Three Voices

*A short memoir for readcast's tests, narrated by readcast and read by two people.*

## The harbour

The harbour was quiet in the morning. Boats came in with the tide, and the gulls followed them.

My grandmother sold fish on the quay. She knew every boat by the sound of its engine.

## 1

From fairest creatures we desire increase, that thereby beauty's rose might never die, but as the riper should by time decease, his tender heir might bear his memory. But thou contracted to thine own bright eyes, feed'st thy light's flame with self-substantial fuel, making a famine where abundance lies, thy self thy foe, to thy sweet self too cruel. Thou that art now the world's fresh ornament, and only herald to the gaudy spring, within thine own bud buriest thy content, and tender churl mak'st waste in niggarding. Pity the world, or else this glutton be, to eat the world's due, by the grave and thee.

## This is the acoustic corpus

I'm talking pretty fast here. There's nothing else going on, we're just, you know, there's some speech errors but who cares. Um, this is me talking really slow and slightly lower in intensity. Uh, we're just saying some words, and here's some more words, words, words, words. Um, and that should be all. Thanks.
`

// authorShow is the author's episodes directory before readcast touches it
// (show.json, the text, and a 1400×1400 cover of the author's own), and the
// readcast binary that works on it.
type authorShow struct {
	dir, bin     string
	cover        []byte
	slugs        []string
	sonnet, talk []byte // the people's recordings, as given
}

func newAuthorShow(t *testing.T) *authorShow {
	t.Helper()
	testtool.Require(t, "espeak-ng", "espeak-ng")
	testtool.Require(t, "lame", "lame")
	a := &authorShow{dir: t.TempDir(), bin: buildReadcast(t)}
	var meta map[string]any
	b, err := os.ReadFile("../../episodes/show.json")
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &meta)
	meta["title"], meta["subtitle"], meta["source"] = "Three Voices", "A memoir in three episodes", "memoir.md"
	meta["description"] = "A short memoir, read in part by the people who lived it."
	meta["narrator"] = "espeak-ng"
	b, _ = json.MarshalIndent(meta, "", " ")
	putFile(t, filepath.Join(a.dir, "show.json"), b)
	putFile(t, filepath.Join(a.dir, "memoir.md"), []byte(authorText))
	img := image.NewRGBA(image.Rect(0, 0, 1400, 1400))
	for y := 0; y < 1400; y++ {
		for x := 0; x < 1400; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 6), 90, uint8(y / 6), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	a.cover = buf.Bytes()
	putFile(t, filepath.Join(a.dir, "cover.jpg"), a.cover)
	o, err := segment.Parse([]byte(authorText), segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range o.Episodes {
		a.slugs = append(a.slugs, e.Slug)
	}
	if len(a.slugs) != 3 {
		t.Fatalf("the author's text makes %d episodes, want 3: %v", len(a.slugs), a.slugs)
	}
	a.sonnet = readFile(t, "../../internal/align/testdata/sonnet001/sonnet001.mp3")
	a.talk = readFile(t, "../../internal/align/testdata/mfa-acoustic-corpus/acoustic_corpus.mp3")
	return a
}

func putFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// mp3Audio is an MP3 without its ID3v2 tag at the start and ID3v1 tag at
// the end: the audio a published copy must carry byte for byte.
func mp3Audio(b []byte) []byte {
	if len(b) >= 10 && string(b[:3]) == "ID3" {
		n := int(b[6])<<21 | int(b[7])<<14 | int(b[8])<<7 | int(b[9])
		if b[5]&0x10 != 0 {
			n += 10
		}
		b = b[min(len(b), 10+n):]
	}
	if len(b) >= 128 && string(b[len(b)-128:len(b)-125]) == "TAG" {
		b = b[:len(b)-128]
	}
	return b
}

var feedImage = regexp.MustCompile(`<itunes:image href="([^"]+)"`)

// settled waits until every episode is timed and served with its published
// copy, then checks everything the author must be able to rely on. given
// maps a slug to the recording the author gave for it.
func (a *authorShow) settled(t *testing.T, bin string, p *process, given map[string][]byte) {
	t.Helper()
	quiet(t, p)
	// The author's recordings, byte for byte, in the show directory.
	for slug, rec := range given {
		found := false
		for _, p := range []string{filepath.Join(a.dir, "audio", slug+".mp3"), filepath.Join(a.dir, "audio", "store", sum(rec)+".mp3")} {
			if b, err := os.ReadFile(p); err == nil && bytes.Equal(b, rec) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the author's recording %.12s is nowhere in the show byte for byte", slug, sum(rec))
		}
	}
	// The cover: the author's, in the directory, the feed and the MP3s.
	if !bytes.Equal(readFile(t, filepath.Join(a.dir, "cover.jpg")), a.cover) {
		t.Error("cover.jpg is no longer the author's")
	}
	feed := get(t, p.base+"/feed.xml")
	m := feedImage.FindStringSubmatch(feed)
	if m == nil || get(t, m[1]) != string(a.cover) {
		t.Errorf("the feed's artwork is not the author's cover (%v)", m)
	}
	for _, slug := range a.slugs {
		st := p.episode(t, slug)
		if !st.Timed {
			t.Errorf("%s is served without timings", slug)
		}
		page := get(t, p.base+"/episodes/"+slug)
		if strings.Contains(page, "not synchronized") || strings.Contains(page, "being aligned") {
			t.Errorf("%s: the page says the transcript is not synchronized", slug)
		}
		if !strings.Contains(feed, st.AudioURL) {
			t.Errorf("%s: the feed does not list %s", slug, st.AudioURL)
		}
		body := []byte(get(t, st.AudioURL))
		if rec, ok := given[slug]; ok {
			if !bytes.Equal(mp3Audio(body), mp3Audio(rec)) {
				t.Errorf("%s: the served MP3 does not carry the author's audio byte for byte", slug)
			}
			if st.AudioSHA256 != sum(rec) {
				t.Errorf("%s: the live recording is %.12s, want the author's %.12s", slug, st.AudioSHA256, sum(rec))
			}
		}
	}
	out, err := exec.Command(bin, "check", p.base+"/feed.xml").CombinedOutput()
	if err != nil {
		t.Errorf("readcast check: %v\n%s", err, out)
	}
}

// quiet waits until the server's background work (alignments, published
// copies with ID3 chapters) is done, and the show reloaded with it.
func quiet(t *testing.T, p *process) {
	t.Helper()
	waitLong(t, "the background work to finish", func() bool { return backgroundDone(p.log.String()) })
}

// backgroundDone reports whether a server's log shows every piece of
// background work it queued ended, and the show reloaded with it: each
// is queued during a load, so before the reload's own line.
func backgroundDone(log string) bool {
	return strings.Count(log, "queued for alignment") == strings.Count(log, `reason="timings of`)+strings.Count(log, "alignment failed") &&
		strings.Count(log, "queued for ID3 chapters") == strings.Count(log, `reason="ID3 chapters of`)+strings.Count(log, "writing the episode's ID3 chapters failed")
}

// narrateShow runs readcast narrate with espeak-ng on the show.
func (a *authorShow) narrate(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(a.bin, append([]string{"narrate", "-dir", a.dir, "-voice", "espeak-ng"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("readcast narrate %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// jobState polls an admin job until it is done, held or failed.
func jobState(t *testing.T, p *process, location string) map[string]any {
	t.Helper()
	var j map[string]any
	waitLong(t, "job "+location, func() bool {
		_, body := admin(t, "GET", p.base+location, nil)
		j = map[string]any{}
		json.Unmarshal([]byte(body), &j)
		s, _ := j["state"].(string)
		return s == "done" || s == "held" || s == "failed"
	})
	return j
}

// publishUpload uploads rec for slug and sees it published, approving it
// when its QA notes held it.
func publishUpload(t *testing.T, p *process, slug string, rec []byte) map[string]any {
	t.Helper()
	status, body := admin(t, "PUT", p.base+"/admin/episodes/"+slug+"/audio", rec)
	if status != http.StatusAccepted {
		t.Fatalf("upload %s: %d %s", slug, status, body)
	}
	var j map[string]any
	json.Unmarshal([]byte(body), &j)
	j = jobState(t, p, "/admin/jobs/"+j["id"].(string))
	if j["state"] == "held" {
		status, body = admin(t, "POST", p.base+"/admin/episodes/"+slug+"/takes/"+j["take"].(string)+"/publish", nil)
		if status != http.StatusAccepted {
			t.Fatalf("publish the held take: %d %s", status, body)
		}
		json.Unmarshal([]byte(body), &j)
		j = jobState(t, p, "/admin/jobs/"+j["id"].(string))
	}
	if j["state"] != "done" {
		t.Fatalf("the upload of %s ended %v", slug, j)
	}
	return j
}

func hup(t *testing.T, p *process) {
	t.Helper()
	const done = "msg=reloaded reason=SIGHUP"
	n := strings.Count(p.log.String(), done)
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reload", func() bool { return strings.Count(p.log.String(), done) > n })
}

func TestAuthorsWorkIsNeverLost(t *testing.T) {
	a := newAuthorShow(t)
	bin := a.bin
	ep1, ep2, ep3 := a.slugs[0], a.slugs[1], a.slugs[2]

	t.Log("narrate the author's text")
	a.narrate(t)
	if !bytes.Equal(readFile(t, filepath.Join(a.dir, "cover.jpg")), a.cover) {
		t.Fatal("narrate replaced the author's cover")
	}

	t.Log("serve; upload a recording of episode 2, drop one in for episode 3")
	p := startServer(t, bin, a.dir)
	a.settled(t, bin, p, nil)
	publishUpload(t, p, ep2, a.sonnet)
	putFile(t, filepath.Join(a.dir, "audio", ep3+".mp3"), a.talk)
	hup(t, p)
	given := map[string][]byte{ep2: a.sonnet, ep3: a.talk}
	a.settled(t, bin, p, given)

	t.Log("edit the text of both episodes, then revert it")
	src := filepath.Join(a.dir, "memoir.md")
	edited := strings.Replace(strings.Replace(authorText, "the gaudy spring", "the gaudy springtime", 1), "Thanks.", "Thank you.", 1)
	putFile(t, src, []byte(edited))
	hup(t, p)
	for _, slug := range []string{ep2, ep3} {
		if page := get(t, p.base+"/episodes/"+slug); !strings.Contains(page, "being aligned") && !p.episode(t, slug).Timed {
			t.Errorf("%s: while it is re-aligned, the page does not say so", slug)
		}
	}
	a.settled(t, bin, p, given)
	aligned := strings.Count(p.log.String(), "queued for alignment")
	putFile(t, src, []byte(authorText))
	hup(t, p)
	for _, slug := range []string{ep2, ep3} {
		if !p.episode(t, slug).Timed {
			t.Errorf("%s: after the revert the earlier timings are not found again", slug)
		}
	}
	a.settled(t, bin, p, given)
	if n := strings.Count(p.log.String(), "queued for alignment"); n != aligned {
		t.Errorf("the revert aligned again (%d alignments queued, %d before)", n, aligned)
	}

	t.Log("narrate again: the people's episodes are skipped")
	out := a.narrate(t)
	for _, slug := range []string{ep2, ep3} {
		if !strings.Contains(out, slug+": skipped") {
			t.Errorf("narrate did not say it skipped %s:\n%s", slug, out)
		}
	}
	if !strings.Contains(out, ep1) {
		t.Errorf("narrate did not narrate %s:\n%s", ep1, out)
	}
	hup(t, p)
	a.settled(t, bin, p, given)

	t.Log("rename a chapter of each episode in overrides.json")
	o, err := segment.Parse([]byte(authorText), segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for i, e := range o.Episodes {
		c := e.Chapters[len(e.Chapters)-1]
		titles[c.Paragraphs[0].Sentences[0].ID] = fmt.Sprintf("Renamed chapter of episode %d", i+1)
	}
	// The recordings as a feed read now names them: their copies with the
	// chapters as they are.
	earlier := map[string]string{}
	for _, slug := range a.slugs {
		u := p.episode(t, slug).AudioURL
		earlier[u] = get(t, u)
	}
	ov, _ := json.Marshal(map[string]any{"chapter_titles": titles})
	putFile(t, filepath.Join(a.dir, "overrides.json"), ov)
	hup(t, p)
	a.settled(t, bin, p, given)
	// A podcast app that read the feed before the rename downloads later:
	// the URLs it holds still answer with the bytes they named.
	for u, b := range earlier {
		if p.episode(t, slugOfAudio(u)).AudioURL == u {
			t.Errorf("%s: the rename did not give the recording a new copy", u)
		} else if got := get(t, u); got != b {
			t.Errorf("%s, from the feed before the rename, answers %d other bytes, want the %d it named\n%s", u, len(got), len(b), p.log)
		}
	}
	for i, slug := range a.slugs {
		body := []byte(get(t, p.episode(t, slug).AudioURL))
		tags, err := audio.ReadTags(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("Renamed chapter of episode %d", i+1)
		if n := len(tags.Chapters); n == 0 || tags.Chapters[n-1].Title != want {
			t.Errorf("%s: the served MP3's ID3 chapters are %+v, want the last one %q", slug, tags.Chapters, want)
		}
		if !bytes.Equal(tags.Cover, a.cover) && i == 0 {
			t.Errorf("%s: the MP3 does not embed the author's cover", slug)
		}
	}

	t.Log("restart with the admin token")
	p.kill(t)
	p = startServer(t, bin, a.dir)
	if strings.Contains(p.log.String(), "removed a leftover") {
		t.Errorf("the restart removed something:\n%s", p.log)
	}
	a.settled(t, bin, p, given)

	t.Log("SIGKILL at each step of a publish, and restart")
	hooked := readcastWithHooks(t)
	for _, step := range []string{"timing", "recording", "previous", "link", "reload"} {
		take := append(append([]byte(nil), a.sonnet...), id3v1("take "+step)...)
		p.kill(t)
		p = startServer(t, hooked, a.dir, pauseAt(step))
		status, body := admin(t, "PUT", p.base+"/admin/episodes/"+ep2+"/audio", take)
		if status != http.StatusAccepted {
			t.Fatalf("upload before %s: %d %s", step, status, body)
		}
		var j map[string]any
		json.Unmarshal([]byte(body), &j)
		waitLong(t, "the publish to pause before "+step, func() bool {
			if strings.Contains(p.log.String(), pausedAt(step)) {
				return true
			}
			_, body := admin(t, "GET", p.base+"/admin/jobs/"+j["id"].(string), nil)
			var s map[string]any
			json.Unmarshal([]byte(body), &s)
			if s["state"] == "held" { // its QA notes held it: approve it
				admin(t, "POST", p.base+"/admin/episodes/"+ep2+"/takes/"+s["take"].(string)+"/publish", nil)
				j["id"] = "-"
			}
			return false
		})
		p.kill(t)
		p = startServer(t, bin, a.dir)
		st := p.episode(t, ep2)
		switch st.AudioSHA256 {
		case sum(take):
			given[ep2] = take
		case sum(given[ep2]):
		default:
			t.Fatalf("after a crash before %s episode 2 serves %.12s, neither the take before nor the new one", step, st.AudioSHA256)
		}
		// Every take the author gave is still in the store, byte for
		// byte: the new one once it was listed (after its recording step).
		keep := [][]byte{a.sonnet}
		if step != "timing" && step != "recording" {
			keep = append(keep, take)
		}
		for _, rec := range keep {
			if b, err := os.ReadFile(filepath.Join(a.dir, "audio", "store", sum(rec)+".mp3")); err != nil || !bytes.Equal(b, rec) {
				t.Errorf("after a crash before %s the take %.12s is not kept byte for byte: %v", step, sum(rec), err)
			}
		}
		a.settled(t, bin, p, given)
	}
}

// id3v1 is an ID3v1 tag naming title: appended to a recording it makes other
// bytes with the same audio, as a second take would.
func id3v1(title string) []byte {
	tag := make([]byte, 128)
	copy(tag, "TAG")
	copy(tag[3:33], title)
	return tag
}

// TestNarrateForceKeepsThePersonsRecording is acceptance 2: narrate skips
// an episode whose audio is a person's recording and says so; with -force
// it narrates the episode and keeps the person's file, byte for byte, where
// it says, where no clean-up removes it.
func TestNarrateForceKeepsThePersonsRecording(t *testing.T) {
	a := newAuthorShow(t)
	ep3 := a.slugs[2]
	mp3 := filepath.Join(a.dir, "audio", ep3+".mp3")
	putFile(t, mp3, a.talk)

	out := a.narrate(t, "-episode", ep3)
	if !strings.Contains(out, ep3+": skipped") || !strings.Contains(out, "-force "+ep3) {
		t.Errorf("narrate did not say it skipped the person's recording and how to force it:\n%s", out)
	}
	if !bytes.Equal(readFile(t, mp3), a.talk) {
		t.Fatal("narrate overwrote the person's recording")
	}

	out = a.narrate(t, "-episode", ep3, "-force", ep3)
	m := regexp.MustCompile(ep3 + `: kept the person's recording as (\S+) \(take "([a-z0-9-]+)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("narrate -force did not say where it kept the recording:\n%s", out)
	}
	if !bytes.Equal(readFile(t, m[1]), a.talk) {
		t.Errorf("%s is not the person's recording byte for byte", m[1])
	}
	if b := readFile(t, mp3); bytes.Equal(b, a.talk) {
		t.Error("narrate -force did not narrate the episode")
	}
	// The store's clean-up at the next start keeps it, and lists it.
	st, removed, err := publish.Open(a.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) > 0 {
		t.Errorf("the store removed %v", removed)
	}
	tk, err := st.Take(ep3, m[2])
	if err != nil || tk.SHA256 != sum(a.talk) || tk.Origin != publish.OriginNarrateForce {
		t.Errorf("the kept recording is not listed as take %s: %+v %v", m[2], tk, err)
	}
	if !bytes.Equal(readFile(t, m[1]), a.talk) {
		t.Errorf("%s is gone after the store was opened", m[1])
	}
	// And narrate now sees readcast's own narration: no skip, no keep.
	if out := a.narrate(t, "-episode", ep3); strings.Contains(out, "skipped") || strings.Contains(out, "kept") {
		t.Errorf("narrating readcast's own narration again:\n%s", out)
	}
}

// slugOfAudio is the episode slug of an audio URL ("…/audio/<slug>.<hash>.mp3").
func slugOfAudio(u string) string {
	name := u[strings.LastIndex(u, "/")+1:]
	name = strings.TrimSuffix(name, filepath.Ext(name))
	return strings.TrimSuffix(name, filepath.Ext(name))
}
