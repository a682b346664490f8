// Package check is `readcast check`: a conformance check of a live podcast
// feed and of everything it links to, as podcast apps will fetch them.
//
// It checks the rules that make an app refuse or mangle a show:
//
//   - the feed: well-formed RSS 2.0; Apple's required channel tags
//     (itunes:image, a category from Apple's list, itunes:explicit
//     true/false, itunes:owner with an email, itunes:author, itunes:type);
//     the W3C feed validator's iTunes rules (integer itunes:duration,
//     itunes:episode a positive integer, itunes:episodeType an enumeration);
//     Podcasting 2.0's podcast:guid, podcast:locked with an owner,
//     podcast:transcript and podcast:chapters; atom:link rel="self" equal to
//     the URL fetched; unique item GUIDs; pubDates in serial order;
//   - each enclosure over HTTP, as Apple's crawler probes it: HEAD with the
//     exact Content-Length and Accept-Ranges, 206 for Range: bytes=0-1, the
//     length of a plain GET, and the MP3's own duration (frame headers read
//     with ranged requests, never the whole file in memory);
//   - the artwork: JPEG or PNG, square, 1400 to 3000 px, RGB;
//   - each transcript: its Content-Type, that it parses, and that timed
//     transcripts span the audio;
//   - the JSON chapters: that they parse, and that they agree within 1 s,
//     title for title, with the MP3's ID3 CHAP frames and the feed's inline
//     psc:chapters (AntennaPod merges chapter lists only when they do);
//   - CORS headers on the feed, transcripts and chapters (a warning).
//
// The checks are pure functions over fetched bytes and headers; a thin
// fetcher does the I/O with a bounded body size, a per-request timeout and a
// bounded number of requests in flight. Run returns a Report of Findings,
// failures and warnings, each saying where (the feed or an episode), what,
// and at which URL.
package check
