// Package web is readcast's HTTP server: routes (the only importer of
// gorilla/mux), handlers and middleware. It serves a catalog.Snapshot, which
// holds everything already rendered; a handler only picks bytes and lets
// http.ServeContent answer HEAD, Range, If-Range and If-None-Match exactly as
// podcast apps and browsers expect.
//
// Every request goes through net/http and one middleware chain (Handler):
// the access log (log/slog), the metrics, the body rules and the
// write-progress deadline. Serve bounds every connection (Limits): header
// time, body progress, write progress, idle time, header size and the
// number of connections.
package web
