package main

import (
	"bufio"
	"context"
	"io"
	"sync"
	"time"
)

// logBuffer batches log lines: the access log (log/slog) writes a line a
// request, and a write system call for each one was 8% of the server's CPU
// per feed request (pprof; BENCHMARKS.md, "Serving"), a third of what
// routing, logging, metrics and headers may cost together. Lines reach the
// underlying writer within flushEvery, when the buffer fills, and on Flush.
type logBuffer struct {
	mu sync.Mutex
	bw *bufio.Writer
}

const flushEvery = 200 * time.Millisecond

func newLogBuffer(ctx context.Context, w io.Writer) *logBuffer {
	b := &logBuffer{bw: bufio.NewWriterSize(w, 64<<10)}
	go every(ctx, flushEvery, func() { b.Flush() })
	return b
}

// every calls f every d until ctx is done.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bw.Write(p)
}

// Flush writes out what is buffered.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bw.Flush()
}
