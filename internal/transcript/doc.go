// Package transcript renders an episode's timings as every transcript and
// chapter format readcast publishes, and parses them back for round-trip
// tests and for `readcast check`.
//
// Writers take a Doc (the episode's structure plus its timing map) and return
// bytes: WebVTT captions (VTT) and a WebVTT chapter track (ChapterVTT), SubRip
// (SRT), the Podcasting 2.0 JSON transcript with one segment per word (JSON),
// an accessible HTML document (HTML) and JSON Chapters 1.2 (Chapters). They
// are pure and deterministic: the same Doc always gives the same bytes.
//
// All times are written to the millisecond, never negative, with cues in
// order and without overlap. A caption cue is never longer than two lines,
// and a line never longer than MaxVTTLine (WebVTT, counted as written,
// voice tag and character references included) or MaxSRTLine (SRT) unless it
// holds a single word that is longer on its own. A sentence too long for one
// cue is split at its clause boundaries and each part is timed from the word
// timings, so the captions follow the voice.
//
// Chapter times are the millisecond-rounded times of timing.Chapters, the one
// function every chapter source (ID3, psc:chapters, JSON) is made from, so the
// sources agree exactly. JSON chapter start times are written with their
// milliseconds, not as whole seconds: AntennaPod truncates them to whole
// seconds and merges its chapter lists when starts differ by at most 1 s, and
// a truncated time is always less than 1 s early, while every other app gets
// the exact time.
//
// Parsers (ParseVTT, ParseSRT, ParseJSON, ParseChapters) accept what the
// writers produce and the common forms of each format written by others; they
// report malformed input as an error wrapping ErrSyntax and never panic.
package transcript
