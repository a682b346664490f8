package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/testtool"
)

// tinyText is a recollection of one short episode: quick to narrate.
const tinyText = "# The Pump\n\nOur street had one pump, at the corner by the bakery.\n\nEvery morning began with a queue.\n"

// freeAddr is a loopback address nobody listens on, for a server the test
// starts through run, as a user would, or for nginx (testtool.FreePorts:
// outside the ephemeral range, since the server may bind it seconds later).
func freeAddr(t *testing.T) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(testtool.FreePorts(t, 1)[0])
}

// runAt runs readcast with READCAST_ADDR set to addr.
func runAt(ctx context.Context, addr string, args ...string) (string, error) {
	var out bytes.Buffer
	getenv := func(k string) string {
		if k == "READCAST_ADDR" {
			return addr
		}
		return ""
	}
	err := run(ctx, args, getenv, &out, &out)
	return out.String(), err
}

// listing is every file under dir with its size: what a command wrote.
func listing(t *testing.T, dir string) string {
	t.Helper()
	var files []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, fmt.Sprint(rel, " ", fi.Mode(), " ", fi.Size()))
		}
		return nil
	})
	sort.Strings(files)
	return strings.Join(files, "\n")
}

// serveAndCheck runs `readcast serve -dir dir` until the feed answers, then
// `readcast check` on it, and stops the server; or returns serve's error.
func serveAndCheck(t *testing.T, dir string) (out string, serveErr, checkErr error) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		out, err := runAt(ctx, addr, "serve", "-dir", dir, "-watch", "0")
		if err != nil && strings.TrimSpace(out) != "" {
			t.Errorf("serve printed more than its error:\n%s", out)
		}
		done <- err
	}()
	exited := false
	waitFor(t, "the server or its error", func() bool {
		select {
		case serveErr = <-done:
			exited = true
			return true
		default:
		}
		resp, err := http.Get("http://" + addr + "/feed.xml")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	if exited {
		return "", serveErr, nil
	}
	out, checkErr = runCmd(t, "check", "http://"+addr+"/feed.xml")
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve stopped with %v", err)
	}
	return out, nil, checkErr
}

