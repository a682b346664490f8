package transcript

import "testing"

// BenchmarkRender renders every format of a 3,000-sentence episode.
func BenchmarkRender(b *testing.B) {
	d := randomDoc(b, 2, 3000)
	b.ReportAllocs()
	for b.Loop() {
		for _, render := range []func(Doc) ([]byte, error){VTT, SRT, JSON, HTML, Chapters, ChapterVTT} {
			if _, err := render(d); err != nil {
				b.Fatal(err)
			}
		}
	}
}
