package segment

import (
	"bufio"
	"fmt"
	"io"
)

// WriteText prints the outline for people: episodes, chapters with
// estimated start times and durations, sentence counts, and dropped lines.
func (o *Outline) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n", o.Title)
	total, sentences := 0.0, 0
	for _, e := range o.Episodes {
		total += e.Estimate
		sentences += e.Sentences()
	}
	fmt.Fprintf(bw, "%d episodes, %d sentences, about %s at %.0f words a minute\n\n",
		len(o.Episodes), sentences, clock(total), o.WordsPerMinute)
	for _, e := range o.Episodes {
		fmt.Fprintf(bw, "%2d  %s  [%s]\n    %s, %d words, %s, %s\n",
			e.Number, e.Title, e.Slug, clock(e.Estimate), e.Words, count(e.Sentences(), "sentence"), count(len(e.Chapters), "chapter"))
		for _, c := range e.Chapters {
			n := 0
			for _, p := range c.Paragraphs {
				n += len(p.Sentences)
			}
			fmt.Fprintf(bw, "    %s  %-60s  %s  %13s\n", clock(c.Offset), c.Title, clock(c.Estimate), count(n, "sentence"))
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "Dropped lines (%d):\n", len(o.Dropped))
	for _, d := range o.Dropped {
		fmt.Fprintf(bw, "  - %s: %q\n", d.Reason, d.Text)
	}
	return bw.Flush()
}

// Sentences counts the episode's sentences.
func (e *Episode) Sentences() int {
	n := 0
	for _, c := range e.Chapters {
		for _, p := range c.Paragraphs {
			n += len(p.Sentences)
		}
	}
	return n
}

func clock(sec float64) string {
	s := int(sec + 0.5)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// count is "1 chapter", "2 chapters".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
