// Package web is readcast's HTTP server: routes (the only importer of
// gorilla/mux), HTTP semantics and middleware. It serves a catalog.Snapshot,
// which holds the show's files already rendered, and the pages
// internal/player renders of it when it is swapped in (Swap); a handler
// only picks bytes and lets
// http.ServeContent answer HEAD, Range, If-Range and If-None-Match exactly as
// podcast apps and browsers expect.
//
// Every request goes through net/http and one middleware chain (Handler):
// the access log (log/slog), the metrics, the body rules and the
// write-progress deadline. Serve bounds every connection (Limits): header
// time, body progress, write progress, idle time, header size and the
// number of connections.
//
// A Server is made whole by New from a Config; nothing is set on it
// afterwards.
package web
