// Package align finds when each sentence and word of a text is spoken in a
// recording: forced alignment in pure Go, for a person's narration of an
// episode (readcast narrate knows its own timings exactly; a person's
// recording must be aligned).
//
// The method (README.md has the parameters and the measured accuracy):
// the recording is decoded through internal/audio, on all cores, straight
// into the cepstra of the embedded acoustic model's front end (nothing
// else of the audio is kept); the text's words get their pronunciations
// from internal/align/lexicon; internal/align/hmm finds the most likely
// path of their triphone HMMs through the recording, with silence, noise
// and a garbage model between words and a skip for every sentence; every
// sentence gets a confidence from its words' fit against a phone loop, and
// skipped sentences, retakes, false starts and untranscribed stretches go
// into a report a narrator can act on.
//
// Everything runs at one sample rate, Rate (16 kHz): the recording is
// resampled while it is decoded.
package align
