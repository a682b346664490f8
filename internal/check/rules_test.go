package check

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{"662", 662, ""},
		{"0", 0, ""},
		{"11:02", 662, ""},
		{"1:01:02", 3662, ""},
		{"662.5", 0, "has a decimal part"},
		{"11:02.5", 0, "has a decimal part"},
		{"11:60", 0, "is not a whole number"},
		{"", 0, "is not a whole number"},
		{" 662", 0, "is not a whole number"},
		{"-5", 0, "is not a whole number"},
		{"1:2:3:4", 0, "is not a whole number"},
		{"99999999999999999999", 0, "out of range"},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("parseDuration(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("parseDuration(%q) error %v, want one saying %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestParseNPT(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"00:02:30.251", 150.251, true},
		{"02:30.5", 150.5, true},
		{"150.5", 150.5, true},
		{"1:00:00", 3600, true},
		{"00:60:00", 0, false},
		{"00:00:60", 0, false},
		{"1.5:00", 0, false},
		{"", 0, false},
		{"a:00", 0, false},
		{"-1", 0, false},
		{"1:2:3:4", 0, false},
	}
	for _, tt := range tests {
		got, err := parseNPT(tt.in)
		if (err == nil) != tt.ok || (tt.ok && abs(got-tt.want) > 1e-9) {
			t.Errorf("parseNPT(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func abs(x float64) float64 { return max(x, -x) }

func TestParseDate(t *testing.T) {
	want := time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)
	for _, s := range []string{
		"Mon, 02 Nov 2026 06:00:00 +0000",
		"Mon, 2 Nov 2026 06:00:00 +0000",
		"Mon, 02 Nov 2026 06:00:00 GMT",
		"02 Nov 2026 06:00:00 +0000",
		"Mon, 02 Nov 2026 07:00 +0100",
	} {
		got, err := parseDate(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"2026-11-02T06:00:00Z", "Mon, 02 Nov 26 06:00:00 +0000", "yesterday", ""} {
		if _, err := parseDate(s); err == nil {
			t.Errorf("parseDate(%q) took a date RSS does not allow", s)
		}
	}
}

func TestCheckItemWarnsOfWrongWeekday(t *testing.T) {
	f := &findings{where: "episode 1"}
	checkItem(f, item{n: 1, pubDate: optional{"Tue, 02 Nov 2026 06:00:00 +0000", true}}, false)
	found := false
	for _, w := range f.warns {
		found = found || strings.Contains(w.Message, "that day is a Monday")
	}
	if !found {
		t.Errorf("no warning about the weekday in %v", f.warns)
	}
}

func TestSerialNeedsEpisodeNumbers(t *testing.T) {
	it := item{n: 1, title: optional{"One", true}}
	for _, serial := range []bool{true, false} {
		f := &findings{where: it.where()}
		checkItem(f, it, serial)
		got := false
		for _, x := range f.fails {
			got = got || x.Message == "itunes:episode is missing; a serial show numbers every full episode"
		}
		if got != serial {
			t.Errorf("serial %v: failure about the missing number = %v", serial, got)
		}
	}
	trailer := item{n: 1, episodeType: optional{"trailer", true}}
	f := &findings{where: "episode 1"}
	checkItem(f, trailer, true)
	for _, x := range f.fails {
		if strings.Contains(x.Message, "itunes:episode") {
			t.Errorf("a serial trailer needs no number, but: %s", x.Message)
		}
	}
}
