package web

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// accessLog writes the access log, a line a request, to a writer: the bytes
// slog.TextHandler (default options) writes for
//
//	log.Info("request", "method", m, "path", p, "status", s, "bytes", n, "took", d, "range", r)
//
// formatted here instead of by slog, which was a tenth of the server's CPU
// for a feed request (perf, BENCHMARKS.md). A line with a value slog would
// escape goes through slog itself, so every line is slog's
// (TestAccessLineIsSlogs, FuzzAccessLine).
type accessLog struct {
	w    io.Writer
	slow *slog.Logger // slog.TextHandler on w, for the lines formatted by slog
	bufs sync.Pool
	// stamp is the last time formatted, for its millisecond: under load
	// many lines share one.
	stamp atomic.Pointer[stamp]
}

type stamp struct {
	ms  int64
	loc *time.Location
	b   []byte
}

func newAccessLog(w io.Writer) *accessLog {
	return &accessLog{
		w:    w,
		slow: slog.New(slog.NewTextHandler(w, nil)),
		bufs: sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }},
	}
}

// SetAccessLog sends the access log to w, which must take whole lines
// from concurrent writers (a *slog.TextHandler's writer does), instead of
// through the server's logger.
func (s *Server) SetAccessLog(w io.Writer) { s.access = newAccessLog(w) }

// logRequest writes the access log line of a request, answered by net/http
// or by the lane.
func (s *Server) logRequest(method, path, rangeHeader string, status int, bytes int64, took time.Duration) {
	if s.access != nil {
		s.access.log(time.Now(), method, path, rangeHeader, status, bytes, took)
		return
	}
	logAttrs(s.log, time.Now(), method, path, rangeHeader, status, bytes, took)
}

func logAttrs(log *slog.Logger, t time.Time, method, path, rangeHeader string, status int, bytes int64, took time.Duration) {
	h := log.Handler()
	if !h.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	r := slog.NewRecord(t, slog.LevelInfo, "request", 0)
	r.AddAttrs(
		slog.String("method", method), slog.String("path", path),
		slog.Int("status", status), slog.Int64("bytes", bytes),
		slog.Duration("took", took),
	)
	if rangeHeader != "" {
		r.AddAttrs(slog.String("range", rangeHeader))
	}
	h.Handle(context.Background(), r)
}

func (a *accessLog) log(t time.Time, method, path, rangeHeader string, status int, bytes int64, took time.Duration) {
	if !simple(method) || !simple(path) || rangeHeader != "" && !simple(rangeHeader) {
		logAttrs(a.slow, t, method, path, rangeHeader, status, bytes, took)
		return
	}
	bp := a.bufs.Get().(*[]byte)
	t = t.Round(0)
	st := a.stamp.Load()
	if ms := t.UnixMilli(); st == nil || st.ms != ms || st.loc != t.Location() {
		st = &stamp{ms, t.Location(), appendRFC3339Millis(nil, t)}
		a.stamp.Store(st)
	}
	b := appendAccessLine((*bp)[:0], st.b, method, path, rangeHeader, status, bytes, took)
	a.w.Write(b)
	*bp = b
	a.bufs.Put(bp)
}

// appendAccessLine appends the line for values that are simple, at a time
// formatted by appendRFC3339Millis.
func appendAccessLine(b, at []byte, method, path, rangeHeader string, status int, bytes int64, took time.Duration) []byte {
	b = append(b, "time="...)
	b = append(b, at...)
	b = append(b, " level=INFO msg=request method="...)
	b = appendValue(b, method)
	b = append(b, " path="...)
	b = appendValue(b, path)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, bytes, 10)
	b = append(b, " took="...)
	b = append(b, took.String()...)
	if rangeHeader != "" {
		b = append(b, " range="...)
		b = appendValue(b, rangeHeader)
	}
	return append(b, '\n')
}

// appendRFC3339Millis is slog's: RFC 3339 with exactly three digits of
// milliseconds.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...) // drop the 4th digit
}

// simple reports whether s is printable ASCII without '"' or '\': slog's
// text format writes it as it is, or, when it is empty or has a space or
// '=', between double quotes with nothing escaped (appendValue).
func simple(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendValue appends a simple value as slog's text format does.
func appendValue(b []byte, s string) []byte {
	quote := s == ""
	for i := 0; i < len(s) && !quote; i++ {
		quote = s[i] == ' ' || s[i] == '='
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
