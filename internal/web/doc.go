// Package web is readcast's HTTP server: routes (the only importer of
// gorilla/mux), handlers and middleware. It serves a catalog.Snapshot, which
// holds everything already rendered; a handler only picks bytes and lets
// http.ServeContent answer HEAD, Range, If-Range and If-None-Match exactly as
// podcast apps and browsers expect.
//
// Serve puts internal/lane in front of net/http: the lane answers the
// common requests (GET and HEAD of the feed, audio, transcripts, chapters,
// cover, pages and player files, with a simple range or a matching
// If-None-Match) on the connection, at 30-40% of the CPU net/http took
// (BENCHMARKS.md), and hands every other request to Handler. Both paths share the header
// fields (lane.Fields, pageFields), the access log and the metrics, and
// the tests send the same requests both ways (lane_test.go).
package web
