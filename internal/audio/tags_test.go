package audio

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func testTags(cover []byte) Tags {
	return Tags{
		Title:      "Discovering Trotsky in Paris",
		Artist:     "readcast narrator",
		Album:      "Recollections of a Soviet citizen",
		Genre:      "Podcast",
		Comment:    "Synthesized narration — Воспоминания",
		Track:      3,
		TrackTotal: 10,
		Year:       2024,
		Cover:      cover,
		CoverMIME:  "image/png",
		Chapters: []Chapter{
			{ID: "chp1", Title: "Moscow", Start: 0, End: 612 * time.Millisecond},
			// 1.235 s held as a float lands just below: it must round,
			// not truncate to 1234 ms.
			{ID: "chp2", Title: "Парижские улицы", Start: 612 * time.Millisecond, End: 1234999999 * time.Nanosecond},
			{Title: "The bookshop (no ID given)", Start: 1234999999 * time.Nanosecond, End: 2500 * time.Millisecond},
		},
	}
}

// taggedCopy encodes a short MP3 that already has lame's own ID3v2.3 and
// ID3v1 tags, for WriteTags to replace.
func taggedCopy(tb testing.TB, dir string) string {
	tb.Helper()
	return encodeMP3(tb, dir, "episode", burstSignal(44100, 1, 2.5, 5000),
		"-b", "64", "-m", "m", "--tt", "Old title", "--ta", "Old artist", "--add-id3v2")
}

