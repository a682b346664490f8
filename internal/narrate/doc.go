// Package narrate records an outline as narrated MP3s with exact timings:
// it owns the text-to-speech engines (festival, flite and espeak-ng, run as
// programs), the layout of sentences and pauses, loudness normalization,
// MP3 encoding (lame) and the timing sidecar written next to each MP3.
//
// Because it synthesizes sentence by sentence, narrate knows when every
// sentence and word is spoken: festival reports each word's start and end
// in its utterance structure, flite each phone's end, and espeak-ng's word
// lengths are measured. Each sentence is cut where its first word becomes
// audible and placed on the output clock by the samples actually laid down,
// so a sentence's start in the sidecar is the sample at which its speech
// begins in the MP3 a player decodes (lame's LAME tag lets players trim
// the encoder delay; Run checks the MP3's length against the PCM's).
//
// Pipeline per episode, one episode per worker, one episode's PCM at a time:
//
//	engine (WAV at its own rate) → cut + resample to 44.1 kHz → layout with pauses
//	  → BS.1770 loudness to −16 LUFS, true peak ≤ −1 dBTP (look-ahead limiter)
//	  → lame CBR 64 kbit/s mono → ID3v2.4 tags + CHAP/CTOC → write aside, rename
//
// The meter (Meter) implements ITU-R BS.1770-4 / EBU R128 integrated loudness
// and true peak in Go, streaming, and agrees with ffmpeg's ebur128 filter
// within 0.05 LU on the test signals.
package narrate
