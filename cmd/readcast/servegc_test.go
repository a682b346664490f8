package main

import (
	"runtime/debug"
	"testing"
)

// TestServeGC: serve sets its collector target, and an operator's GOGC
// wins.
func TestServeGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	serveGC(env{getenv: func(string) string { return "" }})
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("GC percent %d, want %d", got, serveGCPercent)
	}
	serveGC(env{getenv: func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	}})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, the GC percent became %d", got)
	}
}
