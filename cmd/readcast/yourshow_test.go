package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/testtool"
)

// yourShowDoc is the walk-through a new user follows; the test runs it.
const yourShowDoc = "../../docs/your-own-show.md"

// docCommand is one command of the doc's sh blocks: its words, and the
// body of a here-document when it has one.
type docCommand struct {
	args    []string
	heredoc string
}

// docCommands reads every command of the doc's ```sh blocks, in order.
func docCommands(t *testing.T, path string) []docCommand {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []docCommand
	inSh := false
	var here *docCommand
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case here != nil:
			if line == "EOF" {
				cmds = append(cmds, *here)
				here = nil
			} else {
				here.heredoc += line + "\n"
			}
		case strings.HasPrefix(line, "```"):
			inSh = !inSh && strings.TrimPrefix(line, "```") == "sh"
		case inSh && strings.TrimSpace(line) != "":
			if i := strings.Index(line, "  #"); i >= 0 {
				line = line[:i]
			}
			if cmd, ok := strings.CutSuffix(line, " <<'EOF'"); ok {
				here = &docCommand{args: shellSplit(t, cmd)}
				continue
			}
			cmds = append(cmds, docCommand{args: shellSplit(t, line)})
		}
	}
	if here != nil || inSh {
		t.Fatalf("%s: a here-document or a code block is not closed", path)
	}
	return cmds
}

