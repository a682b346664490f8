// Package espeak owns the espeak-ng program: finding it, and the two ways
// readcast runs it, speaking a text into a WAV file (narrate's espeak-ng
// engine) and printing the phonemes of words (the aligner's lexicon, for
// words its dictionary does not have). Callers keep what they make of the
// output: narrate reads the WAV, the lexicon maps the phonemes.
package espeak
