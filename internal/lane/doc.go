// Package lane answers the requests a podcast host gets most — GET and HEAD
// of the feed, audio, transcripts, chapters, cover, pages and player files
// — straight on the connection, and hands every other request, with its
// connection, to net/http.
//
// Why: with net/http, readcast needed twice nginx's CPU per request for a
// 64 KB range of an MP3 and for the feed (scripts/bench-serve). Most of it
// is per-request machinery a static answer does not need: a goroutine
// watching the connection for the request's context, a separate write(2)
// for the headers, an open and close of the file, header maps. The lane
// writes the headers and the body together (writev for bytes in memory;
// the headers held back with MSG_MORE and the file sent with sendfile(2) at
// an offset from a file opened once per snapshot), as nginx does.
//
// It is narrow on purpose. It answers only a complete HTTP/1.1 GET or HEAD
// head of plain characters for a path its Config.Find knows, with at most one
// simple byte range, an If-None-Match equal to the current ETag, and no
// header whose meaning it leaves to net/http (a body, If-Range,
// If-Modified-Since alone, Connection other than keep-alive, Expect, …).
// Anything else — the admin API, the health check and metrics, a malformed
// or unusual request, a range past the end — goes to net/http, which parses it from the first
// byte and answers it exactly as before. The differential tests in
// internal/web send the same requests both ways and compare the answers.
package lane
