package transcript

import (
	"strings"
	"testing"
	"unicode"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

// TestHostileText: text with markup, "-->" and control characters reaches
// no output as markup, as a cue end, or as a control character.
func TestHostileText(t *testing.T) {
	m, paragraphs, marks := buildMap([]para{
		{segment.KindHeading, 0, []string{"Title\x07 <b>bold</b>"}},
		{segment.KindText, 0, []string{
			`He wrote <font color="red">red</font> and {\an8}top, then --> and -- > and <i>it</i>.`,
			"A bell\x07, an escape\x1b[31m, a NUL\x00, a form feed\x0c, DEL\x7f and C1\u0085 here.",
		}},
	}, []string{"Chapter\x1b one <u>"})
	chapters, err := timing.Chapters(m, marks)
	if err != nil {
		t.Fatal(err)
	}
	d := Doc{Title: "Episode\x00 --> <v x>", Language: "en\x01", Speaker: "Nar\x02rator <c>", Map: m, Paragraphs: paragraphs, Chapters: chapters}
	writers := map[string]func(Doc) ([]byte, error){
		"vtt": VTT, "chapters.vtt": ChapterVTT, "srt": SRT, "json": JSON, "html": HTML, "chapters.json": Chapters,
	}
	for name, write := range writers {
		out, err := write(d)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if i := strings.IndexFunc(string(out), func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }); i >= 0 {
			t.Errorf("%s carries control character %q at %d", name, out[i], i)
		}
	}
	srt, _ := SRT(d)
	vtt, _ := VTT(d)
	for name, out := range map[string][]byte{"srt": srt, "vtt": vtt} {
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "-->") && !timingLine(line) {
				t.Errorf("%s: %q carries a cue end", name, line)
			}
			for _, tag := range []string{"<font", "<b>", "<i>", "<u>", "<c>", `{\an8}`} {
				if strings.Contains(line, tag) && (name == "srt" || tag[0] == '<') { // {\an8} is SubRip's only
					t.Errorf("%s: %q carries markup %s", name, line, tag)
				}
			}
		}
	}
	if !strings.Contains(string(srt), "‹font") || !strings.Contains(string(srt), "red") || !strings.Contains(string(srt), "->") {
		t.Errorf("the SRT lost the text around the markup:\n%s", srt)
	}
	if d.Map.Sentences[2].Text != "A bell\x07, an escape\x1b[31m, a NUL\x00, a form feed\x0c, DEL\x7f and C1\u0085 here." {
		t.Error("the writers changed the Doc they were given")
	}
}

// timingLine reports whether line is a cue's timing line.
func timingLine(line string) bool {
	start, end, ok := strings.Cut(line, " --> ")
	return ok && len(start) >= 9 && len(end) >= 9 && start[0] >= '0' && start[0] <= '9'
}

func TestDropControls(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                   "plain",
		"tab\tand\nnewline":       "tab\tand\nnewline",
		"a\x00b\x1fc\x7fd\u0085e": "abcde",
		"\r\n":                    "\n",
		"é—ü“”":                   "é—ü“”",
	} {
		if got := DropControls(in); got != want {
			t.Errorf("DropControls(%q) = %q, want %q", in, got, want)
		}
		if got := string(DropControlBytes([]byte(in))); got != want {
			t.Errorf("DropControlBytes(%q) = %q, want %q", in, got, want)
		}
	}
}
