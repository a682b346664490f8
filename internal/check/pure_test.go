package check

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/showtest"
)

func TestCheckHTML(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"transcript", "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>T</title>\n</head>\n<body><main><p><a href=\"#t=0\"><time datetime=\"PT0S\">0:00</time></a> <span id=\"s1\">Hi &amp; bye</span></p></main></body></html>\n", ""},
		{"optional end tags", "<html><body><ul><li>one<li>two</ul><p>text</body>", ""},
		{"void elements", "<body><p>a<br>b<img src=x></p></body>", ""},
		{"html entities", "<body><p>caf&eacute;&nbsp;ok</p></body>", ""},
		{"misnested", "<body><b><i>x</b></i></body>", "</b> closes <b> (line 1) before its <i> (line 1) is closed"},
		{"stray end tag", "<body><p>x</p></span></body>", "</span> closes no open element"},
		{"never closed", "<body><p>x</p><div>y", "<div> (line 1) is never closed"},
		{"no body", "<html><head><title>x</title></head></html>", "no <body>"},
		{"no text", "<html><body><p> </p></body></html>", "no text"},
		{"not markup", "<body><p a=\"x>text</p></body>", "html: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkHTML([]byte(tt.in))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("checkHTML: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("checkHTML error %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestReadID3(t *testing.T) {
	dir := showtest.Build(t)
	mp3s, _ := filepath.Glob(filepath.Join(dir, "audio", "*.mp3"))
	body, err := os.ReadFile(mp3s[0])
	if err != nil {
		t.Fatal(err)
	}
	tag, err := readID3(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	if !tag.present || !tag.ctoc || len(tag.chapters) == 0 {
		t.Fatalf("read %+v from a tagged MP3 with chapters", tag)
	}
	// The same tag with its CTOC frame renamed has chapters and no table
	// of contents.
	size := tagSize(body)
	noTOC := bytes.Clone(body)
	copy(noTOC[:size], bytes.Replace(noTOC[:size], []byte("CTOC"), []byte("XTOC"), 1))
	if hasFrame(noTOC[:size], "CTOC") {
		t.Error("hasFrame found a CTOC that is not there")
	}
	if !hasFrame(noTOC[:size], "CHAP") {
		t.Error("hasFrame missed the CHAP frames")
	}
	if tag, err := readID3(bytes.NewReader(body[size:]), int64(len(body)-int(size))); err != nil || tag.present {
		t.Errorf("an MP3 without a tag: %+v, %v", tag, err)
	}
	cut := body[:size/2]
	if _, err := readID3(bytes.NewReader(cut), int64(len(cut))); err == nil {
		t.Error("a tag longer than the file read without error")
	}
}

func TestCheckSpan(t *testing.T) {
	clk := clock{seconds: 60, known: true, slack: 0.5, from: "the MP3"}
	tests := []struct {
		name string
		cues []cue
		want string
	}{
		{"spans", []cue{{0.5, 10}, {10, 58}}, ""},
		{"ends early", []cue{{0.5, 10}, {10, 40}}, "the text/vtt transcript's last cue ends at 40.000 s, 20.0 s before the audio ends (60.000 s by the MP3); it does not span the audio"},
		{"past the end", []cue{{0.5, 10}, {10, 61}}, "the text/vtt transcript's cue 2 ends at 61.000 s, after the audio ends (60.000 s by the MP3)"},
		{"out of order", []cue{{5, 10}, {1, 58}}, "the text/vtt transcript's cue 2 starts at 1.000 s, before cue 1 at 5.000 s"},
		{"empty", nil, "the text/vtt transcript has no cues"},
	}
	for _, tt := range tests {
		f := &findings{where: "episode 1"}
		checkSpan(f, "u", "text/vtt", tt.cues, clk)
		got := ""
		if len(f.fails) > 0 {
			got = f.fails[0].Message
		}
		if got != tt.want || len(f.fails) > 1 {
			t.Errorf("%s: %q (%d failures), want %q", tt.name, got, len(f.fails), tt.want)
		}
	}
}
