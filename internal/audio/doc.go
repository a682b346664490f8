// Package audio owns everything readcast knows about MP3 files: probing them
// (exact duration, bitrate and layout from a frame-header scan, never a
// decode), decoding them to mono float32 PCM for alignment, and reading and
// writing their ID3v2 tags, including the CHAP and CTOC frames that podcast
// apps use for chapters.
//
// It is the only importer of github.com/hajimehoshi/go-mp3 (decoding) and
// github.com/bogem/id3v2 (frame encoders), so swapping either touches this
// package alone.
//
// Everything here speaks the player's clock. An MP3 made by LAME starts with an
// Info/Xing frame that carries no audio, then the encoder's delay (576
// samples), and the decoder adds 529 samples of its own; the last frame is
// padded. Gapless players (ffmpeg and the browsers and apps built on it) drop
// all of that using the LAME tag. Probe's Duration and Decode's samples are
// trimmed exactly as ffmpeg trims (the tests compare sample counts and
// sample values), so a sentence at 12.345 s in a timing map is at 12.345 s
// in the player, and alignment and exact synthesis timings agree with what a
// listener hears.
//
// Input is untrusted (recordings come from people, uploads from the admin
// API): every size read from a header is checked against the real file size
// before anything is allocated, and malformed files give errors that say
// where and why, wrapping ErrNotMP3 or ErrBadTag.
package audio
