package main

import "runtime/debug"

// serveGCPercent is the collector's target for `readcast serve`: collect
// when the heap has grown by four times what is live, not by once. The
// server keeps a few megabytes live (the show, the pages, the metrics),
// which the collector marks on every cycle, while a request allocates a
// few kilobytes that die with it: at the default of 100 a cycle came every
// few hundred requests, and marking was 3% of the CPU of a 64 KB range
// request, ten times bare net/http's share (perf, BENCHMARKS.md "Serving").
// The heap stays bounded: a few tens of megabytes while serving, and the
// soft memory limit (serveMemoryLimit) makes the collector work harder
// near it, as during a background alignment.
const serveGCPercent = 400

// serveGC sets the collector's target for serving, unless GOGC says
// otherwise.
func serveGC(e env) {
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}
