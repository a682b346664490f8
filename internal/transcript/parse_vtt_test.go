package transcript

import (
	"errors"
	"slices"
	"testing"
)

func TestParseVTT(t *testing.T) {
	runParseCases(t, []parseCase[[]Cue]{
		{"minimal", "WEBVTT\n\n00:01.000 --> 00:02.500\nHello\n", []Cue{{Start: 1, End: 2.5, Lines: []string{"Hello"}}}, false},
		{"header text, BOM, CRLF, id, settings, voice, escapes",
			"\uFEFFWEBVTT - a title\r\nKind: captions\r\n\r\nNOTE a comment\r\nover lines\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\n" +
				"intro\r\n01:00:00.000 --> 01:00:01.001 align:start line:0\r\n<v.loud Mary Ann>Fish &amp; chips &lt;3\r\n<i>line</i> two\r\n",
			[]Cue{{ID: "intro", Start: 3600, End: 3601.001, Voice: "Mary Ann", Lines: []string{"Fish & chips <3", "line two"}}}, false},
		{"hours of three digits", "WEBVTT\n\n100:00:00.000 --> 100:00:00.000\nx\n", []Cue{{Start: 360000, End: 360000, Lines: []string{"x"}}}, false},
		{"cue without text", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n00:00:02.000 --> 00:00:03.000\nb", []Cue{{Start: 1, End: 2}, {Start: 2, End: 3, Lines: []string{"b"}}}, false},
		{"no header", "00:01.000 --> 00:02.000\nHello\n", nil, true},
		{"WEBVTTX header", "WEBVTTX\n\n00:01.000 --> 00:02.000\nHello\n", nil, true},
		{"timing in the header", "WEBVTT\n00:01.000 --> 00:02.000\nHello\n", nil, true},
		{"minutes over 59", "WEBVTT\n\n00:60:00.000 --> 01:00:00.000\nx\n", nil, true},
		{"comma before milliseconds", "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nx\n", nil, true},
		{"two digits of milliseconds", "WEBVTT\n\n00:00:01.00 --> 00:00:02.000\nx\n", nil, true},
		{"ends before it starts", "WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nx\n", nil, true},
		{"block without timing", "WEBVTT\n\nid\ntext\n", nil, true},
		{"arrow in the text", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na --> b\n", nil, true},
	}, ParseVTT, cuesEqual)
}

func TestVTTRoundTrip(t *testing.T) {
	d, got := roundTrip(t, VTT, ParseVTT)
	want := cues(timeSentences(d.Map), vttLayout(d.speaker()), d.speaker())
	if !slices.EqualFunc(got, want, cueEqual) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	checkCues(t, d.Map, got)

	_, chapters := roundTrip(t, ChapterVTT, ParseVTT)
	if len(chapters) != len(d.Chapters) {
		t.Fatalf("%d chapter cues, want %d", len(chapters), len(d.Chapters))
	}
	for i, c := range chapters {
		if ch := d.Chapters[i]; c.Start != ch.Start || c.End != ch.End || c.Text() != ch.Title {
			t.Errorf("chapter cue %d is %+v, want %+v", i, c, ch)
		}
	}
}

func FuzzParseVTT(f *testing.F) {
	d := fixtureDoc(f)
	for _, render := range []func(Doc) ([]byte, error){VTT, ChapterVTT} {
		b, err := render(d)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("WEBVTT\n\nNOTE x\n\nid\n00:00.000 --> 00:01.000 a:b\n<v X>a<b>&amp;\n"))
	f.Add([]byte("WEBVTT\r\n\r\n999999999:00:00.000 --> 999999999:59:59.999\r\n<"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := ParseVTT(b)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
			return
		}
		for _, c := range cs {
			if c.Start < 0 || c.End < c.Start {
				t.Fatalf("cue %+v has negative or reversed times", c)
			}
		}
	})
}