func TestWriteTags(t *testing.T) {
	dir := t.TempDir()
	path := taggedCopy(t, dir)
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	before, err := ProbeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cover := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0xFF, 0xFB, 0x00}, 5000)...)
	in := testTags(cover)
	if err := WriteTags(path, in); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Chapters = []Chapter{
		{ID: "chp1", Title: "Moscow", Start: 0, End: 612 * time.Millisecond},
		{ID: "chp2", Title: "Парижские улицы", Start: 612 * time.Millisecond, End: 1235 * time.Millisecond},
		{ID: "chp3", Title: "The bookshop (no ID given)", Start: 1235 * time.Millisecond, End: 2500 * time.Millisecond},
	}

	t.Run("probe", func(t *testing.T) {
		after, err := ProbeFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if after.AudioStart <= before.AudioStart {
			t.Errorf("AudioStart %d, before %d: the new tag should be larger", after.AudioStart, before.AudioStart)
		}
		after.AudioStart = before.AudioStart
		if after != before {
			t.Errorf("the audio changed:\n got %+v\nwant %+v", after, before)
		}
		if string(first[len(first)-128:][:3]) == "TAG" || bytes.Contains(first, []byte("Old title")) {
			t.Error("lame's old ID3v1 tag is still there")
		}
	})
	t.Run("read-tags", func(t *testing.T) {
		got, err := ReadTags(bytes.NewReader(first), int64(len(first)))
		if err != nil {
			t.Fatal(err)
		}
		w := want
		if !bytes.Equal(got.Cover, w.Cover) {
			t.Errorf("cover: %d bytes back, %d written", len(got.Cover), len(w.Cover))
		}
		got.Cover, w.Cover = nil, nil
		if !reflect.DeepEqual(got, w) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, w)
		}
	})
	t.Run("ffprobe", func(t *testing.T) {
		var out struct {
			Chapters []struct {
				TimeBase string `json:"time_base"`
				Start    int64  `json:"start"`
				End      int64  `json:"end"`
				Tags     struct {
					Title string `json:"title"`
				} `json:"tags"`
			} `json:"chapters"`
			Format struct {
				Tags map[string]string `json:"tags"`
			} `json:"format"`
		}
		ffprobeJSON(t, path, &out, "-show_chapters", "-show_entries", "format_tags")
		if len(out.Chapters) != len(want.Chapters) {
			t.Fatalf("ffprobe lists %d chapters, want %d", len(out.Chapters), len(want.Chapters))
		}
		for i, c := range out.Chapters {
			w := want.Chapters[i]
			if c.TimeBase != "1/1000" || c.Start != w.Start.Milliseconds() || c.End != w.End.Milliseconds() || c.Tags.Title != w.Title {
				t.Errorf("chapter %d: ffprobe %+v, want %q %d-%d ms", i, c, w.Title, w.Start.Milliseconds(), w.End.Milliseconds())
			}
		}
		tags := out.Format.Tags
		for k, v := range map[string]string{"title": want.Title, "artist": want.Artist, "album": want.Album,
			"genre": want.Genre, "track": "3/10", "date": "2024", "comment": want.Comment} {
			if tags[k] != v {
				t.Errorf("ffprobe tag %s = %q, want %q", k, tags[k], v)
			}
		}
	})
	t.Run("mutagen", func(t *testing.T) {
		python := requireMutagen(t)
		script := `
import json, sys
from mutagen.id3 import ID3, CTOCFlags
t = ID3(sys.argv[1])
tocs = t.getall("CTOC")
out = {"version": list(t.version), "tocs": [], "chapters": [], "covers": []}
for c in tocs:
    out["tocs"].append({"id": c.element_id, "top": bool(c.flags & CTOCFlags.TOP_LEVEL),
        "ordered": bool(c.flags & CTOCFlags.ORDERED), "children": list(c.child_element_ids),
        "title": str(c.sub_frames.get("TIT2", ""))})
for c in t.getall("CHAP"):
    out["chapters"].append({"id": c.element_id, "start": c.start_time, "end": c.end_time,
        "title": str(c.sub_frames["TIT2"])})
for p in t.getall("APIC"):
    out["covers"].append({"type": int(p.type), "mime": p.mime, "size": len(p.data)})
print(json.dumps(out))
`
		b, err := exec.Command(python, "-c", script, path).Output()
		if err != nil {
			t.Fatalf("mutagen: %v", err)
		}
		var got struct {
			Version []int
			Tocs    []struct {
				ID, Title    string
				Top, Ordered bool
				Children     []string
			}
			Chapters []struct {
				ID, Title  string
				Start, End int64
			}
			Covers []struct {
				Type int
				Mime string
				Size int
			}
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		if !reflect.DeepEqual(got.Version, []int{2, 4, 0}) {
			t.Errorf("version %v, want 2.4.0", got.Version)
		}
		if len(got.Tocs) != 1 {
			t.Fatalf("%d CTOC frames, want 1", len(got.Tocs))
		}
		toc := got.Tocs[0]
		if toc.ID != "toc" || !toc.Top || !toc.Ordered || !reflect.DeepEqual(toc.Children, []string{"chp1", "chp2", "chp3"}) || toc.Title != want.Title {
			t.Errorf("CTOC %+v", toc)
		}
		if len(got.Chapters) != 3 {
			t.Fatalf("%d CHAP frames", len(got.Chapters))
		}
		for i, c := range got.Chapters {
			w := want.Chapters[i]
			if c.ID != w.ID || c.Title != w.Title || c.Start != w.Start.Milliseconds() || c.End != w.End.Milliseconds() {
				t.Errorf("CHAP %+v, want %+v", c, w)
			}
		}
		if len(got.Covers) != 1 || got.Covers[0].Type != 3 || got.Covers[0].Mime != "image/png" || got.Covers[0].Size != len(cover) {
			t.Errorf("APIC %+v", got.Covers)
		}
	})
	t.Run("atomic-and-stable", func(t *testing.T) {
		if err := WriteTags(path, in); err != nil {
			t.Fatal(err)
		}
		second, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Error("writing the same tags twice gave different bytes (or stacked a second tag)")
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".tmp") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o640 {
			t.Errorf("mode %v, want 0640 kept", st.Mode().Perm())
		}
	})
}

