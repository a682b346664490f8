// Package web is readcast's HTTP server: routes (the only importer of
// gorilla/mux), handlers and middleware. It serves a catalog.Snapshot, which
// holds everything already rendered; a handler only picks bytes and lets
// http.ServeContent answer HEAD, Range, If-Range and If-None-Match exactly as
// podcast apps and browsers expect.
package web
