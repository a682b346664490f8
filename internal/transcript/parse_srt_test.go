package transcript

import (
	"errors"
	"slices"
	"strconv"
	"testing"
)

func TestParseSRT(t *testing.T) {
	runParseCases(t, []parseCase[[]Cue]{
		{"two cues", "1\n00:00:01,000 --> 00:00:02,500\nHello\nthere\n\n2\n00:00:03,000 --> 00:00:04,000\n<i>Bye</i> & <b\n",
			[]Cue{{ID: "1", Start: 1, End: 2.5, Lines: []string{"Hello", "there"}}, {ID: "2", Start: 3, End: 4, Lines: []string{"<i>Bye</i> & <b"}}}, false},
		{"BOM, CRLF, full stop, extra blank lines, coordinates",
			"\uFEFF\r\n\r\n7\r\n0:00:01.000 --> 0:00:02.000 X1:10 X2:20\r\nA\r\n\r\n\r\n",
			[]Cue{{ID: "7", Start: 1, End: 2, Lines: []string{"A"}}}, false},
		{"empty file", "", nil, false},
		{"no timing line", "1\nHello\n", nil, true},
		{"number not a number", "one\n00:00:01,000 --> 00:00:02,000\nx\n", nil, true},
		{"bad timestamp", "1\n00:00:01 --> 00:00:02,000\nx\n", nil, true},
		{"ends before it starts", "1\n00:00:03,000 --> 00:00:02,000\nx\n", nil, true},
	}, ParseSRT, cuesEqual)
}

func TestSRTRoundTrip(t *testing.T) {
	d, got := roundTrip(t, SRT, ParseSRT)
	want := cues(timeSentences(d.Map), srtLayout(), "")
	for i := range want {
		want[i].ID = strconv.Itoa(i + 1)
		for j, l := range want[i].Lines {
			want[i].Lines[j] = srtText(l) // "<in>" is written "‹in>"
		}
	}
	if !slices.EqualFunc(got, want, cueEqual) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func FuzzParseSRT(f *testing.F) {
	b, err := SRT(fixtureDoc(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("1\r\n00:00:00,000 --> 00:00:00,001\r\n\r\n2\n1:2:3,4 --> x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := ParseSRT(b)
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
