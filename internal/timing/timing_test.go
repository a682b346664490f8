package timing

import (
	"errors"
	"strings"
	"testing"
)

func sample() *Map {
	return &Map{Method: MethodSynthesis, Duration: 10, Sentences: []Sentence{
		{ID: "s-1", Start: 0.5, End: 2, Text: "One two.", Confidence: 1, Words: []Word{{0.5, 1, "One"}, {1.1, 2, "two"}}},
		{ID: "s-2", Start: 3, End: 5, Text: "Three.", Confidence: 1, Words: []Word{{3, 5, "Three"}}},
		{ID: "s-3", Start: 6, End: 9.5, Text: "Four.", Confidence: 1},
	}}
}

func TestRoundTrip(t *testing.T) {
	b, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if b2, _ := Marshal(m); string(b2) != string(b) {
		t.Error("marshal → parse → marshal changed the bytes")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Map)
		want string
	}{
		{"method", func(m *Map) { m.Method = "guess" }, "unknown method"},
		{"duration", func(m *Map) { m.Duration = 0 }, "not positive"},
		{"overlap", func(m *Map) { m.Sentences[1].Start = 1.5 }, "before the previous one ends"},
		{"reversed", func(m *Map) { m.Sentences[1].End = 2.5 }, "before it starts"},
		{"past the end", func(m *Map) { m.Sentences[2].End = 11 }, "after the audio ends"},
		{"word outside", func(m *Map) { m.Sentences[0].Words[1].End = 2.5 }, "outside"},
		{"repeated id", func(m *Map) { m.Sentences[2].ID = "s-1" }, "repeated"},
	}
	for _, tt := range tests {
		m := sample()
		tt.edit(m)
		err := m.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := Parse([]byte(`{"method":"synthesis","duration":1,"sentences":[],"extra":1}`)); err == nil {
		t.Error("an unknown field was accepted")
	}
	b, _ := Marshal(&Map{Method: "x", Duration: 1})
	if _, err := Parse(b); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid map: %v, want ErrInvalid", err)
	}
}

func TestChapters(t *testing.T) {
	got, err := Chapters(sample(), []ChapterMark{{"Intro", "s-1"}, {"Later", "s-3"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Chapter{{"Intro", 0, 6}, {"Later", 6, 10}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := Chapters(sample(), []ChapterMark{{"A", "s-1"}, {"B", "s-9"}}); err == nil {
		t.Error("a chapter on an unknown sentence was accepted")
	}
}

func FuzzParse(f *testing.F) {
	b, _ := Marshal(sample())
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err == nil && m.Validate() != nil {
			t.Fatal("Parse accepted a map Validate rejects")
		}
	})
}
