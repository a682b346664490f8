package transcript

import (
	"errors"
	"slices"
	"testing"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Doc)
	}{
		{"no map", func(d *Doc) { d.Map = nil }},
		{"invalid map", func(d *Doc) { d.Map.Method = "guess" }},
		{"unknown kind", func(d *Doc) { d.Paragraphs[1].Kind = "caption" }},
		{"sentence missing", func(d *Doc) { d.Paragraphs[2].SentenceIDs = d.Paragraphs[2].SentenceIDs[1:] }},
		{"sentence twice", func(d *Doc) { d.Paragraphs[1].SentenceIDs = d.Paragraphs[0].SentenceIDs }},
		{"sentence unknown", func(d *Doc) { d.Paragraphs[0].SentenceIDs = []string{"nope"} }},
		{"last sentence in no paragraph", func(d *Doc) { d.Paragraphs = d.Paragraphs[:len(d.Paragraphs)-1] }},
		{"chapter out of range", func(d *Doc) { d.Paragraphs[len(d.Paragraphs)-1].Chapter = 2 }},
		{"chapter going back", func(d *Doc) { d.Paragraphs[len(d.Paragraphs)-1].Chapter = 0 }},
		{"chapters out of order", func(d *Doc) { d.Chapters[0].Start = 50 }},
		{"chapter reversed", func(d *Doc) { d.Chapters[1].End = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := fixtureDoc(t)
			tc.change(&d)
			if err := d.Validate(); !errors.Is(err, ErrInvalidDoc) {
				t.Fatalf("Validate: %v, want ErrInvalidDoc", err)
			}
			for _, render := range []func(Doc) ([]byte, error){VTT, SRT, JSON, HTML, Chapters, ChapterVTT} {
				if _, err := render(d); !errors.Is(err, ErrInvalidDoc) {
					t.Fatalf("render: %v, want ErrInvalidDoc", err)
				}
			}
		})
	}
	d := fixtureDoc(t)
	d.Paragraphs, d.Chapters = nil, nil
	if err := d.Validate(); err != nil {
		t.Errorf("a Doc without structure: %v", err)
	}
}

func TestNewDoc(t *testing.T) {
	want := fixtureDoc(t)
	ep := segment.Episode{Slug: "01-youth", Title: want.Title}
	for _, p := range want.Paragraphs {
		if p.Chapter == len(ep.Chapters) {
			ep.Chapters = append(ep.Chapters, segment.Chapter{Number: p.Chapter + 1, Title: want.Chapters[p.Chapter].Title})
		}
		sp := segment.Paragraph{Kind: p.Kind}
		for _, id := range p.SentenceIDs {
			sp.Sentences = append(sp.Sentences, segment.Sentence{ID: id})
		}
		ch := &ep.Chapters[p.Chapter]
		ch.Paragraphs = append(ch.Paragraphs, sp)
	}
	got, err := NewDoc(ep, "en", "", want.Map)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != want.Title || got.Language != want.Language || !slices.Equal(got.Chapters, want.Chapters) ||
		!slices.EqualFunc(got.Paragraphs, want.Paragraphs, func(a, b Paragraph) bool {
			return a.Kind == b.Kind && a.Chapter == b.Chapter && slices.Equal(a.SentenceIDs, b.SentenceIDs)
		}) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	ep.Chapters[1].Paragraphs = nil
	if _, err := NewDoc(ep, "en", "", want.Map); !errors.Is(err, ErrInvalidDoc) {
		t.Errorf("chapter without sentences: %v, want ErrInvalidDoc", err)
	}
	if _, err := NewDoc(ep, "en", "", nil); !errors.Is(err, ErrInvalidDoc) {
		t.Errorf("no map: %v, want ErrInvalidDoc", err)
	}
}

func TestClock(t *testing.T) {
	for _, tc := range []struct {
		sec        float64
		vtt, srt   string
		short, dec string
	}{
		{0, "00:00:00.000", "00:00:00,000", "0:00", "0"},
		{-3, "00:00:00.000", "00:00:00,000", "0:00", "0"},
		{62.3454, "00:01:02.345", "00:01:02,345", "1:02", "62.345"},
		{62.3456, "00:01:02.346", "00:01:02,346", "1:02", "62.346"},
		{3723.5, "01:02:03.500", "01:02:03,500", "1:02:03", "3723.5"},
		{360000, "100:00:00.000", "100:00:00,000", "100:00:00", "360000"},
	} {
		ms := millis(tc.sec)
		if got := clock(ms, '.'); got != tc.vtt {
			t.Errorf("clock(%v, '.') = %q, want %q", tc.sec, got, tc.vtt)
		}
		if got := clock(ms, ','); got != tc.srt {
			t.Errorf("clock(%v, ',') = %q, want %q", tc.sec, got, tc.srt)
		}
		if got := shortClock(ms); got != tc.short {
			t.Errorf("shortClock(%v) = %q, want %q", tc.sec, got, tc.short)
		}
		if got := decimal(ms); got != tc.dec {
			t.Errorf("decimal(%v) = %q, want %q", tc.sec, got, tc.dec)
		}
		if tc.sec >= 0 {
			if back, err := parseClock(tc.vtt, "."); err != nil || back != ms {
				t.Errorf("parseClock(%q) = %d, %v; want %d", tc.vtt, back, err, ms)
			}
		}
		if tc.sec >= 0 && seconds(ms) != timing.Round(tc.sec) {
			t.Errorf("seconds(millis(%v)) = %v, want timing.Round = %v", tc.sec, seconds(ms), timing.Round(tc.sec))
		}
	}
}