// shellSplit splits a command line into words as a shell would, for the
// quoting the doc uses: double and single quotes, no escapes.
func shellSplit(t *testing.T, line string) []string {
	var words []string
	var cur strings.Builder
	quote := rune(0)
	inWord := false
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"':
			quote, inWord = r, true
		case r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unclosed quote in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestYourOwnShowDoc follows docs/your-own-show.md command by command on
// its example, a Markdown recollection that is not the memoir: init,
// outline, overrides, narrate (espeak-ng, for speed), serve, check, gPodder,
// export, align and a person's recording dropped in. It ends with check
// reporting no failure and gPodder subscribed, and measures what gPodder
// does with an episode whose recording was replaced, which the doc states.
func TestYourOwnShowDoc(t *testing.T) {
	testtool.Require(t, "espeak-ng", "espeak-ng")
	testtool.Require(t, "festival", "festival")
	lame := testtool.Require(t, "lame", "lame")
	gpo, gpoEnv, downloads := gpodder(t)
	text, err := filepath.Abs("testdata/well-street.md")
	if err != nil {
		t.Fatal(err)
	}
	cmds := docCommands(t, yourShowDoc)
	if len(cmds) < 10 {
		t.Fatalf("the doc has %d commands", len(cmds))
	}

	work := t.TempDir()
	t.Chdir(work)
	copyFile(t, text, "well-street.md")
	addr := freeAddr(t)
	base := "http://" + addr
	getenv := func(k string) string {
		if k == "READCAST_ADDR" {
			return addr
		}
		return ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serveLog := &testtool.Buffer{}
	served := make(chan error, 1)
	serving := false
	defer func() {
		if serving {
			// serve does not wait for its background work (alignments,
			// published copies, the last good copy) when it returns: wait
			// for it here, or t.TempDir could remove the show under a writer.
			if !t.Failed() {
				waitFor(t, "the server's background work to finish", func() bool { return backgroundDone(serveLog.String()) }, serveLog)
			}
			cancel()
			<-served
		}
	}()

	const slug2 = "02-the-winter-of-1963"
	var before map[string]string // enclosure URLs by GUID before the recording is replaced
	for _, c := range cmds {
		args := c.args
		for i, a := range args {
			args[i] = strings.ReplaceAll(a, "http://127.0.0.1:8080", base)
		}
		line := strings.Join(args, " ")
		t.Logf("$ %s", line)
		if strings.Contains(line, "grandma-02.mp3") {
			if _, err := os.Stat("grandma-02.mp3"); err != nil {
				// A person's recording of episode 2: festival's voice
				// (the acoustic-model aligner is built for human speech,
				// which espeak-ng's formant voice is far from), narrated in
				// a copy of the show and encoded again, a file of its own.
				voiced := filepath.Join(t.TempDir(), "voiced")
				copyDir(t, filepath.Join(work, "myshow"), voiced)
				var out bytes.Buffer
				if err := run(ctx, []string{"narrate", "-dir", voiced, "-voice", "festival", "-episode", slug2}, getenv, &out, &out); err != nil {
					t.Fatalf("narrating the stand-in recording with festival: %v\n%s", err, out.String())
				}
				runProgram(t, lame, "--quiet", "--mp3input", "-b", "64", filepath.Join(voiced, "audio", slug2+".mp3"), filepath.Join(work, "grandma-02.mp3"))
			}
		}
		switch {
		case args[0] == "readcast" && len(args) > 1 && args[1] == "serve":
			serving = true
			go func() { served <- run(ctx, args[1:], getenv, &bytes.Buffer{}, serveLog) }()
			waitFor(t, "readcast serve", func() bool {
				resp, err := http.Get(base + "/feed.xml")
				if err == nil {
					resp.Body.Close()
				}
				return err == nil && resp.StatusCode == 200
			})
		case args[0] == "readcast":
			var out bytes.Buffer
			if err := run(ctx, args[1:], getenv, &out, &out); err != nil {
				t.Fatalf("%s: %v\n%s\nserver log:\n%s", line, err, out.String(), serveLog)
			}
			checkDocStep(t, args[1], out.String())
		case args[0] == "cat" && len(args) == 3 && args[1] == ">":
			writeFile(t, args[2], c.heredoc)
		case args[0] == "cp" && len(args) == 3:
			before = enclosures(t, base)
			copyFile(t, args[1], args[2])
		case args[0] == "gpo":
			out := runProgramEnv(t, gpoEnv, gpo, args[1:]...)
			if args[1] == "download" {
				checkGPodderDownloads(t, base, downloads, out)
			}
		default:
			t.Fatalf("the doc has a command the test does not know: %s", line)
		}
	}
	if !serving || before == nil {
		t.Fatal("the doc neither serves the show nor replaces a recording")
	}
	// init writes no link and no credit: the feed links to the show's own
	// page, and its description ends with the text, not blank lines.
	feedXML := get(t, base+"/feed.xml")
	if !strings.Contains(feedXML, "<link>"+base+"/</link>") || strings.Contains(feedXML, "&#xA;</description>") {
		t.Errorf("the feed of a show without link or credit:\n%.1500s", feedXML)
	}

	// The replaced recording is served at a new URL under the same GUID,
	// and its transcript is synchronized once the background work is done:
	// the alignment, then the copy that carries its ID3 chapters (a URL of
	// its own).
	waitLong(t, "the person's recording to be aligned and served", func() bool {
		return backgroundDone(serveLog.String()) && strings.Contains(get(t, base+"/episodes/"+slug2), `class="transcript timed"`) && enclosures(t, base)[guidOf(t, base, slug2)] != before[guidOf(t, base, slug2)]
	})
	after := enclosures(t, base)
	if len(after) != len(before) {
		t.Fatalf("%d episodes after the new recording, %d before", len(after), len(before))
	}
	if out, err := runCmd(t, "check", base+"/feed.xml"); err != nil {
		t.Fatalf("check after the new recording: %v\n%s\nserver log:\n%s", err, out, serveLog)
	}
	// What the doc says of gPodder: the same episode, the file it has kept.
	old := mp3Digests(t, downloads)
	runProgramEnv(t, gpoEnv, gpo, "update")
	runProgramEnv(t, gpoEnv, gpo, "download")
	if now := mp3Digests(t, downloads); !equalSets(now, old) {
		t.Errorf("after the recording was replaced gPodder's downloads went from %v to %v; docs/your-own-show.md says it keeps its copy", old, now)
	}
}

// checkDocStep checks what a readcast command of the doc printed.
func checkDocStep(t *testing.T, cmd, out string) {
	t.Helper()
	want := map[string][]string{
		"init":    {"Made a show in myshow", "3 episodes", "readcast narrate -dir myshow"},
		"narrate": {"narrated 3 episodes with espeak-ng"},
		"check":   {"ok "},
		"export":  {"exported"},
		"align":   {"QA:"},
	}[cmd]
	if cmd == "outline" {
		want = []string{"02-the-winter-of-1963"}
		if _, err := os.Stat("myshow/overrides.json"); err == nil {
			want = append(want, "Buckets from the Kowalski house")
		}
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("readcast %s printed no %q:\n%s", cmd, w, out)
		}
	}
}

// rssItem is what the test reads of a feed item.
type rssItem struct {
	GUID      string `xml:"guid"`
	Link      string `xml:"link"`
	Enclosure struct {
		URL string `xml:"url,attr"`
	} `xml:"enclosure"`
}

// rssItems reads the feed's items.
func rssItems(t *testing.T, base string) []rssItem {
	t.Helper()
	var rss struct {
		Items []rssItem `xml:"channel>item"`
	}
	if err := xml.Unmarshal([]byte(get(t, base+"/feed.xml")), &rss); err != nil {
		t.Fatal(err)
	}
	return rss.Items
}

// enclosures maps the feed's item GUIDs to their enclosure URLs.
func enclosures(t *testing.T, base string) map[string]string {
	m := map[string]string{}
	for _, it := range rssItems(t, base) {
		m[it.GUID] = it.Enclosure.URL
	}
	return m
}

func guidOf(t *testing.T, base, slug string) string {
	for _, it := range rssItems(t, base) {
		if strings.HasSuffix(it.Link, "/episodes/"+slug) {
			return it.GUID
		}
	}
	t.Fatalf("the feed has no episode %s", slug)
	return ""
}

// checkGPodderDownloads checks that gPodder downloaded every episode of
// the feed, byte for byte.
func checkGPodderDownloads(t *testing.T, base, downloads string, out []byte) {
	t.Helper()
	served := map[string]bool{}
	for _, u := range enclosures(t, base) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		served[fmt.Sprintf("%x", h.Sum(nil))] = true
	}
	got := mp3Digests(t, downloads)
	if len(got) != len(served) || len(served) != 3 {
		t.Fatalf("gPodder downloaded %d files of the %d episodes served:\n%s", len(got), len(served), out)
	}
	for d := range got {
		if !served[d] {
			t.Errorf("gPodder downloaded a file the server does not serve")
		}
	}
}

// mp3Digests is the set of the SHA-256 of every MP3 under dir.
func mp3Digests(t *testing.T, dir string) map[string]bool {
	t.Helper()
	m := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".mp3") {
			m[fileDigest(t, p)] = true
		}
		return nil
	})
	return m
}

func equalSets(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