// TestShowJSONOneValidation: a show.json that one command accepts, every
// command accepts (outline, narrate, serve, export, and check on what serve
// serves); one they refuse, every one refuses with the same message, which
// names the field and says what to write, and nothing is written.
func TestShowJSONOneValidation(t *testing.T) {
	testtool.Require(t, "espeak-ng", "espeak-ng")
	testtool.Require(t, "lame", "lame")
	root := t.TempDir()
	src := filepath.Join(root, "pump.md")
	writeFile(t, src, tinyText)
	initDir := filepath.Join(root, "init")
	if out, err := runCmd(t, "init", "-dir", initDir, "-source", src, "-author", "Maria Nowak", "-email", "maria@example.org"); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	var initShow map[string]any
	data, err := os.ReadFile(filepath.Join(initDir, "show.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &initShow); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"title", "subtitle", "description", "author", "owner", "language", "categories", "explicit", "type", "link", "copyright", "credit", "source", "synthetic", "narrator", "first_published"} {
		if _, ok := initShow[f]; !ok {
			t.Errorf("init's show.json has no %q", f)
		}
	}

	edit := func(f func(m map[string]any)) []byte {
		m := map[string]any{}
		json.Unmarshal(data, &m)
		f(m)
		b, _ := json.MarshalIndent(m, "", " ")
		return b
	}
	del := func(keys ...string) []byte {
		return edit(func(m map[string]any) {
			for _, k := range keys {
				delete(m, k)
			}
		})
	}
	set := func(k string, v any) []byte { return edit(func(m map[string]any) { m[k] = v }) }
	tests := []struct {
		name string
		json []byte
		// want are what the error must say (the field, the fix); none
		// means every command accepts the file.
		want []string
	}{
		{"init's output", data, nil},
		{"no link", del("link"), nil},
		{"no credit, copyright, subtitle or narrator", del("credit", "copyright", "subtitle", "narrator"), nil},
		{"a link and a credit", edit(func(m map[string]any) {
			m["link"] = "https://example.org/pump"
			m["credit"] = "First told at the kitchen table."
		}), nil},
		{"no first_published", del("first_published"), []string{"first_published is missing", `write the first episode's date, e.g. "first_published": "`}},
		{"first_published not a date", set("first_published", "02/11/2026"), []string{`first_published "02/11/2026" is not a date`, "YYYY-MM-DD"}},
		{"link not absolute", set("link", "example.org/pump"), []string{`link "example.org/pump" is not a web address`, "or leave it out"}},
		{"owner email", edit(func(m map[string]any) { m["owner"] = map[string]any{"name": "Maria", "email": "maria"} }), []string{`owner.email "maria" is not an email address`, "write a bare address"}},
		{"no owner", del("owner"), []string{"owner.name is missing", "owner.email is missing"}},
		{"language", set("language", "English"), []string{`language "English" is not a language code`, `"en"`}},
		{"no categories", set("categories", []any{}), []string{"categories is missing", "Personal Journals"}},
		{"not an Apple category", set("categories", []any{map[string]any{"name": "Memoir"}}), []string{"categories[0]", `"Memoir" is not an Apple Podcasts category`}},
		{"type", set("type", "weekly"), []string{`type "weekly" must be "serial"`}},
		{"no title", set("title", " "), []string{"title is missing", `write the show's name`}},
		{"source outside", set("source", "../pump.md"), []string{`source "../pump.md" must be a file inside the show's directory`}},
		{"unknown field", set("titel", "x"), []string{`"titel" is not a field; the fields are title, subtitle`}},
		{"long author", set("author", strings.Repeat("a", 300)), []string{"author is 300 characters", "at most 255"}},
		{"long description", set("description", strings.Repeat("word ", 800)), []string{"description is too long", "shorten description and credit"}},
		{"several at once", edit(func(m map[string]any) { delete(m, "title"); m["type"] = ""; m["language"] = "" }), []string{"3 problems", "title is missing", `type "" must be`, "language is missing"}},
		{"cut short", data[:len(data)/2], []string{"cut short", "complete JSON object"}},
		{"a wrong type", set("explicit", "no"), []string{"explicit must be a JSON bool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "show")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "show.json"), string(tt.json))
			writeFile(t, filepath.Join(dir, "pump.md"), tinyText)
			before := listing(t, dir)
			exportDir := filepath.Join(t.TempDir(), "site")

			errs := map[string]error{}
			outs := map[string]string{}
			outs["outline"], errs["outline"] = runCmd(t, "outline", "-dir", dir)
			outs["narrate"], errs["narrate"] = runCmd(t, "narrate", "-dir", dir, "-voice", "espeak-ng")
			var checkErr error
			outs["serve"], errs["serve"], checkErr = serveAndCheck(t, dir)
			outs["export"], errs["export"] = runCmd(t, "export", "-dir", dir, "-out", exportDir, "-base-url", "https://example.org/pump")

			if tt.want == nil {
				for cmd, err := range errs {
					if err != nil {
						t.Errorf("%s refused what init writes or a valid edit of it: %v\n%s", cmd, err, outs[cmd])
					}
				}
				if errs["serve"] == nil && checkErr != nil {
					t.Errorf("check failed on the served show: %v\n%s", checkErr, outs["serve"])
				}
				return
			}
			msg := ""
			for _, cmd := range []string{"outline", "narrate", "serve", "export"} {
				err := errs[cmd]
				if err == nil {
					t.Errorf("%s accepted a show.json the others may refuse", cmd)
					continue
				}
				if msg == "" {
					msg = err.Error()
				} else if err.Error() != msg {
					t.Errorf("%s says\n%v\nwhere outline says\n%s", cmd, err, msg)
				}
			}
			if !strings.HasPrefix(msg, filepath.Join(dir, "show.json")) {
				t.Errorf("the error does not start with the file's path:\n%s", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("the error lacks %q:\n%s", w, msg)
				}
			}
			if after := listing(t, dir); after != before {
				t.Errorf("a refused show was written to:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if _, err := os.Stat(exportDir); err == nil {
				t.Error("export wrote a site for a refused show")
			}
		})
	}
}

// TestBadTextOneMessage: readcast (serve), outline, narrate, export and
// init, with no show, an unreadable text, an empty one and a binary file
// as the text: one message each, on one line, naming the file and what to
// do, and nothing written.
func TestBadTextOneMessage(t *testing.T) {
	cover, err := os.ReadFile("../../episodes/cover.jpg")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		text []byte // the show's text; nil: no text file at all
		show bool   // whether there is a show.json
		mode os.FileMode
		want string
	}{
		{"no show", nil, false, 0, "there is no show here (no show.json): make one with `readcast init -source YOUR-TEXT.md`, or point -dir (or READCAST_DIR)"},
		{"missing text", nil, true, 0, "no such file: check the name"},
		{"a directory as the text", nil, true, 0, "it is a directory: name the text file"},
		{"unreadable text", []byte(tinyText), true, 0o000, "cannot be read (permission denied): make it readable"},
		{"empty text", []byte(" \n\n"), true, 0o644, "the text is empty: write the recollection into it"},
		{"binary text", cover, true, 0o644, "the text is not UTF-8 text (invalid UTF-8 at byte 0): give a plain-text or Markdown file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "show")
			os.MkdirAll(dir, 0o755)
			text := filepath.Join(dir, "pump.md")
			if tt.show {
				writeFile(t, filepath.Join(dir, "show.json"), `{"title": "The Pump", "description": "A street's pump.", "author": "Maria Nowak",
 "owner": {"name": "Maria Nowak", "email": "maria@example.org"}, "language": "en",
 "categories": [{"name": "History"}], "type": "serial", "source": "pump.md", "synthetic": true, "first_published": "2026-11-02"}`)
			}
			if tt.name == "a directory as the text" {
				os.Mkdir(text, 0o755)
			}
			if tt.text != nil {
				if err := os.WriteFile(text, tt.text, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(text, tt.mode); err != nil {
					t.Fatal(err)
				}
				if f, err := os.Open(text); err == nil {
					f.Close()
					if tt.mode == 0 {
						t.Skip("this user reads a file of mode 000 (root): an unreadable text cannot be made")
					}
				}
			}
			before := listing(t, root)
			runs := map[string][]string{
				"readcast": {"-dir", dir},
				"outline":  {"outline", "-dir", dir},
				"narrate":  {"narrate", "-dir", dir, "-voice", "espeak-ng"},
				"export":   {"export", "-dir", dir, "-out", filepath.Join(root, "site"), "-base-url", "https://example.org/"},
			}
			if tt.show {
				runs["init"] = []string{"init", "-dir", filepath.Join(root, "new"), "-source", text}
			}
			for name, args := range runs {
				out, err := runAt(context.Background(), freeAddr(t), args...)
				if err == nil {
					t.Errorf("%s: no error", name)
					continue
				}
				msg := err.Error()
				where := dir
				if tt.show {
					where = text
				}
				if !strings.HasPrefix(msg, where+": ") || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
					t.Errorf("%s said\n%s\nwant one line: %s: …%s…", name, msg, where, tt.want)
				}
				if strings.TrimSpace(out) != "" {
					t.Errorf("%s printed more than its error:\n%s", name, out)
				}
			}
			if after := listing(t, root); after != before {
				t.Errorf("something was written:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// TestInit: the title comes from the text's first heading, a show is never
// overwritten, and flags that would make a wrong show.json write nothing.
func TestInit(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "pump.md")
	writeFile(t, src, tinyText)
	dir := filepath.Join(root, "show")
	if _, err := runCmd(t, "init", "-dir", dir, "-source", src, "-language", "English"); err == nil || !strings.Contains(err.Error(), `language "English" is not a language code`) {
		t.Errorf("-language English: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a refused init made the show's directory")
	}
	out, err := runCmd(t, "init", "-dir", dir, "-source", src)
	if err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "show.json"))
	if !strings.Contains(string(data), `"title": "The Pump"`) || !strings.Contains(string(data), `"Society & Culture"`) {
		t.Errorf("show.json:\n%s", data)
	}
	writeFile(t, filepath.Join(dir, "show.json"), `{"title": "edited"}`)
	if _, err := runCmd(t, "init", "-dir", dir, "-source", src, "-title", "Another"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second init: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "show.json")); string(b) != `{"title": "edited"}` {
		t.Errorf("a second init overwrote show.json: %s", b)
	}
}

// TestHelpListsCommands: readcast -h prints every command, not serve's flags.
func TestHelpListsCommands(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "help"} {
		out, err := runCmd(t, arg)
		if err != nil {
			t.Errorf("readcast %s: %v", arg, err)
		}
		for _, c := range commands() {
			if !strings.Contains(out, "  "+c.name+" ") {
				t.Errorf("readcast %s does not list %s:\n%s", arg, c.name, out)
			}
		}
		if strings.Contains(out, "-admin-token") {
			t.Errorf("readcast %s prints serve's flags:\n%s", arg, out)
		}
	}
}