func TestWriteTagsRefuses(t *testing.T) {
	dir := t.TempDir()
	mp3 := taggedCopy(t, dir)
	orig, err := os.ReadFile(mp3)
	if err != nil {
		t.Fatal(err)
	}
	var wav bytes.Buffer
	if err := encodeWAV(&wav, burstSignal(8000, 1, 0.1, 10)); err != nil {
		t.Fatal(err)
	}
	wavPath := filepath.Join(dir, "narration.mp3")
	if err := os.WriteFile(wavPath, wav.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	many := make([]Chapter, 256)
	for i := range many {
		many[i] = Chapter{Title: strconv.Itoa(i), Start: time.Duration(i) * time.Second, End: time.Duration(i+1) * time.Second}
	}
	cases := []struct {
		name string
		path string
		tags Tags
		err  error
		msg  string
	}{
		{"duplicate-id", mp3, Tags{Chapters: []Chapter{{ID: "a", End: 1}, {ID: "a", End: 2}}}, ErrBadTag, `ID "a" is used twice`},
		{"toc-id", mp3, Tags{Chapters: []Chapter{{ID: "toc"}}}, ErrBadTag, "used twice"},
		{"space-in-id", mp3, Tags{Chapters: []Chapter{{ID: "chapter one"}}}, ErrBadTag, "printable ASCII"},
		{"backwards", mp3, Tags{Chapters: []Chapter{{Start: time.Second, End: 0}}}, ErrBadTag, "not a forward span"},
		{"too-many", mp3, Tags{Chapters: many}, ErrBadTag, "256 chapters"},
		{"wav", wavPath, Tags{Title: "x"}, ErrNotMP3, "WAV"},
		{"missing", filepath.Join(dir, "missing.mp3"), Tags{Title: "x"}, os.ErrNotExist, "missing.mp3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := WriteTags(c.path, c.tags)
			if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "audio: write tags ") {
				t.Errorf("got %v, want %v saying %q", err, c.err, c.msg)
			}
		})
	}
	if now, _ := os.ReadFile(mp3); !bytes.Equal(now, orig) {
		t.Error("a refused write changed the file")
	}
	if now, _ := os.ReadFile(wavPath); !bytes.Equal(now, wav.Bytes()) {
		t.Error("a refused write changed the WAV")
	}
}

// TestReadTagsForeign reads tags that other programs wrote: lame's v2.3 and
// mutagen's v2.4 with UTF-16 text and a CTOC whose order is not by time.
func TestReadTagsForeign(t *testing.T) {
	dir := t.TempDir()
	cover := filepath.Join(dir, "c.jpg")
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 500)...)
	if err := os.WriteFile(cover, jpeg, 0o644); err != nil {
		t.Fatal(err)
	}
	lamed := encodeMP3(t, dir, "lamed", burstSignal(44100, 1, 1, 100), "-b", "64", "-m", "m",
		"--tt", "Lame title", "--ta", "Lame artist", "--tl", "Lame album", "--ty", "1999", "--tn", "4/12",
		"--tc", "lame comment", "--tg", "Speech", "--ti", cover, "--id3v2-only")
	got := readTagsFile(t, lamed)
	want := Tags{Title: "Lame title", Artist: "Lame artist", Album: "Lame album", Genre: "Speech", Comment: "lame comment",
		Track: 4, TrackTotal: 12, Year: 1999, Cover: jpeg, CoverMIME: "image/jpeg"}
	if !bytes.Equal(got.Cover, want.Cover) {
		t.Errorf("cover: %d bytes, want %d", len(got.Cover), len(want.Cover))
	}
	got.Cover, want.Cover = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lame's tag:\n got %+v\nwant %+v", got, want)
	}

	python := requireMutagen(t)
	script := `
import sys
from mutagen.id3 import ID3, TIT2, CHAP, CTOC, CTOCFlags, Encoding
t = ID3()
t.add(TIT2(encoding=Encoding.UTF16, text=["Заголовок"]))
t.add(CHAP(element_id="b", start_time=5000, end_time=9000, sub_frames=[TIT2(encoding=Encoding.UTF16, text=["Второй"])]))
t.add(CHAP(element_id="a", start_time=0, end_time=5000, sub_frames=[TIT2(encoding=Encoding.UTF16BE, text=["First"])]))
t.add(CHAP(element_id="z", start_time=9000, end_time=9500, sub_frames=[]))
t.add(CTOC(element_id="root", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["a", "inner"], sub_frames=[]))
t.add(CTOC(element_id="inner", flags=CTOCFlags.ORDERED, child_element_ids=["b"], sub_frames=[]))
t.save(sys.argv[1], v2_version=int(sys.argv[2]))
`
	for _, v := range []string{"3", "4"} {
		t.Run("mutagen-v2."+v, func(t *testing.T) {
			path := filepath.Join(dir, "mutagen"+v+".mp3")
			if b, err := exec.Command(python, "-c", script, path, v).CombinedOutput(); err != nil {
				t.Fatalf("mutagen: %v\n%s", err, b)
			}
			got := readTagsFile(t, path)
			want := []Chapter{
				{ID: "a", Title: "First", Start: 0, End: 5 * time.Second},
				{ID: "b", Title: "Второй", Start: 5 * time.Second, End: 9 * time.Second},
				{ID: "z", Start: 9 * time.Second, End: 9500 * time.Millisecond},
			}
			if got.Title != "Заголовок" || !reflect.DeepEqual(got.Chapters, want) {
				t.Errorf("got %q %+v", got.Title, got.Chapters)
			}
		})
	}
}

