// Package align finds when each sentence and word of a text is spoken in a
// recording: forced alignment in pure Go, for a person's narration of an
// episode (readcast narrate knows its own timings exactly; a person's
// recording must be aligned).
//
// The method (README.md has the parameters and the measured accuracy):
// the text is spoken by a synthetic voice (espeak-ng), each word on its
// own, and the words are laid end to end into a reference; the recording
// is decoded through internal/audio, on all cores, straight into MFCC
// frames (nothing else of the audio is kept); the two are aligned by
// coarse-to-fine DTW with pause frames where untranscribed sound can be
// absorbed; sentence boundaries are snapped to the pauses an energy VAD
// finds; every sentence gets a confidence, and skipped sentences, retakes
// and untranscribed stretches go into a report a narrator can act on.
//
// Everything runs at one sample rate, Rate (16 kHz): the recording is
// resampled while it is decoded, the voice's clips when they are made.
package align
