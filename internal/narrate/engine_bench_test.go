package narrate

import (
	"context"
	"testing"
)

// benchSentences are twelve sentences of the seed.
var benchSentences = []string{
	"I was born in the USSR in 1965, grew up there, and studied in the Brezhnev era.",
	"Leonid Brezhnev was the most-known figure of power.",
	"In each election, the ballot had only one name, and Brezhnev was re-elected with 99.9 percent of the vote.",
	"Jokes targeting leaders of the regime and the KGB were very common, and were a form of passive protest.",
	"At that time, the bureaucracy had not yet begun the process of restoring capitalism.",
	"These were very important achievements.",
	"For example, if someone fell ill at night, emergency services arrived quickly, gave first aid, and then transported the patient to the hospital.",
	"There, he discovered Trotsky’s writings, which accurately reflected the comrade’s experiences of the bureaucratic regime in the USSR.",
	"This is a fascinating insight into what life was really like in the USSR.",
	"Some of the gains of the October Revolution were still present.",
	"Work for all, universal free medical care and education.",
	"Where are the 0.1 percent who voted against?",
}

// BenchmarkFestivalBatch compares one festival process for twelve
// sentences with one process per sentence; it reports the real-time factor
// of each (wall time per second of speech).
func BenchmarkFestivalBatch(b *testing.B) {
	e := engineFor(b, Festival)
	ctx := context.Background()
	run := func(b *testing.B, batches [][]string) {
		speech := 0.0
		for b.Loop() {
			for _, batch := range batches {
				err := e.Synthesize(ctx, batch, func(_ int, s Speech) error {
					speech += float64(len(s.Samples)) / float64(s.Rate)
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/speech, "rtf")
	}
	b.Run("one-process", func(b *testing.B) { run(b, [][]string{benchSentences}) })
	b.Run("process-per-sentence", func(b *testing.B) {
		var each [][]string
		for _, s := range benchSentences {
			each = append(each, []string{s})
		}
		run(b, each)
	})
}

// BenchmarkEngines reports each engine's synthesis real-time factor on the
// same twelve sentences (one process per batch where the engine allows).
func BenchmarkEngines(b *testing.B) {
	for _, name := range Engines {
		b.Run(name, func(b *testing.B) {
			e := engineFor(b, name)
			speech, rate := 0.0, 0
			for b.Loop() {
				err := e.Synthesize(context.Background(), benchSentences, func(_ int, s Speech) error {
					speech += float64(len(s.Samples)) / float64(s.Rate)
					rate = s.Rate
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/speech, "rtf")
			b.ReportMetric(float64(rate), "Hz")
		})
	}
}