func readTagsFile(tb testing.TB, path string) Tags {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	got, err := ReadTags(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

// TestReadTagsHandmade covers the parts of the format no writer at hand
// produces: unsynchronisation, extended headers, frame flags, bad sizes.
func TestReadTagsHandmade(t *testing.T) {
	frame := func(id string, body []byte, size []byte, flags byte) []byte {
		return concat([]byte(id), size, []byte{0, flags}, body)
	}
	plain := func(n int) []byte { return []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)} }
	tag := func(version, flags byte, frames ...[]byte) []byte {
		body := concat(frames...)
		return concat([]byte{'I', 'D', '3', version, 0, flags}, syncSafe(len(body)), body)
	}
	title := []byte("\x00Caf\xe9 \xff\x00ok") // latin-1, with a sequence unsync leaves
	cases := []struct {
		name  string
		file  []byte
		title string
		err   string
	}{
		{"none", []byte("\xff\xfb\x90\x44 no tag"), "", ""},
		{"v23-unsync", tag(3, 0x80, frame("TIT2", title, plain(len(title)-1), 0)), "Café ÿok", ""},
		{"v24-frame-unsync+dli", tag(4, 0, frame("TIT2", concat(plain(9), title), syncSafe(len(title)+4), 0x03)), "Café ÿok", ""},
		{"v24-ext-header", tag(4, 0x40, []byte{0, 0, 0, 6, 1, 0}, frame("TIT2", []byte("\x03hi"), syncSafe(3), 0)), "hi", ""},
		{"v23-ext-header", tag(3, 0x40, []byte{0, 0, 0, 6, 0, 0, 0, 0, 0, 0}, frame("TIT2", []byte("\x03hi"), plain(3), 0)), "hi", ""},
		{"v24-non-syncsafe-size", tag(4, 0, frame("TIT2", concat([]byte{3}, bytes.Repeat([]byte("a"), 199)), plain(200), 0)), strings.Repeat("a", 199), ""},
		{"compressed-skipped", tag(3, 0, frame("TIT2", []byte("\x00\x00\x00\x05xx"), plain(6), 0x80), frame("TALB", []byte("\x00al"), plain(3), 0)), "", ""},
		{"padding", concat(tag(4, 0, frame("TIT2", []byte("\x03hi"), syncSafe(3), 0), make([]byte, 100))), "hi", ""},
		{"v22", tag(2, 0, []byte("TT2\x00\x00\x03\x00hi")), "", "ID3v2.2 is not supported"},
		{"frame-past-end", tag(4, 0, frame("TIT2", []byte("\x03hi"), syncSafe(300), 0)), "", "declares 300 bytes, past the end of the tag"},
		{"bad-frame-id", tag(4, 0, frame("ti!2", []byte("\x03hi"), syncSafe(3), 0)), "", `invalid frame ID "ti!2" at byte 10`},
		{"tag-past-end", tag(4, 0, frame("TIT2", []byte("\x03hi"), syncSafe(3), 0))[:15], "", "declares 23 bytes but the file has 15"},
		{"chap-cut-short", tag(4, 0, frame("CHAP", []byte("c1\x00\x00\x00"), syncSafe(5), 0)), "", `CHAP frame "c1" at byte 20 is cut short`},
		{"ctoc-lies", tag(4, 0, frame("CTOC", []byte("t\x00\x03\x05a\x00"), syncSafe(6), 0)), "", "lists 5 entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadTags(bytes.NewReader(c.file), int64(len(c.file)))
			if c.err != "" {
				if !errors.Is(err, ErrBadTag) || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "audio: read tags: ") {
					t.Errorf("got %v, want ErrBadTag saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != c.title {
				t.Errorf("title %q, want %q", got.Title, c.title)
			}
		})
	}
}

// TestChapterTimesMatchTimingRound checks the float seconds the timing
// package produces survive the trip to milliseconds unchanged.
func TestChapterTimesMatchTimingRound(t *testing.T) {
	for _, sec := range []float64{0, 0.001, 1.2345, 12.345, 612.48, 3599.999} {
		d := time.Duration(sec * float64(time.Second))
		cs, err := checkChapters([]Chapter{{Start: d, End: d}})
		if err != nil {
			t.Fatal(err)
		}
		if got := cs[0].Start.Milliseconds(); got != int64(math.Round(sec*1000)) {
			t.Errorf("%v s became %d ms", sec, got)
		}
	}
}
