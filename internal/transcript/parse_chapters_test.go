package transcript

import (
	"errors"
	"slices"
	"testing"

	"github.com/readcast/readcast/internal/timing"
)

func TestParseChapters(t *testing.T) {
	runParseCases(t, []parseCase[[]timing.Chapter]{
		{"spec example with a silent chapter",
			`{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro"},{"startTime":168.5,"title":"Aids","img":"x.jpg","endTime":200},` +
				`{"startTime":180,"toc":false,"location":{"name":"Paris","geo":"geo:1,2"}},{"startTime":260,"title":"Report","toc":true}]}`,
			[]timing.Chapter{{Title: "Intro"}, {Title: "Aids", Start: 168.5, End: 200}, {Title: "Report", Start: 260}}, false},
		{"empty", `{"version":"1.2.0","chapters":[]}`, []timing.Chapter{}, false},
		{"not JSON", `<chapters/>`, nil, true},
		{"no version", `{"chapters":[]}`, nil, true},
		{"no startTime", `{"version":"1.2.0","chapters":[{"title":"x"}]}`, nil, true},
		{"startTime as a string", `{"version":"1.2.0","chapters":[{"startTime":"0","title":"x"}]}`, nil, true},
		{"negative", `{"version":"1.2.0","chapters":[{"startTime":-1,"title":"x"}]}`, nil, true},
		{"out of order", `{"version":"1.2.0","chapters":[{"startTime":5,"title":"a"},{"startTime":4,"title":"b"}]}`, nil, true},
		{"ends before it starts", `{"version":"1.2.0","chapters":[{"startTime":5,"endTime":4,"title":"a"}]}`, nil, true},
	}, ParseChapters, slices.Equal[[]timing.Chapter])
}

// TestChaptersRoundTrip checks that the JSON chapters are exactly the
// chapters of timing.Chapters, to the millisecond, and that AntennaPod,
// which truncates start times to whole seconds and merges chapter lists
// whose starts differ by at most 1 s, still merges them with ID3.
func TestChaptersRoundTrip(t *testing.T) {
	d, got := roundTrip(t, Chapters, ParseChapters)
	if !slices.Equal(got, d.Chapters) {
		t.Errorf("got  %+v\nwant %+v", got, d.Chapters)
	}
	for i, c := range got {
		antennaPodMillis := int64(c.Start) * 1000 // optInt("startTime") * 1000
		if id3Millis := millis(d.Chapters[i].Start); id3Millis-antennaPodMillis > 1000 || id3Millis < antennaPodMillis {
			t.Errorf("chapter %d: AntennaPod reads %d ms, ID3 says %d ms", i, antennaPodMillis, id3Millis)
		}
	}
}

func FuzzParseChapters(f *testing.F) {
	b, err := Chapters(fixtureDoc(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"version":"1.2.0","chapters":[{"startTime":1e400}]}`))
	f.Add([]byte(`{"version":"","chapters":[null]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := ParseChapters(b)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
			return
		}
		prev := 0.0
		for _, c := range cs {
			if c.Start < prev || (c.End != 0 && c.End < c.Start) {
				t.Fatalf("chapter %+v out of order", c)
			}
			prev = c.Start
		}
	})
}
