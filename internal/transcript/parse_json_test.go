package transcript

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseJSON(t *testing.T) {
	runParseCases(t, []parseCase[[]Segment]{
		{"spec example", `{"version":"1.0.0","segments":[{"speaker":"Darth Vader","startTime":0.5,"endTime":0.75,"body":"I"},{"startTime":2.25,"endTime":2.5,"body":"father.\n"}]}`,
			[]Segment{{Speaker: "Darth Vader", Start: 0.5, End: 0.75, Body: "I"}, {Start: 2.25, End: 2.5, Body: "father.\n"}}, false},
		{"no endTime", `{"version":"1.0.0","segments":[{"startTime":1,"body":"a"}]}`, []Segment{{Start: 1, End: 1, Body: "a"}}, false},
		{"no segments", `{"version":"1.0.0","segments":[]}`, []Segment{}, false},
		{"not JSON", `WEBVTT`, nil, true},
		{"no version", `{"segments":[]}`, nil, true},
		{"no segments key", `{"version":"1.0.0"}`, nil, true},
		{"time as a string", `{"version":"1.0.0","segments":[{"startTime":"1","body":"a"}]}`, nil, true},
		{"no body", `{"version":"1.0.0","segments":[{"startTime":1,"endTime":2}]}`, nil, true},
		{"negative", `{"version":"1.0.0","segments":[{"startTime":-1,"endTime":2,"body":"a"}]}`, nil, true},
		{"reversed", `{"version":"1.0.0","segments":[{"startTime":3,"endTime":2,"body":"a"}]}`, nil, true},
	}, ParseJSON, slices.Equal[[]Segment])
}

func TestJSONRoundTrip(t *testing.T) {
	d, got := roundTrip(t, JSON, ParseJSON)
	if want := jsonSegments(d); !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// Word by word, the bodies are the sentences; the segments are in order
	// and inside their sentences.
	var words []string
	for _, s := range d.Map.Sentences {
		words = append(words, strings.Fields(s.Text)...)
	}
	if len(got) != len(words) {
		t.Fatalf("%d segments for %d words", len(got), len(words))
	}
	prev := 0.0
	for i, s := range got {
		if strings.TrimSuffix(s.Body, "\n") != words[i] || s.Start < prev || s.End < s.Start || s.Speaker != DefaultSpeaker {
			t.Fatalf("segment %d %+v: want body %q, in order", i, s, words[i])
		}
		prev = s.End
	}
	n := 0
	for _, s := range got {
		if strings.HasSuffix(s.Body, "\n") {
			n++
		}
	}
	if n != len(d.Paragraphs) {
		t.Errorf("%d bodies end a paragraph, want %d", n, len(d.Paragraphs))
	}
}

func FuzzParseJSON(f *testing.F) {
	b, err := JSON(fixtureDoc(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"version":"1.0.0","segments":[{"startTime":1e308,"endTime":1e309,"body":""}]}`))
	f.Add([]byte(`{"version":null,"segments":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		segs, err := ParseJSON(b)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
			return
		}
		for _, s := range segs {
			if s.Start < 0 || s.End < s.Start {
				t.Fatalf("segment %+v has negative or reversed times", s)
			}
		}
	})
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "“curly” & <tag>", "tab\there\nnew\rline", "q\"b\\s", "\x00\x1f\x7f", "\u2028\u2029", "bad\xffutf8", "é😀"} {
		var got string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if got != want {
			t.Errorf("%q came back as %q", s, got)
		}
	}
}
