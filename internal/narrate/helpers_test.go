package narrate

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/testtool"
)

// tinyOutline is an episode of two chapters and four sentences, one of them
// a paragraph of its own, with a number, curly quotes and an abbreviation.
func tinyOutline() *segment.Outline {
	sentence := func(id, text string) segment.Sentence {
		s := segment.Sentence{ID: id, Text: text}
		for _, f := range strings.Fields(text) {
			w := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			if w != "" {
				s.Words = append(s.Words, segment.Word{Text: w})
			}
		}
		return s
	}
	return &segment.Outline{
		Title:     "A tiny memoir",
		SourceSHA: strings.Repeat("ab", 32),
		Episodes: []segment.Episode{{
			Number: 1, Slug: "01-a-tiny-memoir", Title: "A tiny memoir", Estimate: 12,
			Chapters: []segment.Chapter{
				{Number: 1, Title: "Paris", Paragraphs: []segment.Paragraph{
					{ID: "p1", Kind: segment.KindText, Sentences: []segment.Sentence{
						sentence("s-born", "I was born in the USSR in 1965."),
						sentence("s-paris", "Paris was a surprise to me."),
					}},
				}},
				{Number: 2, Title: "Trotsky", Paragraphs: []segment.Paragraph{
					{ID: "p2", Kind: segment.KindText, Sentences: []segment.Sentence{
						sentence("s-books", "There, he discovered Trotsky’s writings."),
					}},
					{ID: "p3", Kind: segment.KindText, Sentences: []segment.Sentence{
						sentence("s-vote", "“Where are the 0.1 percent who voted against?”"),
					}},
				}},
			},
		}},
	}
}

// ffmpegPCM decodes an audio file to mono float32 at rate with ffmpeg,
// which applies the LAME tag's gapless trim as players do.
func ffmpegPCM(tb testing.TB, path string, rate int) []float32 {
	tb.Helper()
	ff := testtool.Require(tb, "ffmpeg", "ffmpeg")
	out, err := exec.Command(ff, "-nostdin", "-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar", strconv.Itoa(rate), "-").Output()
	if err != nil {
		tb.Fatalf("ffmpeg decode %s: %v", path, err)
	}
	x := make([]float32, len(out)/2)
	for i := range x {
		x[i] = float32(int16(binary.LittleEndian.Uint16(out[2*i:]))) / 32768
	}
	return x
}

// ebur128 measures a file with ffmpeg's ebur128 filter: integrated loudness
// in LUFS and true peak in dBTP.
func ebur128(tb testing.TB, path string) (lufs, peak float64) {
	tb.Helper()
	ff := testtool.Require(tb, "ffmpeg", "ffmpeg")
	cmd := exec.Command(ff, "-nostdin", "-nostats", "-hide_banner", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("ffmpeg ebur128 %s: %v\n%s", path, err, stderr.String())
	}
	s := stderr.String()
	summary := s[strings.LastIndex(s, "Summary:"):]
	i := regexp.MustCompile(`I:\s+(-?[\d.]+|-inf) LUFS`).FindStringSubmatch(summary)
	p := regexp.MustCompile(`Peak:\s+(-?[\d.]+|-inf) dBFS`).FindStringSubmatch(summary)
	if i == nil || p == nil {
		tb.Fatalf("no ebur128 summary in:\n%s", summary)
	}
	parse := func(v string) float64 {
		if v == "-inf" {
			return math.Inf(-1)
		}
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	return parse(i[1]), parse(p[1])
}

// writeTestWAV writes mono 16-bit PCM.
func writeTestWAV(tb testing.TB, path string, x []float32, rate int) {
	tb.Helper()
	var b bytes.Buffer
	n := len(x) * 2
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+n))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(n))
	for _, v := range x {
		binary.Write(&b, binary.LittleEndian, int16(max(-32768, min(32767, math.Round(float64(v)*32767)))))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// rmsDB is the RMS level of x in dBFS.
func rmsDB(x []float32) float64 {
	if len(x) == 0 {
		return math.Inf(-1)
	}
	s := 0.0
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return 10 * math.Log10(s/float64(len(x)))
}

func parseFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
